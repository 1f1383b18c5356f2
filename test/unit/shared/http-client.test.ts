/**
 * The one HTTP client of convoyd against real servers on 127.0.0.1 that misbehave: no
 * answer, a body that never ends (slowly or as fast as the client reads). Every request must
 * end, by its one deadline or its body limit, with the connection closed and memory flat.
 */
import { getEventListeners } from 'node:events';
import { expect } from 'chai';
import { HttpRequestError, type HttpRequestOptions, httpRequest } from '../../../shared/http-client.js';
import { forceGc, type LocalHandler, type LocalHttp, startLocalHttp } from '../../helpers/local-http.js';
import { freePort } from '../../helpers/ports.js';

const MiB = 1024 * 1024;
const BASE: HttpRequestOptions = { timeoutMs: 300, maxBodyBytes: MiB };

/** The HttpRequestError a request failed with (the test fails if it succeeded). */
async function failureOf(p: Promise<unknown>): Promise<HttpRequestError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`expected the request to fail; it answered ${JSON.stringify(outcome.value)}`);
  expect(outcome.err).to.be.instanceOf(HttpRequestError);
  return outcome.err as HttpRequestError;
}

describe('shared/http-client', () => {
  let server: LocalHttp | undefined;
  const serve = async (handler: LocalHandler): Promise<LocalHttp> => (server = await startLocalHttp(handler));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('returns status, headers and body, and sends URL credentials as basic authentication', async () => {
    let seen: { method?: string; auth?: string; url?: string; body?: string } = {};
    const s = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { method: req.method, auth: req.headers.authorization, url: req.url, body };
        res.writeHead(201, { 'x-answer': '42' }).end('{"ok":true}');
      });
    });
    const url = s.url.replace('http://', 'http://bot:s%40cret@') + '/hook?x=1';
    const res = await httpRequest(url, { ...BASE, method: 'POST', body: '{"a":1}' });
    expect([res.status, res.headers['x-answer'], res.body.toString()]).to.deep.equal([201, '42', '{"ok":true}']);
    expect(seen).to.deep.equal({
      method: 'POST',
      auth: `Basic ${Buffer.from('bot:s@cret').toString('base64')}`,
      url: '/hook?x=1',
      body: '{"a":1}',
    });
  });

  it('gives up on a server that never sends headers, at the deadline, and closes the connection', async () => {
    const s = await serve((_req, res, bad) => bad.neverAnswer(res));
    const err = await failureOf(httpRequest(`${s.url}/api`, BASE));
    expect([err.kind, err.message]).to.deep.equal(['timeout', `no answer within 300ms from ${s.url}/…`]);
    await s.clientsGone();
  });

  it('cuts a body that trickles forever at the deadline, which covers the body too', async () => {
    const s = await serve((_req, res, bad) => bad.trickleForever(res, 5));
    const err = await failureOf(httpRequest(s.url, BASE));
    expect(err.kind).to.equal('timeout');
    expect(err.message).to.match(
      new RegExp(`^no complete answer within 300ms \\(the body was still arriving after \\d+ bytes\\) from ${s.url}$`),
    );
    await s.clientsGone();
  });

  it('cuts a body that floods forever at the size limit, closes the connection, and leaves memory flat', async () => {
    const s = await serve((_req, res, bad) => bad.floodForever(res));
    const opts = { ...BASE, timeoutMs: 30_000 };
    await failureOf(httpRequest(s.url, opts)); // warm-up: first-use allocations are not a leak
    await s.clientsGone();
    await forceGc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 20; i++) {
      const err = await failureOf(httpRequest(`${s.url}/?token=secret`, opts));
      expect([err.kind, err.message]).to.deep.equal(['body-too-large', `response body over 1 MiB from ${s.url}/…`]);
      await s.clientsGone();
    }
    await forceGc();
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown, `array buffers grew by ${grown} bytes over 20 cut requests`).to.be.below(4 * MiB);
    // what the server got written before it saw the close: the limit plus socket buffers, per request
    expect(s.bytesSent() / 21, 'bytes sent per request').to.be.below(16 * MiB);
  });

  it('keeps its deadline through garbage collections in the middle of the request', async function () {
    this.timeout(10_000); // a lost deadline shows up as this test timing out
    const s = await serve((_req, res, bad) => bad.neverAnswer(res));
    const caller = new AbortController();
    const arrived = s.requestArrived();
    const pending = failureOf(httpRequest(s.url, { ...BASE, signal: caller.signal }));
    await arrived;
    for (let i = 0; i < 3; i++) await forceGc();
    expect((await pending).kind).to.equal('timeout');
    await s.clientsGone();
  });

  it("ends at the caller's signal with its reason, and removes its listener from the signal afterwards", async () => {
    const s = await serve((req, res, bad) => (req.url === '/hang' ? bad.neverAnswer(res) : res.end('{}')));
    const caller = new AbortController();
    for (let i = 0; i < 50; i++) await httpRequest(s.url, { ...BASE, signal: caller.signal });
    expect(getEventListeners(caller.signal, 'abort')).to.have.length(0);
    const arrived = s.requestArrived();
    const pending = failureOf(httpRequest(`${s.url}/hang`, { ...BASE, timeoutMs: 30_000, signal: caller.signal }));
    await arrived;
    caller.abort(new Error('convoyd is stopping'));
    const err = await pending;
    expect([err.kind, err.message]).to.deep.equal(['cancelled', `request to ${s.url}/… cancelled (convoyd is stopping)`]);
    expect(getEventListeners(caller.signal, 'abort')).to.have.length(0);
    await s.clientsGone();
  });

  it('reads no body with discardBody, so a receiver that streams one cannot hold the caller', async () => {
    const s = await serve((_req, res, bad) => bad.floodForever(res));
    const res = await httpRequest(s.url, { ...BASE, timeoutMs: 30_000, maxBodyBytes: 0, discardBody: true, method: 'POST', body: '{}' });
    expect([res.status, res.body.length]).to.deep.equal([200, 0]);
    await s.clientsGone();
  });

  it('names a refused connection, and never shows credentials, path or query of the URL', async () => {
    const port = await freePort();
    const err = await failureOf(httpRequest(`http://bot:pw@127.0.0.1:${port}/services/T0/secret?token=abc`, BASE));
    expect(err.kind).to.equal('network');
    expect(err.message).to.match(
      new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/…: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`),
    );
    expect(err.message).to.not.match(/pw|secret|token|abc/);
  });

  it('refuses a URL that is not http or https before connecting', async () => {
    const err = await failureOf(httpRequest('ftp://example.org/x', BASE));
    expect([err.kind, err.message]).to.deep.equal(['invalid-url', 'ftp://example.org/…: is not an http:// or https:// URL']);
  });
});
