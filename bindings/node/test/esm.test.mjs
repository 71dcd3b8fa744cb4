// The package from ESM: every class and error is a named export (through
// the package's exports map, as an app's `import ... from 'hsession'`), the
// same objects as require() gives, and a request works.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as hsession from 'hsession';
import hsessionDefault, {
  Session, Response, CookieJar, HSessionError, InvalidArgumentError, TimeoutError, ConnectionError, TLSError,
  CancelledError, TooManyRedirectsError, TooManyRetriesError, BodyTooLargeError, FileError, SessionClosedError,
  codeName, version, abiVersion, diagnostics, libraryPath, RESULT, CODES,
} from 'hsession';

const require = createRequire(import.meta.url);
const helpers = require('./helpers.js');
const cjs = require('hsession');

test('every CommonJS export is a named ESM export, the same object', () => {
  for (const name of Object.keys(cjs)) {
    assert.ok(name in hsession, `missing named export ${name}`);
    assert.equal(hsession[name], cjs[name], name);
  }
  assert.equal(hsessionDefault, cjs);
  const named = { Session, Response, CookieJar, HSessionError, InvalidArgumentError, TimeoutError, ConnectionError, TLSError,
    CancelledError, TooManyRedirectsError, TooManyRetriesError, BodyTooLargeError, FileError, SessionClosedError,
    codeName, version, abiVersion, diagnostics, RESULT, CODES };
  for (const [name, value] of Object.entries(named)) assert.equal(typeof value === 'function' || typeof value === 'object', true, name);
  assert.equal(typeof libraryPath, 'string');
  assert.ok(new CancelledError('x') instanceof HSessionError);
});

test("the CommonJS file's names are visible to ESM import (no hidden spread)", async () => {
  const direct = await import('../index.js');
  for (const name of Object.keys(cjs)) assert.ok(name in direct, `import('../index.js') lacks ${name}`);
});

test('a request from ESM', async () => {
  const server = await helpers.startServer();
  const s = new Session({ baseURL: server.url });
  try {
    const r = await s.get('/echo');
    assert.ok(r instanceof Response);
    assert.equal(r.status, 200);
    await assert.rejects(s.get('/delay/5000', { signal: AbortSignal.timeout(30) }), (e) => e instanceof CancelledError);
  } finally {
    s.close();
    await server.stop();
  }
});
