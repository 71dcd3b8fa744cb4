'use strict';
// session.fetch: the WHATWG fetch signature and a web Response, over the
// session (its cookies and pool), against the test server.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const hs = require('..');
const { useServer } = require('./helpers');

let server;
let s;
useServer(
  (srv, session) => {
    server = srv;
    s = session;
  },
  { session: true }
);

const header = (echo, name) => echo.headers.filter(([k]) => k === name).map(([, v]) => v);

test('the same bound function every time; a web Response', async () => {
  const { fetch } = s;
  assert.equal(fetch, s.fetch);
  const r = await fetch(`${server.url}/json`);
  assert.ok(r instanceof Response);
  assert.equal(r.status, 200);
  assert.equal(r.ok, true);
  assert.equal(r.url, `${server.url}/json`);
  assert.equal(r.redirected, false);
  assert.match(r.headers.get('content-type'), /application\/json/);
  assert.equal(typeof (await r.json()), 'object');
  // A relative URL resolves against the session's baseURL.
  assert.equal((await s.fetch('/echo')).status, 200);
});

test('headers as Headers, pairs or a record; the session defaults still apply', async () => {
  const t = new hs.Session({ baseURL: server.url, headers: { 'X-Default': 'd' } });
  try {
    for (const headers of [new Headers({ 'X-A': '1' }), [['X-A', '1']], { 'X-A': '1' }]) {
      const echo = await (await t.fetch('/echo', { headers })).json();
      assert.deepEqual(header(echo, 'x-a'), ['1']);
      assert.deepEqual(header(echo, 'x-default'), ['d']);
    }
  } finally {
    t.close();
  }
});

test('every body kind fetch takes', async () => {
  const blob = new Blob(['blob body'], { type: 'text/x-blob' });
  const form = new FormData();
  form.append('field', 'value');
  form.append('file', new Blob(['file body'], { type: 'text/plain' }), 'a.txt');
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('stream '));
      c.enqueue(new TextEncoder().encode('body'));
      c.close();
    },
  });
  const cases = [
    [{ body: 'text body' }, 'text body', /^text\/plain;charset=UTF-8$/],
    [{ body: new URLSearchParams({ a: '1', b: 'x y' }) }, 'a=1&b=x+y', /^application\/x-www-form-urlencoded;charset=UTF-8$/],
    [{ body: blob }, 'blob body', /^text\/x-blob$/],
    [{ body: new TextEncoder().encode('bytes body') }, 'bytes body', null],
    [{ body: new TextEncoder().encode('buffer body').buffer }, 'buffer body', null],
    [{ body: new DataView(new TextEncoder().encode('view body').buffer) }, 'view body', null],
    [{ body: stream, duplex: 'half' }, 'stream body', null],
    [{ body: JSON.stringify({ k: 1 }), headers: { 'content-type': 'application/json' } }, '{"k":1}', /^application\/json$/],
  ];
  for (const [init, want, type] of cases) {
    const echo = await (await s.fetch('/echo', { method: 'POST', ...init })).json();
    assert.equal(echo.body, want, JSON.stringify(init));
    if (type) assert.match(header(echo, 'content-type')[0], type);
    else assert.deepEqual(header(echo, 'content-type'), []);
  }
  const echo = await (await s.fetch('/echo', { method: 'POST', body: form })).json();
  assert.match(header(echo, 'content-type')[0], /^multipart\/form-data; boundary=/);
  assert.ok(echo.body.includes('name="field"') && echo.body.includes('file body'));
  // GET with a body is refused as fetch refuses it.
  await assert.rejects(s.fetch('/echo', { body: 'x' }), TypeError);
});

test('a Request as input, with its method, headers and body', async () => {
  const req = new Request(`${server.url}/echo?q=1`, { method: 'PUT', headers: { 'X-R': 'r' }, body: 'req body' });
  const echo = await (await s.fetch(req)).json();
  assert.equal(echo.method, 'PUT');
  assert.equal(echo.raw_query, 'q=1');
  assert.equal(echo.body, 'req body');
  assert.deepEqual(header(echo, 'x-r'), ['r']);
  // init overrides the Request's fields.
  const echo2 = await (await s.fetch(new Request(`${server.url}/echo`), { method: 'DELETE' })).json();
  assert.equal(echo2.method, 'DELETE');
});

