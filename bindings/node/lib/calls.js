'use strict';
// Calls into the library and their completions: the out-param slots, C
// errors, the table of requests in flight, how completions are delivered
// (completion queue or per-request callback), AbortSignal watching. The
// lowest layer above lib/native.js: it requires no other file of lib/ but
// errors.js; the Response that a completion resolves to is made by the
// function given to deliverResponsesWith() (lib/session.js gives
// responseFrom of lib/response.js).

const net = require('node:net');
const { koffi, C, NotifyProto, CallbackProto } = require('./native');
const { maybeInstall } = require('./logging');
const { RESULT, makeError, abortError, CancelledError } = require('./errors');

// Out-params: slots of one BigUint64Array, used only by synchronous calls on
// the main thread (callbacks run there too, never in the middle of a call).
const OUT = new BigUint64Array(8);
const OUT0 = OUT.subarray(0, 1);
const OUT1 = OUT.subarray(1, 2);
const OUT2 = OUT.subarray(2, 3);
const OUT3 = OUT.subarray(3, 4);
const ERR = OUT.subarray(7, 8);

/** Turns a failed call's code and hsession_error (in ERR) into an Error; frees the C error. */
function errorFromC(rc, fallbackUrl, cause) {
  const errPtr = ERR[0];
  ERR[0] = 0n;
  let message;
  let url = fallbackUrl;
  if (errPtr) {
    message = C.error_message(errPtr);
    const u = C.error_url(errPtr);
    if (u != null) url = u;
    C.error_free(errPtr);
  }
  return makeError(rc, message || C.result_str(rc), url, cause);
}

function check(rc) {
  if (rc !== 0) throw errorFromC(rc);
}

// ---------------------------------------------------------------------------
// In-flight bookkeeping. Each request's JS state lives in `pending` (by an
// integer id, the queue's tag or the callback's user_data) until its
// completion has been delivered: the library delivers each exactly once,
// also after a cancel or a close. While anything is in flight one timer is
// ref'd, since neither the unref'd wake-up socket nor koffi's callback relay
// keeps the process alive by itself.
const pending = new Map();
let nextId = 1;
let inFlight = 0;
const keepAlive = setInterval(() => {}, 0x7fffffff);
keepAlive.unref();

function hold() {
  if (inFlight++ === 0) keepAlive.ref();
}

function release() {
  if (--inFlight === 0) keepAlive.unref();
}

/** A fresh id for a request or a body read (one sequence for both). */
function newId() {
  return nextId++;
}

const onDone = koffi.register((id, call) => {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  release();
  try {
    complete(p, call);
  } catch (e) {
    p.reject(e);
  }
}, koffi.pointer(CallbackProto));

// abort() of a pending entry: the callback still comes, with CANCELLED.
function cancelCall() {
  if (this.call) C.call_cancel(this.call);
}

// The completion queue, for the life of the process (never freed: a
// notification may still be on its way to this thread). By default it
// signals through a socket that libuv watches like any other I/O (the
// library's I/O thread writes a byte; no thread waits on JS). With
// HSESSION_NODE_DELIVERY=notify it calls a koffi-registered function
// instead (koffi relays it from the library's callback thread, which waits
// until JS has run it); with =callback every request has its own callback.
const TAGS = new BigUint64Array(256);
const delivery = process.env.HSESSION_NODE_DELIVERY || 'socket';
let queue = 0n;
let deliveryUsed = 'callback';
if (delivery === 'socket' && C.queue_new_fd) {
  const fd = new Int32Array(1);
  OUT0[0] = 0n;
  if (C.queue_new_fd(OUT0, fd, ERR) === 0) {
    queue = OUT0[0];
    const wake = new net.Socket({ fd: fd[0], readable: true, writable: false });
    wake.on('data', drainQueue); // the bytes only say "poll"
    // The library never closes its end (the queue lives as long as the
    // process); an error here must not take the process down.
    wake.on('error', (e) => process.emitWarning(`hsession: completion socket: ${e.message}`));
    wake.unref(); // requests in flight hold the loop through keepAlive
    deliveryUsed = 'socket';
  } else {
    errorFromC(RESULT.IO); // frees the error; fall back below
  }
}
if (queue === 0n && delivery !== 'callback' && C.queue_new) {
  const onNotify = koffi.register(drainQueue, koffi.pointer(NotifyProto));
  OUT0[0] = 0n;
  if (C.queue_new(onNotify, null, OUT0) === 0) {
    queue = OUT0[0];
    deliveryUsed = 'notify';
  }
}

