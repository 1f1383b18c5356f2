import { expect } from 'chai';
import {
  type AlertAnswer,
  MAX_ANSWER_BYTES,
  alertNamesOf,
  queryFiringAlerts,
  queryUrl,
} from '../../../coordinator/alerts/prometheus-query.js';
import { type LocalHttp, startLocalHttp } from '../../helpers/local-http.js';
import { httpTarget, redactUrl } from '../../../shared/http-text.js';

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

describe('prometheus query against a real server that misbehaves', () => {
  let server: LocalHttp | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const ask = (s: LocalHttp): Promise<AlertAnswer> => queryFiringAlerts(s.url, 'ALERTS', 300, new AbortController().signal);

  it('says "alert check timed out" when the body never ends, and closes the connection', async () => {
    server = await startLocalHttp((_req, res, bad) => bad.trickleForever(res, 5));
    const answer = await ask(server);
    expect(answer.firing).to.deep.equal([]);
    expect(answer.error).to.match(
      new RegExp(
        `^alert check timed out: no complete answer within 300ms \\(the body was still arriving after \\d+ bytes\\) from ${server.url}$`,
      ),
    );
    await server.clientsGone();
  });

  it('says "alert check timed out" when no headers come', async () => {
    server = await startLocalHttp((_req, res, bad) => bad.neverAnswer(res));
    expect((await ask(server)).error).to.equal(`alert check timed out: no answer within 300ms from ${server.url}`);
  });

  it('cuts an answer larger than any alert list, naming the limit', async () => {
    server = await startLocalHttp((_req, res, bad) => bad.floodForever(res));
    const answer = await ask(server);
    expect(answer.error).to.equal(`Prometheus at ${server.url}: response body over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
    await server.clientsGone();
  });

  it('reads the firing alerts of a normal answer', async () => {
    const body = { status: 'success', data: { resultType: 'vector', result: [{ metric: { alertname: 'DiskFull' }, value: [1, '1'] }] } };
    server = await startLocalHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    expect(await ask(server)).to.deep.equal({ firing: ['DiskFull'], error: '' });
    expect([...server.requests.keys()]).to.deep.equal(['/api/v1/query?query=ALERTS']);
  });
});