test("redirect modes: 'follow', 'manual', 'error'", async () => {
  const followed = await s.fetch('/redirect/2');
  assert.equal(followed.status, 200);
  assert.equal(followed.redirected, true);
  assert.equal(followed.url, `${server.url}/echo`);
  const manual = await s.fetch('/redirect/2', { redirect: 'manual' });
  assert.equal(manual.status, 302);
  assert.equal(manual.headers.get('location'), '/redirect/1');
  assert.equal(manual.redirected, false);
  await assert.rejects(s.fetch('/redirect/1', { redirect: 'error' }), (e) => e instanceof TypeError && /redirect/.test(e.cause.message));
  assert.equal((await s.fetch('/echo', { redirect: 'error' })).status, 200);
});

test('cookies set by a response are sent by the next fetch (the session jar)', async () => {
  const t = new hs.Session({ baseURL: server.url });
  try {
    const set = await t.fetch('/cookies/set?flavour=oat');
    assert.deepEqual(set.headers.getSetCookie(), ['flavour=oat; Path=/']);
    await set.arrayBuffer();
    assert.equal(t.cookies.get('flavour'), 'oat');
    const echo = await (await t.fetch('/echo')).json();
    assert.deepEqual(echo.cookies, { flavour: 'oat' });
  } finally {
    t.close();
  }
});

test('HEAD, 204 and 304 have a null body; statuses are responses, not errors', async () => {
  assert.equal((await s.fetch('/echo', { method: 'HEAD' })).body, null);
  const r204 = await s.fetch('/status/204');
  assert.equal(r204.status, 204);
  assert.equal(r204.body, null);
  const r404 = await s.fetch('/status/404');
  assert.equal(r404.status, 404);
  assert.equal(r404.ok, false);
  await r404.text();
});

test('the body streams: chunks arrive before the response has finished', async () => {
  const r = await s.fetch('/drip?bytes=5&delay_ms=100');
  const reader = r.body.getReader();
  const t0 = performance.now();
  const first = await reader.read();
  const firstAt = performance.now() - t0;
  let n = first.value.length;
  for (;;) {
    const c = await reader.read();
    if (c.done) break;
    n += c.value.length;
  }
  assert.equal(n, 5);
  assert.ok(firstAt < 300, `first chunk after ${firstAt} ms`);
  // A large body read through the stream, and one cancelled part way.
  const big = await s.fetch(`/bytes/${4 << 20}`);
  assert.equal((await big.arrayBuffer()).byteLength, 4 << 20);
  const cancelled = await s.fetch(`/bytes/${1 << 30}`);
  const rd = cancelled.body.getReader();
  await rd.read();
  await rd.cancel();
  assert.equal(hs.diagnostics().pendingReads, 0);
});

test('abort: AbortError (the signal of init or of a Request), TimeoutError for AbortSignal.timeout', async () => {
  const ac = new AbortController();
  const p = s.fetch('/delay/5000', { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, (e) => e.name === 'AbortError' && e.code === 'CANCELLED');
  const ac2 = new AbortController();
  const p2 = s.fetch(new Request(`${server.url}/delay/5000`, { signal: ac2.signal }));
  setTimeout(() => ac2.abort(), 20);
  await assert.rejects(p2, (e) => e.name === 'AbortError');
  await assert.rejects(s.fetch('/delay/5000', { signal: AbortSignal.timeout(50) }), (e) => e.name === 'TimeoutError');
  // An abort while the body is read ends the stream with the AbortError.
  const ac3 = new AbortController();
  const r = await s.fetch('/drip?bytes=100&delay_ms=50', { signal: ac3.signal });
  setTimeout(() => ac3.abort(), 20);
  await assert.rejects(r.text(), (e) => e.name === 'AbortError');
});

test('network failures reject with TypeError, the library error as cause', async () => {
  await assert.rejects(s.fetch('http://127.0.0.1:1/'), (e) => e instanceof TypeError && e.cause instanceof hs.ConnectionError);
  const bare = new hs.Session();
  try {
    await assert.rejects(bare.fetch('/relative/without/base'), TypeError);
  } finally {
    bare.close();
  }
});
