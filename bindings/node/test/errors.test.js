'use strict';
// Bad input: the right Error subclass and code, nothing sent, the session
// still usable; redacted URLs; a missing library.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const hs = require('..');
const { Session } = hs;
const { useServer } = require('./helpers');

let server;
let s;
useServer(
  (srv, session) => {
    server = srv;
    s = session;
  },
  { session: true },
);

test('bad requests are refused before anything is sent; the session goes on', async () => {
  const sent = s.stats.requestsSent;
  const cases = [
    [{ url: 'http://' }, 'INVALID_URL'],
    [{ url: 'ftp://127.0.0.1/x' }, 'UNSUPPORTED_SCHEME'],
    [{ url: '/echo', method: 'GE T' }, 'INVALID_METHOD'],
    [{ url: '/echo', headers: { 'Bad Name': 'x' } }, 'INVALID_HEADER_NAME'],
    [{ url: '/echo', headers: { 'X-A': 'a\r\nInjected: 1' } }, 'INVALID_HEADER_VALUE'],
    [{ url: '/echo', headers: { 'X-A': 'nul\0' } }, 'INVALID_HEADER_VALUE'],
    [{ url: '/echo', cookies: { 'a;b': '1' } }, 'INVALID_ARGUMENT'],
    [{ url: '/echo', auth: { username: 'a:b', password: 'c' } }, 'INVALID_ARGUMENT'],
    [{ url: '/echo', body: { not: 'bytes' } }, 'INVALID_ARGUMENT'],
    [{ url: '/echo', body: 'x', json: {} }, 'INVALID_ARGUMENT'],
    [{ url: '/echo', timeout: -5 }, 'INVALID_ARGUMENT'],
    [{ url: '/echo', retry: { total: 1, statusForcelist: [1000] } }, 'INVALID_ARGUMENT'],
    [{}, 'INVALID_URL'],
  ];
  for (const [opts, code] of cases) {
    await assert.rejects(
      s.request(opts),
      (e) => e instanceof hs.InvalidArgumentError && e.code === code && typeof e.message === 'string',
      `${JSON.stringify(opts)} -> ${code}`
    );
  }
  assert.equal(s.stats.requestsSent, sent);
  assert.equal((await s.get('/echo')).status, 200);
  // Without a baseURL the library itself refuses a relative or broken URL.
  const bare = new Session();
  try {
    for (const u of ['not a url', '/echo', 'http://exa mple.com/']) {
      await assert.rejects(bare.get(u), (e) => e instanceof hs.InvalidArgumentError && e.code === 'INVALID_URL', u);
    }
    assert.equal(bare.stats.requestsSent, 0);
  } finally {
    bare.close();
  }
  // A file that cannot be opened fails the send with IO.
  await assert.rejects(s.post('/echo', { bodyFile: '/nonexistent/file' }), (e) => e instanceof hs.FileError && e.code === 'IO');
  assert.equal((await s.get('/echo')).status, 200);
});

test('bad session options throw and leave the session as it was', async () => {
  const t = new Session({ baseURL: server.url, headers: { 'X-Keep': '1' } });
  try {
    assert.throws(() => t.setHeader('Bad Name', 'x'), (e) => e.code === 'INVALID_HEADER_NAME');
    assert.throws(() => t.configure({ proxy: 'not a url' }), hs.InvalidArgumentError);
    assert.throws(() => t.configure({ cookies: { file: '/tmp', format: 'json' } }), hs.FileError);
    assert.throws(() => new Session({ headers: { 'X-Bad': '\n' } }), (e) => e.code === 'INVALID_HEADER_VALUE');
    const echo = await (await t.get('/echo')).json();
    assert.deepEqual(echo.headers.filter(([k]) => k === 'x-keep'), [['x-keep', '1']]);
  } finally {
    t.close();
  }
});

test('error URLs carry no credentials', async () => {
  await assert.rejects(s.get('http://alice:s3cret@127.0.0.1:1/private'), (e) => {
    assert.ok(e instanceof hs.ConnectionError, e.name);
    assert.equal(e.code, 'CONNECT');
    assert.equal(e.result, 10);
    assert.ok(e.url.includes('127.0.0.1:1/private'), e.url);
    assert.ok(!e.url.includes('s3cret') && !e.message.includes('s3cret'), `${e.url} ${e.message}`);
    return true;
  });
  await assert.rejects(s.get('/delay/3000', { timeout: 50, query: { token: 'x' } }), (e) => e instanceof hs.TimeoutError && e.url.includes('/delay/3000'));
});

test('no error shows a URL password, whoever built it', async () => {
  const url = 'http://alice:TOPSECRET@127.0.0.1:1/x';
  const calls = [
    ['unparsable URL', () => s.get('http://alice:TOPSECRET@exa mple.com/')],
    ['bad header', () => s.get(url, { headers: { X: 'a\r\nb' } })],
    ['bad cookie', () => s.get(url, { cookies: { 'a;b': '1' } })],
    ['bad method', () => s.request({ method: 'GE T', url })],
    ['connect', () => s.get(url)],
    ['aborted', () => s.get(url, { signal: AbortSignal.abort() })],
    ['cookie API', async () => s.cookies.set('http://alice:TOPSECRET@exa mple.com/', 'a=1')],
  ];
  for (const [what, call] of calls) {
    await assert.rejects(call(), (e) => {
      const shown = `${e.message} ${e.url} ${String(e.stack)}`;
      assert.ok(!shown.includes('TOPSECRET'), `${what}: ${shown}`);
      return true;
    }, what);
  }
});

test('a proxy that cannot be reached is a ProxyError', async () => {
  const net = require('node:net');
  const dead = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
  const t = new Session({ baseURL: server.url, trustEnv: false, proxy: { all: `http://127.0.0.1:${dead}` } });
  try {
    await assert.rejects(t.get('/echo'), (e) => {
      assert.ok(e instanceof hs.ProxyError && e instanceof hs.ConnectionError, e.name);
      assert.equal(e.code, 'PROXY');
      assert.equal(e.result, 29);
      return true;
    });
  } finally {
    t.close();
  }
});

test('codes and classes match the C result numbers', () => {
  assert.equal(hs.RESULT.CANCELLED, 19);
  assert.equal(hs.codeName(16), 'TLS');
  assert.equal(hs.codeName(999), 'UNKNOWN_999');
  assert.equal(hs.CODES.length, 30);
  assert.equal(hs.RESULT.PROXY, 29);
  const e = new hs.TimeoutError('x', { code: 'TIMEOUT' });
  assert.ok(e instanceof hs.HSessionError && e instanceof Error);
  assert.equal(e.name, 'TimeoutError');
  assert.equal(e.result, 13);
});

test('a missing library fails require() with a clear message', async () => {
  const out = await new Promise((resolve) =>
    execFile(
      process.execPath,
      ['-e', `try { require(${JSON.stringify(require.resolve('..'))}) } catch (e) { console.log(e.code, e.message) }`],
      { env: { ...process.env, HSESSION_LIB: '/nonexistent/libhsession.so' } },
      (err, stdout) => resolve(stdout)
    )
  );
  assert.match(out, /^HSESSION_LIB_NOT_FOUND hsession: cannot load libhsession: HSESSION_LIB is set.*\/nonexistent\/libhsession\.so/);
  assert.match(out, /HSESSION_LIB/);
});
