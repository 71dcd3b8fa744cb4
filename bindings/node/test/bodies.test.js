'use strict';
// Request bodies beyond strings and bytes: Blob, File, FormData (files in
// memory), ReadableStream, Node Readable and async iterables, through
// session.request and session.fetch, against the test server (which echoes
// the bytes and headers it received). Streamed bodies are checked to be
// read as they are sent, not buffered whole.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
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
  { session: true }
);

const header = (echo, name) => echo.headers.filter(([k]) => k === name).map(([, v]) => v);
const bodyOf = (echo) => Buffer.from(echo.body_base64, 'base64');
const echoOf = async (p) => (await p).json();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Deterministic bytes: chunk i of `size` bytes. */
function chunk(i, size) {
  const b = Buffer.alloc(size);
  for (let k = 0; k < size; k += 4) b.writeUInt32LE((i * 2654435761 + k) >>> 0, k);
  return b;
}

/** Which transfer the server saw: ['content-length', n] or ['chunked']. */
function framing(echo) {
  const te = header(echo, 'transfer-encoding');
  const cl = header(echo, 'content-length');
  return te.length ? [...te] : ['content-length', ...cl];
}

test('Blob and File: their bytes, their type as Content-Type, a Content-Length', async () => {
  const bytes = chunk(1, 3000);
  let e = await echoOf(s.post('/echo', { body: new Blob([bytes.subarray(0, 1000), bytes.subarray(1000)], { type: 'application/x-test' }) }));
  assert.deepEqual(bodyOf(e), bytes);
  assert.deepEqual(header(e, 'content-type'), ['application/x-test']);
  assert.deepEqual(framing(e), ['content-length', '3000']);

  // A Content-Type given with the request wins; a Blob without a type sends none.
  e = await echoOf(s.put('/echo', { body: new Blob(['hello']), headers: { 'content-type': 'text/x-mine' } }));
  assert.equal(e.body, 'hello');
  assert.deepEqual(header(e, 'content-type'), ['text/x-mine']);
  e = await echoOf(s.post('/echo', { body: new Blob(['x']) }));
  assert.deepEqual(header(e, 'content-type'), []);

  e = await echoOf(s.post('/echo', { body: new File(['{"a":1}'], 'a.json', { type: 'application/json' }) }));
  assert.deepEqual(e.json, { a: 1 });
  assert.deepEqual(header(e, 'content-type'), ['application/json']);
});

test('FormData: text fields and in-memory files as multipart/form-data', async () => {
  const png = chunk(2, 5000);
  const fd = new FormData();
  fd.append('title', 'héllo wörld');
  fd.append('photo', new File([png], 'photo.png', { type: 'image/png' }));
  fd.append('notes', new Blob(['plain notes'], { type: 'text/plain' }), 'notes.txt');
  fd.append('raw', new Blob([Buffer.from([0, 1, 2, 255])]));
  const e = await echoOf(s.post('/echo', { body: fd }));
  const ct = header(e, 'content-type');
  assert.equal(ct.length, 1);
  const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(ct[0]);
  assert.ok(boundary, ct[0]);
  assert.ok(bodyOf(e).includes(`--${boundary[1]}--`), 'the body ends with the boundary of the header');
  assert.deepEqual(e.multipart.fields, { title: 'héllo wörld' });
  const f = e.multipart.files;
  assert.deepEqual({ ...f.photo, body_base64: undefined }, { filename: 'photo.png', content_type: 'image/png', size: 5000, body_base64: undefined });
  assert.deepEqual(Buffer.from(f.photo.body_base64, 'base64'), png);
  assert.equal(f.notes.filename, 'notes.txt');
  assert.equal(f.notes.content_type, 'text/plain');
  assert.equal(Buffer.from(f.notes.body_base64, 'base64').toString(), 'plain notes');
  // A Blob without a name or type is a File named "blob" of type application/octet-stream (as in fetch).
  assert.equal(f.raw.filename, 'blob');
  assert.equal(f.raw.content_type, 'application/octet-stream');
  assert.deepEqual([...Buffer.from(f.raw.body_base64, 'base64')], [0, 1, 2, 255]);
  assert.deepEqual(framing(e)[0], 'content-length');

  // The multipart option takes in-memory files too, beside text fields.
  const m = await echoOf(
    s.post('/echo', { multipart: { field: 'v', blob: new Blob(['b'], { type: 'text/x-b' }), mem: { data: Buffer.from('memory'), filename: 'm.bin', contentType: 'application/x-m' } } })
  );
  assert.deepEqual(m.multipart.fields, { field: 'v' });
  assert.equal(m.multipart.files.blob.content_type, 'text/x-b');
  assert.deepEqual({ ...m.multipart.files.mem, body_base64: undefined }, { filename: 'm.bin', content_type: 'application/x-m', size: 6, body_base64: undefined });
  await assert.rejects(s.post('/echo', { multipart: { bad: { data: 42 } } }), hs.InvalidArgumentError);
  await assert.rejects(s.post('/echo', { body: new FormData(), json: {} }), hs.InvalidArgumentError);
});

