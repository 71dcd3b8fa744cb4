'use strict';
// Cancellation shaped as fetch's: AbortError on abort(), TimeoutError for
// AbortSignal.timeout(), the signal's own reason when the caller gave one;
// hsession's CancelledError class and code 'CANCELLED' kept.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const hs = require('..');
const { useServer } = require('./helpers');

let s;
useServer((_srv, session) => (s = session), { session: true });

// The signal's reason is read when the rejection comes (it is set by abort()).
function isAbort(name, signal) {
  return (e) =>
    e instanceof hs.CancelledError && e.name === name && e.code === 'CANCELLED' && e.cause === signal.reason && typeof e.url === 'string';
}

test('abort() in flight rejects with an AbortError', async () => {
  const ac = new AbortController();
  const p = s.get('/delay/5000', { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, isAbort('AbortError', ac.signal));
});

test('an already aborted signal rejects with an AbortError, nothing sent', async () => {
  const sent = s.stats.requestsSent;
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(s.get('/echo', { signal: ac.signal }), isAbort('AbortError', ac.signal));
  assert.equal(s.stats.requestsSent, sent);
});

test('AbortSignal.timeout rejects with a TimeoutError', async () => {
  const signal = AbortSignal.timeout(50);
  await assert.rejects(s.get('/delay/5000', { signal }), isAbort('TimeoutError', signal));
});

test("the caller's own abort reason is the rejection, as with fetch", async () => {
  const ac = new AbortController();
  const reason = new Error('mine');
  const p = s.get('/delay/5000', { signal: ac.signal });
  setTimeout(() => ac.abort(reason), 20);
  await assert.rejects(p, (e) => e === reason);
  const ac2 = new AbortController();
  ac2.abort('just a string');
  await assert.rejects(s.get('/echo', { signal: ac2.signal }), (e) => e === 'just a string');
});

test('an abort while a streamed body is read ends the read with an AbortError', async () => {
  const ac = new AbortController();
  const r = await s.get('/drip?bytes=100&delay_ms=50', { stream: true, signal: ac.signal });
  const reader = r.body.getReader();
  await reader.read();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(
    (async () => {
      for (;;) if ((await reader.read()).done) break;
    })(),
    isAbort('AbortError', ac.signal)
  );
});

test('a failure that is not an abort keeps its class name', async () => {
  await assert.rejects(s.get('/delay/5000', { timeout: 50 }), (e) => e instanceof hs.TimeoutError && e.name === 'TimeoutError' && e.code === 'TIMEOUT');
});
