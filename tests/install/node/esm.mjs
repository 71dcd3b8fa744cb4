// The installed npm packages from ESM: named exports of the classes and
// errors, the same behaviour as from CommonJS.
import assert from 'node:assert/strict';
import { Session, Response, CancelledError, TimeoutError, HSessionError, ConnectionError, version, libraryPath } from 'hsession';

const base = process.argv[2];
const s = new Session({ baseURL: base, headers: { 'User-Agent': 'esm/1.0' } });
try {
  const r = await s.get('/echo');
  assert.ok(r instanceof Response);
  const echo = await r.json();
  assert.deepEqual(echo.headers.filter(([k]) => k === 'user-agent').map(([, v]) => v), ['esm/1.0']);
  const ac = new AbortController();
  const p = s.get('/delay/5000', { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, (e) => e.name === 'AbortError' && e instanceof CancelledError && e instanceof HSessionError);
  await assert.rejects(s.get('http://127.0.0.1:1/'), (e) => e instanceof ConnectionError && !(e instanceof TimeoutError));
  const fr = await s.fetch('/json');
  assert.equal(typeof (await fr.json()), 'object');
} finally {
  s.close();
}
console.log(`node (ESM): OK, library ${version()} from ${libraryPath}`);