test('streams: ReadableStream, Node Readable, async generators of Buffer, Uint8Array and string, sent chunked', async () => {
  const parts = [chunk(3, 70000), new Uint8Array(chunk(4, 1000)), 'tail ✓'];
  const want = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const sources = {
    ReadableStream: () =>
      new ReadableStream({
        start(c) {
          for (const p of parts) c.enqueue(typeof p === 'string' ? new TextEncoder().encode(p) : p);
          c.close();
        },
      }),
    Readable: () => Readable.from(parts.map((p) => Buffer.from(p))),
    'async generator': () =>
      (async function* () {
        for (const p of parts) {
          await sleep(1);
          yield p;
        }
      })(),
  };
  for (const [kind, make] of Object.entries(sources)) {
    const e = await echoOf(s.post('/echo', { body: make() }));
    assert.deepEqual(bodyOf(e), want, kind);
    assert.deepEqual(framing(e), ['chunked'], kind);
    assert.deepEqual(header(e, 'content-type'), [], kind);
  }
  // With a Content-Length from the caller it is sent with that length.
  const e = await echoOf(s.post('/echo', { body: Readable.from([Buffer.from('abc'), Buffer.from('def')]), headers: { 'Content-Length': '6', 'content-type': 'text/plain' } }));
  assert.equal(e.body, 'abcdef');
  assert.deepEqual(framing(e), ['content-length', '6']);
  assert.deepEqual(header(e, 'content-type'), ['text/plain']);
  // An empty stream is an empty body.
  const empty = await echoOf(s.post('/echo', { body: Readable.from([]) }));
  assert.equal(empty.body_len, 0);
});

test('a 4 MiB streamed body arrives whole, and many uploads run at once', async () => {
  const N = 64;
  const hash = crypto.createHash('sha256');
  const gen = async function* () {
    for (let i = 0; i < N; i++) {
      const c = chunk(i, 64 * 1024);
      hash.update(c);
      yield c;
    }
  };
  const e = await echoOf(s.post('/echo', { body: gen() }));
  assert.equal(e.body_len, N * 64 * 1024);
  assert.equal(crypto.createHash('sha256').update(bodyOf(e)).digest('hex'), hash.digest('hex'));

  const many = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      echoOf(
        s.post('/echo', {
          body: (async function* () {
            yield `upload ${i}:`;
            await sleep(5);
            yield 'x'.repeat(i);
          })(),
        })
      )
    )
  );
  many.forEach((m, i) => assert.equal(m.body, `upload ${i}:${'x'.repeat(i)}`));
});

test('a large streamed body is read while it is sent: the source stalls while the server does not read', async () => {
  // A server of our own, so that it can stop reading: while it does, the
  // library stops reading the generator (TCP back-pressure through the
  // upload's slot), so the 32 MiB never sit in memory at once.
  const CHUNK = 512 * 1024;
  const N = 64;
  let received = 0;
  let paused = null;
  const sink = http.createServer((req, res) => {
    req.on('data', (d) => {
      received += d.length;
      if (paused === null) {
        req.pause();
        paused = req;
      }
    });
    req.on('end', () => res.end(String(received)));
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  let pulled = 0;
  const gen = (async function* () {
    for (let i = 0; i < N; i++) {
      pulled++;
      yield chunk(i, CHUNK);
    }
  })();
  try {
    const sending = s.post(`http://127.0.0.1:${sink.address().port}/upload`, { body: gen, timeout: 20000 });
    for (let i = 0; i < 100 && paused === null; i++) await sleep(20);
    assert.ok(paused !== null, 'the upload started');
    await sleep(500);
    const stalledAt = pulled;
    await sleep(300);
    assert.equal(pulled, stalledAt, 'the source is not read while the server does not read');
    assert.ok(stalledAt < N / 2, `only what the sockets hold is read ahead: ${stalledAt} of ${N} chunks`);
    paused.resume();
    const r = await sending;
    assert.equal(await r.text(), String(N * CHUNK));
    assert.equal(pulled, N);
  } finally {
    sink.closeAllConnections();
    await new Promise((r) => sink.close(r));
  }
});

test('a streamed body is never sent twice: a 307 is returned, a 503 not retried, a digest 401 not answered', async () => {
  const body = () => Readable.from([Buffer.from('once')]);
  const r = await s.post('/redirect-to?url=/echo&status=307', { body: body() });
  assert.equal(r.status, 307);
  assert.equal(r.headers.get('location'), '/echo');
  // The same request with a body from memory follows the redirect.
  assert.equal((await echoOf(s.post('/redirect-to?url=/echo&status=307', { body: 'again' }))).body, 'again');

  const key = `node-stream-${process.pid}`;
  const retry = { total: 3, statusForcelist: [503], allowedMethods: ['POST'], backoffFactor: 0 };
  const flaky = await s.post(`/flaky/${key}/1`, { body: body(), retry });
  assert.equal(flaky.status, 503);
  assert.equal((await (await s.get(`/attempts/${key}`)).json()).attempts, 1);
  assert.equal((await s.post(`/flaky/${key}-mem/1`, { body: 'bytes', retry })).status, 200, 'a body in memory is retried');
  // Nor is a digest challenge answered by sending it again.
  const digest = { username: 'user', password: 'pass', type: 'digest' };
  assert.equal((await s.post('/digest-auth/auth/user/pass', { body: body(), auth: digest })).status, 401);
  assert.equal((await s.post('/digest-auth/auth/user/pass', { body: 'in memory', auth: digest })).status, 200);

  // fetch: following a 307 with a stream body is a network error, as in fetch.
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('x'));
      c.close();
    },
  });
  await assert.rejects(s.fetch(`${server.url}/redirect-to?url=/echo&status=307`, { method: 'POST', body: stream, duplex: 'half' }), (e) => e instanceof TypeError && /cannot be sent again/.test(e.cause.message));
});

