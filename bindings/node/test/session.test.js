'use strict';
// Requests, bodies and responses against the real test server.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Session, Response, version } = require('..');
const { useServer, tempDir } = require('./helpers');

let server;
let s;
useServer(
  (srv, session) => {
    server = srv;
    s = session;
  },
  { session: true },
);

const header = (echo, name) => echo.headers.filter(([k]) => k === name).map(([, v]) => v);

test('version of the loaded library', () => {
  assert.match(version(), /^\d+\.\d+\.\d+$/);
});

test('GET: status, headers as web Headers, url, text/json/arrayBuffer/bytes', async () => {
  const r = await s.get(`${server.url}/json`);
  assert.ok(r instanceof Response);
  assert.equal(r.status, 200);
  assert.equal(r.ok, true);
  assert.equal(r.statusText, 'OK');
  assert.ok(r.headers instanceof Headers);
  assert.equal(r.headers.get('Content-Type'), 'application/json');
  assert.equal(r.url, `${server.url}/json`);
  assert.deepEqual(r.history, []);
  assert.equal(r.httpVersion, 'HTTP/1.1');
  const text = await r.text();
  assert.deepEqual(await r.json(), JSON.parse(text));
  const ab = await r.arrayBuffer();
  assert.ok(ab instanceof ArrayBuffer);
  assert.equal(Buffer.from(ab).toString(), text);
  assert.equal((await r.bytes()).length, ab.byteLength);
});

test('every helper sends its method; HEAD has no body', async () => {
  for (const m of ['get', 'post', 'put', 'patch', 'delete', 'options']) {
    const echo = await (await s[m]('/echo')).json();
    assert.equal(echo.method, m.toUpperCase());
  }
  const h = await s.head('/echo');
  assert.equal(h.status, 200);
  assert.equal((await h.arrayBuffer()).byteLength, 0);
  const custom = await (await s.request({ method: 'purge', url: '/echo' })).json();
  assert.equal(custom.method, 'PURGE');
  const byUrl = await (await s.request('/echo', { method: 'PUT' })).json();
  assert.equal(byUrl.method, 'PUT');
});

test('an HTTP error status is a response, not an error', async () => {
  const r = await s.get('/status/404?reason=Nope');
  assert.equal(r.status, 404);
  assert.equal(r.ok, false);
  assert.equal(r.statusText, 'Nope');
  const r2 = await s.get('/status/503');
  assert.equal(r2.status, 503);
});

test('session headers, request headers override, null removes, arrays repeat', async () => {
  const hs = new Session({ baseURL: server.url, headers: { 'User-Agent': 'MyApp/1.0', 'X-Team': 'a', Accept: 'application/json' } });
  try {
    let echo = await (await hs.get('/echo')).json();
    assert.deepEqual(header(echo, 'user-agent'), ['MyApp/1.0']);
    assert.deepEqual(header(echo, 'x-team'), ['a']);
    echo = await (await hs.get('/echo', { headers: { 'X-Team': 'b', Accept: null, 'X-Multi': ['1', '2'] } })).json();
    assert.deepEqual(header(echo, 'x-team'), ['b']);
    assert.ok(!header(echo, 'accept').includes('application/json'));
    assert.deepEqual(header(echo, 'x-multi'), ['1', '2']);
    echo = await (await hs.get('/echo', { headers: new Headers({ 'X-From-Headers': 'yes' }) })).json();
    assert.deepEqual(header(echo, 'x-from-headers'), ['yes']);
    hs.setHeader('X-Team', null).appendHeader('X-Added', 'one').appendHeader('X-Added', 'two');
    echo = await (await hs.get('/echo')).json();
    assert.deepEqual(header(echo, 'x-team'), []);
    assert.deepEqual(header(echo, 'x-added'), ['one', 'two']);
    hs.configure({ headers: { 'User-Agent': 'Other/2' } });
    echo = await (await hs.get('/echo')).json();
    assert.deepEqual(header(echo, 'user-agent'), ['Other/2']);
  } finally {
    hs.close();
  }
});

test('query: session defaults and request parameters, percent-encoded', async () => {
  const qs = new Session({ baseURL: server.url, query: { api_key: 'k 1', page: '1' } });
  try {
    const echo = await (await qs.get('/echo', { query: { page: 2, tags: ['a', 'b&c'] } })).json();
    assert.deepEqual(echo.query.api_key, ['k 1']);
    assert.deepEqual(echo.query.page, ['2']);
    assert.deepEqual(echo.query.tags, ['a', 'b&c']);
    const echo2 = await (await qs.get('/echo', { query: new URLSearchParams([['x', '1']]) })).json();
    assert.deepEqual(echo2.query.x, ['1']);
  } finally {
    qs.close();
  }
});