// Takes at most TAGS.length completions per turn of the event loop: when
// more are ready it continues in setImmediate (the queue does not notify
// again until drained), so timers and I/O run between batches.
let drainScheduled = false;

function drainQueue() {
  drainScheduled = false;
  const n = Number(C.queue_poll(queue, TAGS, TAGS.length));
  for (let i = 0; i < n; i++) {
    const p = pending.get(Number(TAGS[i]));
    if (p === undefined) continue;
    pending.delete(p.id);
    release();
    try {
      complete(p, p.call);
    } catch (e) {
      p.reject(e);
    }
  }
  if (n === TAGS.length && !drainScheduled) {
    drainScheduled = true;
    setImmediate(drainQueue);
  }
}

/**
 * Sends a packed request (hsession_send_packed_queued, or with a callback)
 * for the pending entry p: 0 with p in the table and the call in OUT0, or
 * the failed call's code (its error in ERR, p not kept).
 */
function startCall(sessionPtr, pk, p) {
  maybeInstall();
  pending.set(p.id, p);
  OUT0[0] = 0n;
  const rc =
    queue !== 0n
      ? C.send_packed_queued(sessionPtr, pk.buf, pk.pos, queue, p.id, OUT0, ERR)
      : C.send_packed(sessionPtr, pk.buf, pk.pos, onDone, p.id, OUT0, ERR);
  if (rc !== 0) {
    pending.delete(p.id);
    return rc;
  }
  hold();
  return 0;
}

/** Sends a request builder (hsession_send_queued, or with a callback), as startCall does. */
function startBuilderCall(sessionPtr, builder, p) {
  pending.set(p.id, p);
  OUT0[0] = 0n;
  const rc = queue !== 0n && C.send_queued ? C.send_queued(sessionPtr, builder, queue, p.id, OUT0, ERR) : C.send(sessionPtr, builder, onDone, p.id, OUT0, ERR);
  if (rc !== 0) {
    pending.delete(p.id);
    return rc;
  }
  hold();
  return 0;
}

// Makes the Response of a completed call: set once, by lib/session.js.
let responseFrom = null;

function deliverResponsesWith(fn) {
  responseFrom = fn;
}

function complete(p, call) {
  p.session._inflight.delete(p.id);
  if (p.signal) unwatchSignal(p.signal, p);
  OUT0[0] = 0n;
  const rc = C.call_take(call, OUT0, ERR);
  const resp = OUT0[0];
  if (p.call !== undefined) C.call_free(p.call);
  else p.call = null; // the send has not returned yet (cannot happen through koffi's relay); it frees the call
  if (rc !== 0) {
    let err;
    if (rc === RESULT.CANCELLED && p.signal && p.signal.aborted) {
      ERR[0] && C.error_free(ERR[0]);
      ERR[0] = 0n;
      err = abortError(p.signal, p.url);
    } else if (rc === RESULT.CANCELLED && p.session._closed) {
      ERR[0] && C.error_free(ERR[0]);
      ERR[0] = 0n;
      err = new CancelledError('the session was closed while the request was in flight', { code: 'CANCELLED', url: p.url });
    } else {
      err = errorFromC(rc, p.url);
    }
    p.reject(err);
    return;
  }
  p.resolve(responseFrom(resp, p));
}

// One 'abort' listener per AbortSignal, however many requests share it (a
// listener per request would trip Node's MaxListeners warning). Items have
// an abort() method: a request in flight cancels its call, a streamed body
// frees its response.
const watched = new WeakMap();

function watchSignal(signal, item) {
  let set = watched.get(signal);
  if (set === undefined) {
    set = new Set();
    watched.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const it of set) it.abort();
        set.clear();
      },
      { once: true }
    );
  }
  set.add(item);
}

function unwatchSignal(signal, item) {
  const set = watched.get(signal);
  if (set !== undefined) set.delete(item);
}

/** What diagnostics() reports of the calls: requests not yet delivered, holds, the delivery mode. */
function callStats() {
  return { pendingRequests: pending.size, inFlight, delivery: deliveryUsed };
}

module.exports = {
  OUT0,
  OUT1,
  OUT2,
  OUT3,
  ERR,
  errorFromC,
  check,
  newId,
  hold,
  release,
  cancelCall,
  startCall,
  startBuilderCall,
  deliverResponsesWith,
  watchSignal,
  unwatchSignal,
  callStats,
};
