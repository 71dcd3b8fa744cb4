'use strict';
// Concurrency, cancellation and lifetimes: many requests in flight without
// blocking the event loop, AbortSignal, closing and garbage-collecting
// sessions with requests in flight. Run with --expose-gc (make test-node does).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { performance } = require('node:perf_hooks');
const hs = require('..');
const { Session, CancelledError, diagnostics } = hs;
const { useServer } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

/** Measures the worst lateness of a 10 ms interval timer while `fn` runs. */
async function timerLag(fn) {
  let worst = 0;
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  try {
    const result = await fn();
    return { result, worst };
  } finally {
    clearInterval(t);
  }
}

test('1,000 requests in flight on one session; the event loop stays responsive', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const t0 = performance.now();
    const { result, worst } = await timerLag(async () => {
      const all = [];
      for (let i = 0; i < 1000; i++) all.push(s.get(`/delay/300?i=${i}`));
      assert.equal(s.inFlight, 1000);
      return Promise.all(all);
    });
    const wall = performance.now() - t0;
    assert.equal(result.length, 1000);
    for (const r of result) assert.equal(r.status, 200);
    const echoes = await Promise.all(result.slice(0, 5).map((r) => r.json()));
    assert.deepEqual(echoes.map((e) => e.query.i[0]), ['0', '1', '2', '3', '4']);
    console.log(`# 1,000 x /delay/300 in flight: all done in ${wall.toFixed(0)} ms, worst timer lag ${worst.toFixed(1)} ms`);
    // Sequentially they would take 300 s; concurrently a little over 0.3 s.
    assert.ok(wall < 10000, `took ${wall} ms`);
    // Generous: issuing 1,000 requests is itself ~0.1 s of synchronous work,
    // and the 2-core machine is shared; a blocking client would stall for
    // the whole 300 ms delay or more.
    assert.ok(worst < 1000, `timer lag ${worst} ms`);
    assert.equal(s.inFlight, 0);
    assert.equal(diagnostics().pendingRequests, 0);
  } finally {
    s.close();
  }
});

test('AbortSignal cancels a /delay/5000 request within 50 ms', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    await s.get('/echo'); // connection warm, so only the cancel is timed
    const ac = new AbortController();
    const p = s.get('/delay/5000', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    ac.abort();
    await assert.rejects(p, (e) => e instanceof CancelledError && e.code === 'CANCELLED' && e.cause === ac.signal.reason);
    const ms = performance.now() - t0;
    console.log(`# abort -> rejection: ${ms.toFixed(2)} ms`);
    assert.ok(ms < 50, `cancel took ${ms} ms`);
    // The session is still usable.
    assert.equal((await s.get('/echo')).status, 200);
  } finally {
    s.close();
  }
});

test('AbortSignal: already aborted, AbortSignal.timeout, and a signal that never fires', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const ac = new AbortController();
    ac.abort(new Error('mine'));
    // As with fetch, the caller's reason is the rejection itself.
    await assert.rejects(s.get('/echo', { signal: ac.signal }), (e) => e === ac.signal.reason && e.message === 'mine');
    const t0 = performance.now();
    await assert.rejects(s.get('/delay/5000', { signal: AbortSignal.timeout(100) }), (e) => e.code === 'CANCELLED' && e.cause.name === 'TimeoutError');
    assert.ok(performance.now() - t0 < 2000);
    const quiet = new AbortController();
    assert.equal((await s.get('/echo', { signal: quiet.signal })).status, 200);
    quiet.abort(); // after completion: nothing happens
  } finally {
    s.close();
  }
});

test('abort many in flight at once; each rejects once, nothing leaks', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const ac = new AbortController();
    const all = [];
    for (let i = 0; i < 200; i++) all.push(s.get('/delay/5000', { signal: ac.signal }).then(() => 'ok', (e) => e.code));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    ac.abort();
    const codes = await Promise.all(all);
    console.log(`# 200 aborted: all rejected ${(performance.now() - t0).toFixed(1)} ms after abort()`);
    assert.deepEqual(new Set(codes), new Set(['CANCELLED']));
    assert.equal(s.inFlight, 0);
  } finally {
    s.close();
  }
});

test('close() with requests in flight rejects them with CancelledError; no crash', async () => {
  const s = new Session({ baseURL: server.url });
  const all = [];
  for (let i = 0; i < 100; i++) all.push(s.get('/delay/3000').then(() => 'ok', (e) => e));
  await new Promise((r) => setTimeout(r, 50));
  const t0 = performance.now();
  s.close();
  s.close(); // idempotent
  const results = await Promise.all(all);
  assert.ok(performance.now() - t0 < 1000);
  for (const e of results) {
    assert.ok(e instanceof CancelledError, String(e));
    assert.match(e.message, /closed/);
  }
  assert.equal(s.closed, true);
  await assert.rejects(s.get('/echo'), (e) => e instanceof hs.SessionClosedError && e.code === 'SESSION_CLOSED');
  assert.throws(() => s.cookies.list(), hs.SessionClosedError);
});

