import { expect } from 'chai';
import { alertNamesOf, queryUrl } from '../../../coordinator/alerts/prometheus-query.js';
import { httpTarget, redactUrl } from '../../../coordinator/notify/http.js';

describe('prometheus query', () => {
  const q = 'ALERTS{alertstate="firing",severity="critical"}';

  it('builds the instant-query URL, keeping a path prefix and encoding the query', () => {
    const encoded = 'query=ALERTS%7Balertstate%3D%22firing%22%2Cseverity%3D%22critical%22%7D';
    expect(queryUrl('http://prom:9090', q)).to.equal(`http://prom:9090/api/v1/query?${encoded}`);
    expect(queryUrl('https://ops.example/prometheus', q)).to.equal(`https://ops.example/prometheus/api/v1/query?${encoded}`);
    expect(queryUrl('https://ops.example/prometheus/', q)).to.equal(`https://ops.example/prometheus/api/v1/query?${encoded}`);
  });

  it('reads unique, sorted alert names from a vector result', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'ALERTS', alertname: 'DiskFull', instance: 'a' }, value: [1, '1'] },
          { metric: { __name__: 'ALERTS', alertname: 'BackupStale' }, value: [1, '1'] },
          { metric: { __name__: 'ALERTS', alertname: 'DiskFull', instance: 'b' }, value: [1, '1'] },
        ],
      },
    };
    expect(alertNamesOf(body)).to.deep.equal({ firing: ['BackupStale', 'DiskFull'], error: '' });
    expect(alertNamesOf({ status: 'success', data: { resultType: 'vector', result: [] } })).to.deep.equal({ firing: [], error: '' });
  });

  it('turns an error answer or a strange body into a one-line reason', () => {
    expect(alertNamesOf({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query":\n  parse error' })).to.deep.equal({
      firing: [],
      error: 'Prometheus refused the query: bad_data: invalid parameter "query": parse error',
    });
    expect(alertNamesOf({ status: 'success', data: { resultType: 'matrix', result: [] } }).error).to.equal(
      'Prometheus answered something that is not an instant-vector result',
    );
    expect(alertNamesOf(null).error).to.equal('Prometheus answered something that is not an instant-vector result');
  });

  it('sends credentials of the URL as basic authentication and keeps them out of logs', () => {
    expect(httpTarget('https://bot:s%40cret@prom.example/')).to.deep.equal({
      url: 'https://prom.example/',
      headers: { authorization: `Basic ${Buffer.from('bot:s@cret').toString('base64')}` },
    });
    expect(redactUrl('https://bot:pw@hooks.slack.com/services/T0/B0/secret')).to.equal('https://hooks.slack.com/…');
    expect(redactUrl('http://127.0.0.1:9090')).to.equal('http://127.0.0.1:9090');
  });
});
