'use strict';
// Streamed downloads: web ReadableStream and Node Readable, memory stays
// flat, abort and failures mid-body.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { createHash } = require('node:crypto');
const { pipeline } = require('node:stream/promises');
const { Writable } = require('node:stream');
const hs = require('..');
const { Session, diagnostics } = hs;
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

// /bytes/N streams bytes i % 251.
function expectedHash(n) {
  const h = createHash('sha256');
  const block = Buffer.alloc(251 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = i % 251;
  for (let left = n; left > 0; left -= block.length) h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest('hex');
}

test('256 MiB through a web ReadableStream: correct bytes, headers first, flat memory', async () => {
  const n = 256 << 20;
  const r = await s.get(`/bytes/${n}`, { stream: true });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), String(n));
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const h = createHash('sha256');
  let got = 0;
  for await (const chunk of r.body) {
    assert.ok(chunk instanceof Uint8Array);
    h.update(chunk);
    got += chunk.length;
    if ((got & 0xffffff) < chunk.length) peak = Math.max(peak, process.memoryUsage().rss);
  }
  assert.equal(got, n);
  assert.equal(h.digest('hex'), expectedHash(n));
  const grew = (peak - rss0) / 2 ** 20;
  console.log(`# 256 MiB streamed; RSS grew by ${grew.toFixed(1)} MiB at most`);
  assert.ok(grew < 128, `RSS grew ${grew} MiB`);
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
});

test('a Node Readable in a pipeline; text(), json(), arrayBuffer() of streamed bodies', async () => {
  const r = await s.get('/bytes/3000000', { stream: true });
  const h = createHash('sha256');
  await pipeline(r.stream(), h);
  assert.equal(h.digest('hex'), expectedHash(3000000));
  const j = await s.get('/json', { stream: true });
  assert.equal((await j.json()).slideshow.author, 'hsession');
  const b = await s.get('/bytes/70000', { stream: true });
  assert.equal((await b.arrayBuffer()).byteLength, 70000);
  const buffered = await s.get('/bytes/10');
  // A buffered body can be read as a stream too, and again.
  let n = 0;
  for await (const c of buffered.body) n += c.length;
  assert.equal(n, 10);
  assert.equal((await buffered.bytes()).length, 10);
});

test('abort in the middle of a streamed body ends it with CancelledError', async () => {
  const ac = new AbortController();
  const r = await s.get('/drip?bytes=100&delay_ms=50', { stream: true, signal: ac.signal });
  const reader = r.body.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(
    (async () => {
      for (;;) if ((await reader.read()).done) break;
    })(),
    (e) => e instanceof hs.CancelledError
  );
  assert.equal(diagnostics().pendingReads, 0);
});

test('cancelling the stream or destroying the Readable stops the download', async () => {
  const r = await s.get(`/bytes/${1 << 30}`, { stream: true });
  const reader = r.body.getReader();
  await reader.read();
  await reader.cancel();
  const r2 = await s.get(`/bytes/${1 << 30}`, { stream: true });
  const readable = r2.stream();
  await new Promise((res, rej) => {
    readable.once('data', () => {
      readable.destroy();
      res();
    });
    readable.once('error', rej);
  });
  const r3 = await s.get(`/bytes/${1 << 30}`, { stream: true });
  r3.close();
  // Nothing was read to the end, and the session goes on.
  assert.equal((await s.get('/echo')).status, 200);
});

test('a connection closed mid-body fails the stream with ConnectionError', async () => {
  const r = await s.get('/close-mid-body', { stream: true });
  await assert.rejects(r.arrayBuffer(), (e) => e instanceof hs.ConnectionError || e instanceof hs.HSessionError);
  // Without streaming the request itself fails.
  await assert.rejects(s.get('/close-mid-body'), (e) => e.code === 'CONNECTION_CLOSED' || e.code === 'PROTOCOL');
});

test('a read timeout between chunks ends a streamed body with TimeoutError', async () => {
  const r = await s.get('/drip?bytes=3&delay_ms=600', { stream: true, timeout: { read: 200, total: 0 } });
  await assert.rejects(
    pipeline(r.stream(), new Writable({ write: (c, e, cb) => cb() })),
    (e) => e instanceof hs.TimeoutError && e.code === 'READ_TIMEOUT'
  );
});