test('a failing source, a bad chunk, an abort and a timeout end the request; later uploads still run', async () => {
  const failing = (async function* () {
    yield 'start';
    throw new Error('source broke');
  })();
  await assert.rejects(s.post('/echo', { body: failing }), (e) => e instanceof hs.HSessionError && e.code === 'IO' && e.cause?.message === 'source broke');
  await assert.rejects(
    s.post('/echo', { body: (async function* () { yield 42; })() }), // eslint-disable-line
    (e) => e.code === 'IO' && e.cause instanceof TypeError
  );

  // A source that never ends: the abort (or the timeout) ends the request
  // and unblocks the read waiting for it.
  let closed = 0;
  const endless = () =>
    new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('first'));
      },
      cancel() {
        closed++;
      },
    });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(s.post('/echo', { body: endless(), signal: ac.signal }), (e) => e.name === 'AbortError');
  await assert.rejects(s.post('/echo', { body: endless(), timeout: 200 }), (e) => e instanceof hs.TimeoutError);
  await sleep(10);
  assert.equal(closed, 2, 'the source is cancelled when its request ends');

  const e = await echoOf(s.post('/echo', { body: Readable.from(['still', ' works']) }));
  assert.equal(e.body, 'still works');
  // A closed session refuses before reading anything.
  const t = new Session();
  t.close();
  await assert.rejects(t.post(`${server.url}/echo`, { body: Readable.from(['x']) }), hs.SessionClosedError);
});

test('fetch: ReadableStream and Readable bodies stream; FormData and Blob bodies keep fetch semantics', async () => {
  const rs = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('from '));
      c.enqueue(new TextEncoder().encode('a stream'));
      c.close();
    },
  });
  let e = await (await s.fetch(`${server.url}/echo`, { method: 'POST', body: rs, duplex: 'half' })).json();
  assert.equal(e.body, 'from a stream');
  assert.deepEqual(framing(e), ['chunked']);
  e = await (await s.fetch(`${server.url}/echo`, { method: 'POST', body: Readable.from(['node ', 'readable']), duplex: 'half' })).json();
  assert.equal(e.body, 'node readable');

  const fd = new FormData();
  fd.append('a', '1');
  fd.append('f', new File(['data'], 'f.txt', { type: 'text/plain' }));
  e = await (await s.fetch(`${server.url}/echo`, { method: 'POST', body: fd })).json();
  assert.deepEqual(e.multipart.fields, { a: '1' });
  assert.equal(e.multipart.files.f.filename, 'f.txt');
  e = await (await s.fetch(`${server.url}/echo`, { method: 'POST', body: new Blob(['blob'], { type: 'text/x-blob' }) })).json();
  assert.equal(e.body, 'blob');
  assert.deepEqual(header(e, 'content-type'), ['text/x-blob']);
});

test('a worker terminated with streamed uploads in flight harms nothing', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Session } = require(workerData.pkg);
    const s = new Session({ baseURL: workerData.url });
    for (let i = 0; i < 5; i++) {
      const body = new ReadableStream({ pull: (c) => new Promise((r) => setTimeout(() => (c.enqueue(new Uint8Array(1000)), r()), 5)) });
      s.post('/echo', { body }).catch(() => {});
    }
    setTimeout(() => parentPort.postMessage('sending'), 100);`;
  for (let i = 0; i < 2; i++) {
    const w = new Worker(code, { eval: true, workerData: { pkg: require.resolve('..'), url: server.url } });
    await new Promise((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
  }
  // Their pipes closed without the end frame, so the library fails those
  // uploads (tests/c/test_stream.c checks that); this thread goes on.
  await sleep(300);
  const e = await echoOf(s.post('/echo', { body: Readable.from(['after']) }));
  assert.equal(e.body, 'after');
});
