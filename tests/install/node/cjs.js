'use strict';
// The installed npm packages from CommonJS: the library comes from the
// platform package, and a request, session.fetch and the errors work.
const assert = require('node:assert/strict');
const path = require('node:path');
const hs = require('hsession');

(async () => {
  const base = process.argv[2];
  assert.ok(hs.libraryPath.includes(path.join('node_modules', '@hsession', 'linux-x64-gnu')), hs.libraryPath);
  const s = new hs.Session({ baseURL: base });
  try {
    assert.equal((await s.get('/echo')).status, 200);
    const r = await s.fetch('/cookies/set?via=fetch');
    assert.equal(r.status, 200);
    assert.equal(s.cookies.get('via'), 'fetch');
    await assert.rejects(s.get('/delay/5000', { signal: AbortSignal.timeout(50) }), (e) => e.name === 'TimeoutError' && e instanceof hs.CancelledError);
  } finally {
    s.close();
  }
  console.log(`node (CommonJS): OK, library ${hs.version()} from ${hs.libraryPath}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
