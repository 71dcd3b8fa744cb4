// session.fetch handed to real code written for fetch: ky (a fetch-based
// HTTP client, a dev dependency) takes a custom `fetch`, passes it Request
// objects, reads the web Response, retries and times out by AbortSignal.
// Everything it sends goes through the session: its cookies and pool.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import ky from 'ky';
import { Session } from 'hsession';

const require = createRequire(import.meta.url);
const { startServer } = require('./helpers.js');

test('ky over session.fetch: JSON, cookies from the jar, one pooled connection, retries, timeout', async () => {
  const server = await startServer();
  const s = new Session({ headers: { 'X-From-Session': 'yes' } });
  try {
    const api = ky.create({ prefixUrl: server.url, fetch: s.fetch, retry: { limit: 2, statusCodes: [503], methods: ['get'], backoffLimit: 10 } });
    s.cookies.set(server.url, 'sid=abc; Path=/');
    const echo = await api.post('echo', { json: { hello: 'world' } }).json();
    assert.equal(echo.method, 'POST');
    assert.deepEqual(echo.json, { hello: 'world' });
    assert.deepEqual(echo.cookies, { sid: 'abc' });
    assert.deepEqual(echo.headers.filter(([k]) => k === 'x-from-session').map(([, v]) => v), ['yes']);
    const ids = new Set();
    for (let i = 0; i < 5; i++) ids.add((await api.get('echo').json()).connection_id);
    assert.equal(ids.size, 1, 'every request reused the pooled connection');
    // A cookie set through ky lands in the session's jar.
    await api.get('cookies/set', { searchParams: { via: 'ky' } });
    assert.equal(s.cookies.get('via'), 'ky');
    // ky's own retry loop: a flaky endpoint answers 503 twice, then 200.
    const key = `k${Date.now()}`;
    const flaky = await api.get(`flaky/${key}/2`);
    assert.equal(flaky.status, 200);
    // ky's timeout aborts through the signal it gives fetch.
    await assert.rejects(api.get('delay/5000', { timeout: 100, retry: 0 }), (e) => e.name === 'TimeoutError');
    // An HTTP error is ky's HTTPError, carrying our Response.
    await assert.rejects(api.get('status/404'), (e) => e.name === 'HTTPError' && e.response.status === 404);
  } finally {
    s.close();
    await server.stop();
  }
});