test('Symbol.dispose and Symbol.asyncDispose close the session', async () => {
  const a = new Session({ baseURL: server.url });
  assert.equal((await a.get('/echo')).status, 200);
  a[Symbol.dispose]();
  assert.equal(a.closed, true);

  const b = new Session({ baseURL: server.url });
  const inflight = b.get('/delay/3000').then(() => 'ok', (e) => e.code);
  let settled = false;
  inflight.then(() => (settled = true));
  await b[Symbol.asyncDispose]();
  // asyncDispose waits for the in-flight request to settle.
  assert.equal(settled, true);
  assert.equal(await inflight, 'CANCELLED');
});

const gc = global.gc;

test('garbage collection with requests in flight: they complete, then the session is freed', { skip: !gc && 'needs node --expose-gc' }, async () => {
  const before = diagnostics().liveSessions;
  let all;
  (() => {
    // The session is unreachable from here on; only its requests hold it.
    const s = new Session({ baseURL: server.url });
    all = [];
    for (let i = 0; i < 50; i++) all.push(s.get('/delay/200'));
  })();
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const results = await Promise.all(all);
  for (const r of results) assert.equal(r.status, 200);
  all = null;
  // Now nothing refers to it: a GC frees the native session.
  let freed = false;
  for (let i = 0; i < 50 && !freed; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
    freed = diagnostics().liveSessions === before;
  }
  assert.ok(freed, `live sessions ${diagnostics().liveSessions}, before ${before}`);
});

test('garbage collection of unread streamed responses frees them', { skip: !gc && 'needs node --expose-gc' }, async () => {
  const s = new Session({ baseURL: server.url });
  try {
    for (let i = 0; i < 20; i++) await s.get('/bytes/10000000', { stream: true }); // dropped unread
    for (let i = 0; i < 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    // The session still works after the freed downloads.
    assert.equal((await s.get('/echo')).status, 200);
  } finally {
    s.close();
  }
});

test('stress: sessions closed and dropped while loaded with requests', async () => {
  const outcomes = { ok: 0, CANCELLED: 0 };
  const t0 = performance.now();
  for (let round = 0; round < 20; round++) {
    const sessions = Array.from({ length: 5 }, () => new Session({ baseURL: server.url }));
    const all = [];
    for (const s of sessions) for (let i = 0; i < 20; i++) all.push(s.get(`/delay/${i % 4 === 0 ? 0 : 50}`).then(() => 'ok', (e) => e.code));
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) all.push(sessions[0].get('/drip?bytes=1000&delay_ms=1', { stream: true, signal: ac.signal }).then((r) => r.text()).then(() => 'ok', (e) => e.code));
    await new Promise((r) => setTimeout(r, round % 5));
    ac.abort();
    sessions.forEach((s, i) => {
      if (i % 2 === 0) s.close();
      // odd ones are dropped for the GC
    });
    if (gc) gc();
    for (const code of await Promise.all(all)) {
      assert.ok(code in outcomes, `unexpected outcome ${code}`);
      outcomes[code]++;
    }
  }
  console.log(`# stress: ${outcomes.ok} completed, ${outcomes.CANCELLED} cancelled in ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(outcomes.ok + outcomes.CANCELLED, 20 * 120);
  assert.equal(diagnostics().pendingRequests, 0);
  assert.equal(diagnostics().pendingReads, 0);
});

test('worker threads: a worker terminated with requests in flight harms nothing', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Session } = require(workerData.pkg);
    const s = new Session({ baseURL: workerData.url });
    s.get('/json').then((r) => r.json()).then((j) => {
      for (let i = 0; i < 50; i++) s.get('/delay/300').catch(() => {});
      parentPort.postMessage(j.slideshow.author);
    });`;
  for (let i = 0; i < 2; i++) {
    const w = new Worker(code, { eval: true, workerData: { pkg: require.resolve('..'), url: server.url } });
    const msg = await new Promise((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    assert.equal(msg, 'hsession');
    await w.terminate();
  }
  // The orphaned requests finish meanwhile; this thread's sessions go on.
  await new Promise((r) => setTimeout(r, 500));
  const s = new Session({ baseURL: server.url });
  try {
    const all = await Promise.all(Array.from({ length: 20 }, () => s.get('/echo')));
    assert.ok(all.every((r) => r.status === 200));
  } finally {
    s.close();
  }
});