test('bodies: string, bytes, json, form, URLSearchParams', async () => {
  let echo = await (await s.post('/echo', { body: 'héllo' })).json();
  assert.equal(echo.body, 'héllo');
  assert.deepEqual(header(echo, 'content-type'), ['text/plain;charset=UTF-8']);

  const bytes = Buffer.from([0, 1, 2, 255, 254]);
  echo = await (await s.put('/echo', { body: bytes, headers: { 'Content-Type': 'application/octet-stream' } })).json();
  assert.equal(Buffer.from(echo.body_base64, 'base64').compare(bytes), 0);
  echo = await (await s.post('/echo', { body: new Uint16Array([1, 2]).buffer })).json();
  assert.equal(echo.body_len, 4);

  echo = await (await s.post('/echo', { json: { key: 'value', n: [1, 2] } })).json();
  assert.deepEqual(echo.json, { key: 'value', n: [1, 2] });
  assert.deepEqual(header(echo, 'content-type'), ['application/json']);
  echo = await (await s.post('/echo', { json: { a: 1 }, headers: { 'content-type': 'application/json; charset=utf-8' } })).json();
  assert.deepEqual(header(echo, 'content-type'), ['application/json; charset=utf-8']);

  echo = await (await s.post('/echo', { form: { key: 'value', sp: 'a b&c' } })).json();
  assert.deepEqual(echo.form, { key: 'value', sp: 'a b&c' });
  echo = await (await s.patch('/echo', { body: new URLSearchParams({ x: 'y' }) })).json();
  assert.deepEqual(echo.form, { x: 'y' });
});

test('multipart fields and a file from disk; a body streamed from a file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'report.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n');
    let echo = await (
      await s.post('/echo', { multipart: { title: 'Q3', report: { path: file, contentType: 'text/csv' }, other: { path: file, filename: 'x.txt' } } })
    ).json();
    assert.equal(echo.multipart.fields.title, 'Q3');
    assert.equal(echo.multipart.files.report.filename, 'report.csv');
    assert.equal(echo.multipart.files.report.content_type, 'text/csv');
    assert.equal(Buffer.from(echo.multipart.files.report.body_base64, 'base64').toString(), 'a,b\n1,2\n');
    assert.equal(echo.multipart.files.other.filename, 'x.txt');
    // Every part's size is known: a Content-Length, not chunked.
    assert.equal(header(echo, 'content-length').length, 1);
    assert.deepEqual(header(echo, 'transfer-encoding'), []);

    echo = await (await s.post('/echo', { bodyFile: file })).json();
    assert.equal(echo.body, 'a,b\n1,2\n');
    assert.deepEqual(header(echo, 'content-length'), ['8']);
  } finally {
    cleanup();
  }
});

test('compressed responses are decoded', async () => {
  for (const p of ['/gzip', '/deflate', '/brotli', '/zstd']) {
    const r = await s.get(p);
    assert.equal(r.status, 200, p);
    assert.ok(typeof (await r.json()) === 'object', p);
  }
});

test('keep-alive: many sequential requests use one connection', async () => {
  const ks = new Session({ baseURL: server.url });
  try {
    const ids = new Set();
    for (let i = 0; i < 20; i++) ids.add((await (await ks.get('/echo')).json()).connection_id);
    assert.equal(ids.size, 1);
    assert.deepEqual(ks.stats, { requestsSent: 20, connectionsOpened: 1 });
  } finally {
    ks.close();
  }
});

test('pool options: no idle connections kept means a connection per request', async () => {
  const ps = new Session({ baseURL: server.url, pool: { maxIdlePerHost: 0, idleTimeout: 1000 } });
  try {
    for (let i = 0; i < 3; i++) await (await ps.get('/echo')).arrayBuffer();
    assert.equal(ps.stats.connectionsOpened, 3);
  } finally {
    ps.close();
  }
});

test('pool.http2KeepAlive: set, and a zero timeout refused', async () => {
  const ka = new Session({ baseURL: server.url, pool: { http2KeepAlive: { interval: 1000, timeout: 2000 } } });
  try {
    assert.equal((await ka.get('/echo')).status, 200);
  } finally {
    ka.close();
  }
  assert.throws(() => new Session({ pool: { http2KeepAlive: { interval: 1000, timeout: 0 } } }), (e) => e.code === 'INVALID_ARGUMENT');
});

test('baseURL resolves relative URLs; an absolute URL or URL object wins', async () => {
  const r = await s.get(new URL('/echo?q=1', server.url));
  assert.equal((await r.json()).raw_query, 'q=1');
});
