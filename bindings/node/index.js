'use strict';
// hsession for Node.js: a Promise API over the C ABI (include/hsession.h).
// Each request goes out with one call (hsession_send_packed_queued) that
// returns at once; completions come back through a completion queue, so
// nothing blocks the event loop and no worker pool limits how many are in
// flight. HTTP behaviour lives in the library, not here.

const net = require('node:net');
const { Readable } = require('node:stream');
const { koffi, C, libPath, NotifyProto, CallbackProto, ReadProto } = require('./lib/native');
const { TAG, Packer, parseHead } = require('./lib/packed');
const errors = require('./lib/errors');
const { makeFetch } = require('./lib/fetch');
const {
  CODES, RESULT, makeError, abortError, codeName, HSessionError, InvalidArgumentError, TimeoutError, ConnectionError, TLSError,
  CancelledError, ProxyError, TooManyRedirectsError, TooManyRetriesError, BodyTooLargeError, FileError, SessionClosedError,
} = errors;

// ---------------------------------------------------------------------------
// Out-params: slots of one BigUint64Array, used only by synchronous calls on
// the main thread (callbacks run there too, never in the middle of a call).
const OUT = new BigUint64Array(8);
const OUT0 = OUT.subarray(0, 1);
const OUT1 = OUT.subarray(1, 2);
const OUT2 = OUT.subarray(2, 3);
const OUT3 = OUT.subarray(3, 4);
const ERR = OUT.subarray(7, 8);

const textDecoder = new TextDecoder();
const packer = new Packer();

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
const reads = new Map();
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

// ---------------------------------------------------------------------------
// Streamed bodies: hsession_response_read_async into a native buffer (the
// library writes it from another thread, so it must not be JS memory that
// the GC may move or free), copied out chunk by chunk.
const CHUNK = 64 * 1024;

const onRead = koffi.register((id, result, n) => {
  const r = reads.get(id);
  if (r === undefined) return;
  reads.delete(id);
  release();
  r.body._readDone(result, Number(n), r);
}, koffi.pointer(ReadProto));

class NativeBody {
  constructor(resp, url, signal) {
    this.resp = resp;
    this.url = url;
    this.buf = 0n;
    this.view = null;
    this.reading = false;
    this.ended = false;
    this.freed = false;
    this.signal = signal || null;
    // An abort after the headers stops the download too.
    if (this.signal) watchSignal(this.signal, this);
  }

  abort() {
    this.destroy();
  }

  /** The next chunk as a Buffer, or null at the end of the body. */
  read() {
    return new Promise((resolve, reject) => {
      if (this.ended) return resolve(null);
      if (this.freed) return reject(this._abortError() || new CancelledError('the response body was closed', { code: 'CANCELLED', url: this.url }));
      if (this.reading) return reject(new TypeError('a read of this body is already in progress'));
      if (this.buf === 0n) {
        this.buf = koffi.alloc('uint8_t', CHUNK);
        this.view = new Uint8Array(koffi.view(this.buf, CHUNK));
      }
      const id = nextId++;
      const entry = { body: this, resolve, reject };
      const rc = C.response_read_async(this.resp, this.buf, CHUNK, onRead, id, ERR);
      if (rc !== 0) return reject(errorFromC(rc, this.url));
      this.reading = true;
      reads.set(id, entry);
      hold();
    });
  }

  _readDone(result, n, r) {
    this.reading = false;
    if (result !== 0) {
      this._finish();
      r.reject(this._abortError() || makeError(result, `reading the body failed: ${C.result_str(result)}`, this.url));
    } else if (n === 0) {
      this._finish();
      r.resolve(null);
    } else {
      r.resolve(Buffer.from(this.view.subarray(0, n)));
      if (this.freed) this._releaseBuffer();
    }
  }

  _abortError() {
    if (this.signal && this.signal.aborted) {
      return abortError(this.signal, this.url);
    }
    return null;
  }

  _finish() {
    this.ended = true;
    this.destroy();
  }

  _releaseBuffer() {
    if (this.buf !== 0n && !this.reading) {
      koffi.free(this.buf);
      this.buf = 0n;
      this.view = null;
    }
  }

  /** Stops the download and frees the response; a read in flight ends with CANCELLED. */
  destroy() {
    if (!this.freed) {
      this.freed = true;
      C.response_free(this.resp);
      if (this.signal) unwatchSignal(this.signal, this);
    }
    this._releaseBuffer();
  }
}

// A streamed response dropped unread frees its native response.
const bodyRegistry = new FinalizationRegistry((body) => body.destroy());

// ---------------------------------------------------------------------------

/** An HTTP response: status, headers, final URL, redirect history and body. */
class Response {
  constructor(head, body, native) {
    this.status = head.status;
    this.statusText = head.reason;
    this.ok = head.status >= 200 && head.status < 300;
    this.url = head.url;
    this.httpVersion = head.version;
    this.elapsed = head.elapsedUs / 1000;
    this.retries = head.retries;
    this.history = head.history;
    this.redirected = head.history.length > 0;
    /** Every header line in order, lower-case names, repeats kept (Set-Cookie). */
    this.rawHeaders = head.headers;
    this._headers = null;
    this._buffer = body;
    this._native = native;
    this._used = false;
    if (native) bodyRegistry.register(this, native, native);
  }

  /** A web Headers, built on first use (most callers never look). */
  get headers() {
    if (this._headers === null) {
      const headers = new Headers();
      for (const [name, value] of this.rawHeaders) headers.append(name, value);
      this._headers = headers;
    }
    return this._headers;
  }

  /** True once a streamed body has been read or cancelled (buffered bodies can be read again). */
  get bodyUsed() {
    return this._used;
  }

  _takeNative() {
    if (this._used) throw new TypeError('the body of this streamed response was already read');
    this._used = true;
    bodyRegistry.unregister(this._native);
    return this._native;
  }

  /** The whole body as a Buffer. */
  async buffer() {
    if (!this._native) return this._buffer;
    const native = this._takeNative();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const c = await native.read();
        if (c === null) break;
        chunks.push(c);
        total += c.length;
      }
    } finally {
      native.destroy();
    }
    this._buffer = Buffer.concat(chunks, total);
    this._native = null;
    return this._buffer;
  }

  async arrayBuffer() {
    const b = await this.buffer();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }

  async bytes() {
    return new Uint8Array(await this.arrayBuffer());
  }

  async text() {
    return textDecoder.decode(await this.buffer());
  }

  async json() {
    return JSON.parse(await this.text());
  }

  /** The body as a web ReadableStream of Uint8Array chunks. */
  get body() {
    if (this._bodyStream) return this._bodyStream;
    if (!this._native) {
      const b = this._buffer;
      this._bodyStream = new ReadableStream({
        start(ctrl) {
          if (b.length) ctrl.enqueue(new Uint8Array(b.buffer, b.byteOffset, b.length));
          ctrl.close();
        },
      });
      return this._bodyStream;
    }
    const native = this._takeNative();
    this._bodyStream = new ReadableStream(
      {
        async pull(ctrl) {
          try {
            const c = await native.read();
            if (c === null) ctrl.close();
            else ctrl.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.length));
          } catch (e) {
            native.destroy();
            throw e;
          }
        },
        cancel() {
          native.destroy();
        },
      },
      { highWaterMark: 0 }
    );
    return this._bodyStream;
  }

  /** The body as a Node Readable of Buffers. */
  stream() {
    if (!this._native) return Readable.from(this._buffer.length ? [this._buffer] : []);
    const native = this._takeNative();
    return new Readable({
      read() {
        native.read().then(
          (c) => this.push(c),
          (e) => this.destroy(e)
        );
      },
      destroy(err, cb) {
        native.destroy();
        cb(err);
      },
    });
  }

  /** Stops a streamed download that will not be read; nothing for a buffered one. */
  close() {
    if (this._native && !this._used) this._takeNative().destroy();
  }
}

function responseFrom(resp, p) {
  const rc = C.response_packed(resp, OUT0, OUT1, OUT2, OUT3);
  if (rc !== 0) {
    C.response_free(resp);
    throw errorFromC(rc, p.url);
  }
  const head = parseHead(Buffer.from(koffi.view(OUT0[0], Number(OUT1[0]))));
  if (p.stream) return new Response(head, null, new NativeBody(resp, head.url, p.signal));
  const n = Number(OUT3[0]);
  // One copy out of the response, which is then freed.
  const body = n === 0 ? Buffer.alloc(0) : Buffer.from(new Uint8Array(koffi.view(OUT2[0], n)));
  C.response_free(resp);
  return new Response(head, body, null);
}

// ---------------------------------------------------------------------------
// Option helpers.

function entriesOf(h) {
  if (h == null) return [];
  if (typeof Headers !== 'undefined' && h instanceof Headers) return [...h.entries()];
  if (h instanceof Map || Array.isArray(h)) return [...h];
  if (typeof h[Symbol.iterator] === 'function' && typeof h !== 'string') return [...h];
  return Object.entries(h);
}

function ms(v, what) {
  if (v === null || v === Infinity) return 0; // no limit
  if (typeof v !== 'number' || !(v >= 0)) throw new InvalidArgumentError(`${what} must be a number of milliseconds >= 0`, { code: 'INVALID_ARGUMENT' });
  return Math.round(v);
}

function timeouts(t) {
  if (t === undefined) return null;
  if (typeof t === 'number' || t === null) return { total: ms(t, 'timeout') };
  const out = {};
  for (const k of ['connect', 'read', 'total']) if (t[k] !== undefined) out[k] = ms(t[k], `timeout.${k}`);
  return out;
}

function count(v, what) {
  if (v === undefined || v === null || v === Infinity) return -1;
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${what} must be an integer >= 0`, { code: 'INVALID_ARGUMENT' });
  return v;
}

const DEFAULT_RETRY_METHODS = 'DELETE,GET,HEAD,OPTIONS,PUT,TRACE';

/** urllib3 Retry options -> the C policy. A number is `total`; an object's total defaults to 3. */
function retryPolicy(r) {
  if (r === false || r === 0) r = { total: 0 };
  if (typeof r === 'number') r = { total: r };
  const methods = r.allowedMethods === undefined ? DEFAULT_RETRY_METHODS : Array.isArray(r.allowedMethods) ? r.allowedMethods.join(',') : String(r.allowedMethods);
  const statuses = r.statusForcelist === undefined ? [] : [...r.statusForcelist];
  return {
    total: r.total === undefined ? 3 : count(r.total, 'retry.total'),
    connect: count(r.connect, 'retry.connect'),
    read: count(r.read, 'retry.read'),
    status: count(r.status, 'retry.status'),
    backoffFactor: r.backoffFactor ?? 0,
    backoffMax: r.backoffMax ?? 120,
    backoffJitter: r.backoffJitter ?? 0,
    respectRetryAfter: r.respectRetryAfter ?? true,
    raiseOnStatus: r.raiseOnStatus ?? true,
    statuses,
    methods,
  };
}

function redirectLimit(r) {
  if (r === false) return 0;
  if (r === true) return 30;
  if (typeof r === 'number') return count(r, 'redirects');
  return r.max === undefined ? undefined : count(r.max, 'redirects.max');
}

function authOf(a) {
  if (a == null || a === false) return null;
  if (Array.isArray(a)) return { user: String(a[0]), password: String(a[1] ?? '') };
  if (a.bearer !== undefined || a.token !== undefined) return { bearer: String(a.bearer ?? a.token) };
  if (a.username !== undefined || a.user !== undefined) return { user: String(a.username ?? a.user), password: String(a.password ?? '') };
  throw new InvalidArgumentError('auth must be { username, password }, [user, password] or { bearer }', { code: 'INVALID_ARGUMENT' });
}

const TLS_VERSIONS = { '1.2': 771, '1.3': 772, 'TLSv1.2': 771, 'TLSv1.3': 772 };
const COOKIE_FORMATS = { netscape: 1, json: 2 };

function cookieFormat(f) {
  const v = COOKIE_FORMATS[f ?? 'json'];
  if (v === undefined) throw new InvalidArgumentError(`cookie file format must be 'json' or 'netscape', not ${f}`, { code: 'INVALID_ARGUMENT' });
  return v;
}

function bodyBytes(body) {
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new InvalidArgumentError('body must be a string, Buffer, TypedArray, ArrayBuffer or URLSearchParams (use json for objects)', { code: 'INVALID_ARGUMENT' });
}

// ---------------------------------------------------------------------------

const sessionRegistry = new FinalizationRegistry((native) => native.free());
let liveSessions = 0;

/** The native handle; freed once, by close() or when the Session is garbage-collected. */
class NativeSession {
  constructor(ptr) {
    this.ptr = ptr;
    liveSessions++;
  }

  free() {
    if (this.ptr) {
      const p = this.ptr;
      this.ptr = 0n;
      liveSessions--;
      C.free(p);
    }
  }
}

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/**
 * A persistent HTTP session: one cookie jar, one pool of keep-alive
 * connections, default headers, auth, timeouts, retries, redirects, proxy
 * and TLS settings. Thread-safe in the library; here every call is from the
 * main thread, any number of requests in flight.
 */
class Session {
  constructor(options = {}) {
    OUT0[0] = 0n;
    check(C.new(OUT0, ERR));
    this._native = new NativeSession(OUT0[0]);
    this._closed = false;
    this._inflight = new Map();
    this._baseURL = options.baseURL === undefined ? null : String(options.baseURL);
    this.cookies = new CookieJar(this);
    sessionRegistry.register(this, this._native, this._native);
    try {
      this.configure(options);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get _ptr() {
    if (this._closed) throw new SessionClosedError('the session is closed', { code: 'SESSION_CLOSED' });
    return this._native.ptr;
  }

  get closed() {
    return this._closed;
  }

  /** Changes settings; takes the constructor's options. Applies to requests started afterwards. */
  configure(o = {}) {
    const s = this._ptr;
    if (o.headers !== undefined) for (const [k, v] of entriesOf(o.headers)) this.setHeader(k, v);
    if (o.auth !== undefined) this.setAuth(o.auth);
    if (o.query !== undefined) {
      check(C.clear_query_params(s));
      for (const [k, v] of entriesOf(o.query)) check(C.add_query_param(s, String(k), String(v), ERR));
    }
    const t = timeouts(o.timeout);
    if (t) {
      if (t.connect !== undefined) check(C.set_connect_timeout_ms(s, t.connect));
      if (t.read !== undefined) check(C.set_read_timeout_ms(s, t.read));
      if (t.total !== undefined) check(C.set_total_timeout_ms(s, t.total));
    }
    if (o.retry !== undefined) {
      const r = retryPolicy(o.retry);
      check(C.set_retry(s, r.total, r.connect, r.read, r.status, r.backoffFactor, r.backoffMax, r.backoffJitter, ERR));
      check(C.set_retry_statuses(s, r.statuses.length ? Uint16Array.from(r.statuses) : null, r.statuses.length, ERR));
      check(C.set_retry_methods(s, r.methods, ERR));
      check(C.set_retry_flags(s, r.respectRetryAfter ? 1 : 0, r.raiseOnStatus ? 1 : 0));
    }
    if (o.redirects !== undefined) {
      const max = redirectLimit(o.redirects);
      if (max !== undefined) check(C.set_max_redirects(s, max));
      if (typeof o.redirects === 'object' && o.redirects.refuseDowngrade !== undefined) {
        check(C.set_refuse_downgrade(s, o.redirects.refuseDowngrade ? 1 : 0));
      }
    }
    if (o.trustEnv !== undefined) check(C.set_trust_env(s, o.trustEnv ? 1 : 0, ERR));
    if (o.proxy !== undefined) {
      const p = o.proxy;
      if (p === null || typeof p === 'string') {
        check(C.set_proxy(s, 'all', p, ERR));
      } else {
        for (const scheme of ['http', 'https', 'all']) if (p[scheme] !== undefined) check(C.set_proxy(s, scheme, p[scheme], ERR));
        if (p.noProxy !== undefined) {
          const list = Array.isArray(p.noProxy) ? p.noProxy.join(',') : p.noProxy;
          check(C.set_no_proxy(s, list, ERR));
        }
      }
    }
    if (o.tls !== undefined) {
      const t2 = o.tls;
      if (t2.verify !== undefined) check(C.set_verify(s, t2.verify ? 1 : 0, ERR));
      if (t2.caFile !== undefined) check(C.set_ca_file(s, t2.caFile, ERR));
      if (t2.certFile !== undefined || t2.keyFile !== undefined) check(C.set_client_cert(s, t2.certFile ?? null, t2.keyFile ?? null, ERR));
      if (t2.minVersion !== undefined) {
        const v = TLS_VERSIONS[t2.minVersion];
        if (v === undefined) throw new InvalidArgumentError(`tls.minVersion must be '1.2' or '1.3', not ${t2.minVersion}`, { code: 'INVALID_ARGUMENT' });
        check(C.set_min_tls_version(s, v, ERR));
      }
    }
    if (o.pool !== undefined) {
      if (o.pool.idleTimeout !== undefined) check(C.set_pool_idle_timeout_ms(s, ms(o.pool.idleTimeout, 'pool.idleTimeout'), ERR));
      if (o.pool.maxIdlePerHost !== undefined) check(C.set_pool_max_idle_per_host(s, count(o.pool.maxIdlePerHost, 'pool.maxIdlePerHost'), ERR));
      const ka = o.pool.http2KeepAlive;
      if (ka !== undefined && ka !== null) {
        check(C.set_http2_keep_alive_ms(s, ms(ka.interval, 'pool.http2KeepAlive.interval'), ms(ka.timeout, 'pool.http2KeepAlive.timeout'), ERR));
      }
    }
    if (o.maxBodySize !== undefined) check(C.set_max_body_size(s, o.maxBodySize ?? 0));
    if (o.cookies !== undefined && o.cookies !== null) {
      const c = typeof o.cookies === 'string' ? { file: o.cookies } : o.cookies;
      if (c.file !== undefined) this.cookies.persist(c.file, c.format);
    }
    return this;
  }

  /** Sets a default header (replacing its values); an array sets several values; null removes it. */
  setHeader(name, value) {
    const s = this._ptr;
    name = String(name);
    if (value === null || value === undefined) {
      check(C.remove_header(s, name, ERR));
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => check((i === 0 ? C.set_header : C.append_header)(s, name, String(v), ERR)));
    } else {
      check(C.set_header(s, name, String(value), ERR));
    }
    return this;
  }

  appendHeader(name, value) {
    check(C.append_header(this._ptr, String(name), String(value), ERR));
    return this;
  }

  removeHeader(name) {
    check(C.remove_header(this._ptr, String(name), ERR));
    return this;
  }

  /** Session auth: { username, password }, [user, password], { bearer }, or null for none. */
  setAuth(auth) {
    const s = this._ptr;
    const a = authOf(auth);
    if (a === null) check(C.clear_auth(s));
    else if (a.bearer !== undefined) check(C.set_bearer_auth(s, a.bearer, ERR));
    else check(C.set_basic_auth(s, a.user, a.password, ERR));
    return this;
  }

  /** Requests sent (each redirect hop counts) and TCP connections opened. */
  get stats() {
    const s = this._ptr;
    return { requestsSent: Number(C.requests_sent(s)), connectionsOpened: Number(C.connections_opened(s)) };
  }

  /** Requests of this session whose callback has not run yet. */
  get inFlight() {
    return this._inflight.size;
  }

  /**
   * Sends a request; resolves to a Response (a 404 or 503 is a response),
   * rejects with an HSessionError subclass. `request(url, options)` works too.
   */
  request(options, more) {
    try {
      return this._send(typeof options === 'string' || options instanceof URL ? { ...more, url: options } : options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * A WHATWG fetch that sends through this session: `fetch(input, init)`
   * resolves to a web Response whose body streams. The same function every
   * time, bound to the session, so `{ fetch: session.fetch }` can be handed
   * to any code or SDK that takes a custom fetch.
   */
  get fetch() {
    if (this._fetch === undefined) this._fetch = makeFetch(this);
    return this._fetch;
  }

  get(url, options) {
    return this.request({ ...options, method: 'GET', url });
  }

  head(url, options) {
    return this.request({ ...options, method: 'HEAD', url });
  }

  options(url, options) {
    return this.request({ ...options, method: 'OPTIONS', url });
  }

  delete(url, options) {
    return this.request({ ...options, method: 'DELETE', url });
  }

  post(url, options) {
    return this.request({ ...options, method: 'POST', url });
  }

  put(url, options) {
    return this.request({ ...options, method: 'PUT', url });
  }

  patch(url, options) {
    return this.request({ ...options, method: 'PATCH', url });
  }

  _send(o) {
    if (this._closed) throw new SessionClosedError('the session is closed', { code: 'SESSION_CLOSED' });
    if (o == null || o.url == null) throw new InvalidArgumentError('a request needs a url', { code: 'INVALID_URL' });
    const signal = o.signal || null;
    let url = String(o.url);
    if (this._baseURL !== null) {
      try {
        url = new URL(url, this._baseURL).href;
      } catch (e) {
        throw new InvalidArgumentError(`invalid URL ${JSON.stringify(url)} (base ${this._baseURL})`, { code: 'INVALID_URL', cause: e });
      }
    }
    if (signal && signal.aborted) {
      throw abortError(signal, url);
    }
    const method = o.method === undefined ? 'GET' : String(o.method).toUpperCase();
    const stream = !!o.stream;
    const pk = this._pack(o, method, url, stream);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const p = { id, session: this, url, stream, signal, resolve, reject, call: undefined, abort: cancelCall };
      pending.set(id, p);
      OUT0[0] = 0n;
      const rc =
        queue !== 0n
          ? C.send_packed_queued(this._native.ptr, pk.buf, pk.pos, queue, id, OUT0, ERR)
          : C.send_packed(this._native.ptr, pk.buf, pk.pos, onDone, id, OUT0, ERR);
      if (rc !== 0) {
        pending.delete(id);
        reject(errorFromC(rc, url));
        return;
      }
      hold();
      const call = OUT0[0];
      if (p.call === null) {
        C.call_free(call); // already completed
        return;
      }
      p.call = call;
      this._inflight.set(id, p);
      if (signal) watchSignal(signal, p);
    });
  }

  _pack(o, method, url, stream) {
    const pk = packer.reset();
    pk.str(TAG.METHOD, method);
    pk.str(TAG.URL, url);
    let hasContentType = false;
    for (const [k, v] of entriesOf(o.headers)) {
      const name = String(k);
      if (v === null || v === undefined) {
        pk.str(TAG.REMOVE_HEADER, name);
        continue;
      }
      if (name.toLowerCase() === 'content-type') hasContentType = true;
      if (Array.isArray(v)) for (const x of v) pk.pair(TAG.HEADER, name, String(x));
      else pk.pair(TAG.HEADER, name, String(v));
    }
    for (const [k, v] of entriesOf(o.query)) {
      if (Array.isArray(v)) for (const x of v) pk.pair(TAG.QUERY, String(k), String(x));
      else pk.pair(TAG.QUERY, String(k), String(v));
    }
    let body = null;
    let contentType = null;
    const bodies = ['body', 'json', 'form', 'multipart', 'bodyFile'].filter((k) => o[k] !== undefined);
    if (bodies.length > 1) throw new InvalidArgumentError(`give one of body, json, form, multipart, bodyFile, not ${bodies.join(' and ')}`, { code: 'INVALID_ARGUMENT' });
    if (o.json !== undefined) {
      body = Buffer.from(JSON.stringify(o.json));
      contentType = 'application/json';
    } else if (o.form !== undefined || o.body instanceof URLSearchParams) {
      const f = o.form !== undefined ? o.form : o.body;
      body = Buffer.from((f instanceof URLSearchParams ? f : new URLSearchParams(entriesOf(f).map(([k, v]) => [k, String(v)]))).toString());
      contentType = 'application/x-www-form-urlencoded';
    } else if (o.body !== undefined && o.body !== null) {
      body = bodyBytes(o.body);
      if (typeof o.body === 'string') contentType = 'text/plain;charset=UTF-8';
    }
    if (body !== null) {
      if (contentType && !hasContentType) pk.pair(TAG.HEADER, 'content-type', contentType);
      pk.bytes(TAG.BODY, body);
    }
    if (o.multipart !== undefined) {
      // A string is a text field; { path, filename?, contentType? } a file streamed from disk.
      for (const [name, v] of entriesOf(o.multipart)) {
        if (v !== null && typeof v === 'object') pk.formFile(String(name), String(v.path), v.filename ?? '', v.contentType ?? '');
        else pk.pair(TAG.FORM_FIELD, String(name), String(v));
      }
    }
    if (o.bodyFile !== undefined) pk.str(TAG.BODY_FILE, String(o.bodyFile));
    if (o.cookies !== undefined) for (const [k, v] of entriesOf(o.cookies)) pk.pair(TAG.COOKIE, String(k), String(v));
    if (o.auth !== undefined) {
      const a = authOf(o.auth);
      if (a === null) pk.empty(TAG.NO_AUTH);
      else if (a.bearer !== undefined) pk.str(TAG.BEARER_AUTH, a.bearer);
      else pk.pair(TAG.BASIC_AUTH, a.user, a.password);
    }
    const t = timeouts(o.timeout);
    if (t) {
      if (t.connect !== undefined) pk.u64(TAG.CONNECT_TIMEOUT, t.connect);
      if (t.read !== undefined) pk.u64(TAG.READ_TIMEOUT, t.read);
      if (t.total !== undefined) pk.u64(TAG.TOTAL_TIMEOUT, t.total);
    }
    if (o.redirects !== undefined) {
      const max = redirectLimit(o.redirects);
      if (max !== undefined) pk.u32(TAG.MAX_REDIRECTS, max === -1 ? 0xffffffff : max);
    }
    if (o.maxBodySize !== undefined) pk.u64(TAG.MAX_BODY_SIZE, o.maxBodySize ?? 0);
    if (o.retry !== undefined) pk.retry(retryPolicy(o.retry));
    if (stream) pk.u8(TAG.STREAM, 1);
    return pk;
  }

  /**
   * Frees the session. Requests in flight end with a CancelledError; a
   * cookie file given to cookies.persist() is saved. Idempotent.
   */
  close() {
    if (this._closed) return;
    this._closed = true;
    sessionRegistry.unregister(this._native);
    this._native.free();
  }

  [Symbol.dispose]() {
    this.close();
  }

  /** Closes, then waits until every request that was in flight has settled. */
  async [Symbol.asyncDispose]() {
    const settling = [...this._inflight.values()].map(
      (p) =>
        new Promise((res) => {
          const { resolve, reject } = p;
          p.resolve = (v) => (resolve(v), res());
          p.reject = (e) => (reject(e), res());
        })
    );
    this.close();
    await Promise.all(settling);
  }
}

// ---------------------------------------------------------------------------

function cookieListToArray(list) {
  const out = [];
  const n = Number(C.cookie_list_count(list));
  const name = [null];
  const value = [null];
  const domain = [null];
  const path = [null];
  const expires = [0];
  const flags = [0];
  for (let i = 0; i < n; i++) {
    check(C.cookie_list_at(list, i, name, value, domain, path, expires, flags));
    const exp = Number(expires[0]);
    out.push({
      name: name[0],
      value: value[0],
      domain: domain[0],
      path: path[0],
      expires: exp === 0 ? null : new Date(exp * 1000),
      secure: (flags[0] & 1) !== 0,
      httpOnly: (flags[0] & 2) !== 0,
      hostOnly: (flags[0] & 4) !== 0,
    });
  }
  return out;
}

/** The session's cookie jar (RFC 6265 rules, kept in the library). */
class CookieJar {
  constructor(session) {
    this._session = session;
  }

  _list(fn, ...args) {
    OUT0[0] = 0n;
    check(fn(this._session._ptr, ...args, OUT0, ERR));
    const list = OUT0[0];
    try {
      return cookieListToArray(list);
    } finally {
      C.cookie_list_free(list);
    }
  }

  /** Every cookie, oldest first. */
  list() {
    return this._list(C.cookies_list);
  }

  /** The cookies a request to `url` would carry, in the order sent. */
  forUrl(url) {
    return this._list(C.cookies_for_url, String(url));
  }

  /** The value of cookie `name` (for `url` if given), or undefined. */
  get(name, url) {
    const c = (url === undefined ? this.list() : this.forUrl(url)).find((x) => x.name === name);
    return c ? c.value : undefined;
  }

  /**
   * Stores a cookie as if `url` had sent it: a Set-Cookie string
   * ("id=42; Path=/") or { name, value, domain?, path?, expires?, secure?,
   * httpOnly?, hostOnly? } (expires: Date or Unix seconds). The jar's
   * rules refuse some (InvalidArgumentError naming the rule).
   */
  set(url, cookie) {
    const s = this._session._ptr;
    if (typeof cookie === 'string') {
      check(C.cookies_set(s, String(url), cookie, ERR));
      return this;
    }
    const exp = cookie.expires == null ? 0 : cookie.expires instanceof Date ? Math.floor(cookie.expires.getTime() / 1000) : cookie.expires;
    const flags = (cookie.secure ? 1 : 0) | (cookie.httpOnly ? 2 : 0) | (cookie.hostOnly ? 4 : 0);
    check(C.cookies_set_fields(s, String(url), String(cookie.name), String(cookie.value), cookie.domain ?? null, cookie.path ?? null, exp, flags, ERR));
    return this;
  }

  /** Deletes cookie `name` of `domain` (at `path`, or every path); false if there was none. */
  delete(domain, name, path) {
    const rc = C.cookies_delete(this._session._ptr, String(domain), path ?? null, String(name), ERR);
    if (rc === RESULT.NOT_FOUND) {
      if (ERR[0]) C.error_free(ERR[0]);
      ERR[0] = 0n;
      return false;
    }
    check(rc);
    return true;
  }

  clear() {
    check(C.cookies_clear(this._session._ptr));
  }

  /** Deletes the cookies of `domain` and its subdomains; returns how many. */
  clearDomain(domain) {
    OUT0[0] = 0n;
    check(C.cookies_clear_domain(this._session._ptr, String(domain), OUT0, ERR));
    return Number(OUT0[0]);
  }

  /** Deletes cookies without an expiry; returns how many. */
  clearSession() {
    OUT0[0] = 0n;
    check(C.cookies_clear_session(this._session._ptr, OUT0));
    return Number(OUT0[0]);
  }

  /** Saves the jar to `path` ('json' or 'netscape' cookies.txt), atomically, mode 0600; returns the count. */
  save(path, format = 'json') {
    OUT0[0] = 0n;
    check(C.cookies_save(this._session._ptr, String(path), cookieFormat(format), OUT0, ERR));
    return Number(OUT0[0]);
  }

  /** Adds the cookies of a file to the jar; returns how many were stored. */
  load(path, format = 'json') {
    OUT0[0] = 0n;
    check(C.cookies_load(this._session._ptr, String(path), cookieFormat(format), OUT0, ERR));
    return Number(OUT0[0]);
  }

  /** Loads `path` now (missing = empty) and saves the jar there when the session is closed or collected. */
  persist(path, format = 'json') {
    OUT0[0] = 0n;
    check(C.set_cookie_file(this._session._ptr, String(path), cookieFormat(format), OUT0, ERR));
    return Number(OUT0[0]);
  }

  toJSON() {
    return this.list();
  }
}

/** Counters for tests and diagnostics: native sessions alive, callbacks outstanding. */
function diagnostics() {
  return { liveSessions, pendingRequests: pending.size, pendingReads: reads.size, inFlight, delivery: deliveryUsed };
}

/** The library's version, "MAJOR.MINOR.PATCH". */
function version() {
  return C.version();
}

/** The ABI number of the loaded library. */
function abiVersion() {
  return C.abi_version();
}

// Every name written out as a plain identifier (no spread, no member
// expression, no inline function), so Node's CommonJS export detection sees
// them and `import { CancelledError } from 'hsession'` works in ESM.
module.exports = {
  Session,
  Response,
  CookieJar,
  HSessionError,
  InvalidArgumentError,
  TimeoutError,
  ConnectionError,
  ProxyError,
  TLSError,
  CancelledError,
  TooManyRedirectsError,
  TooManyRetriesError,
  BodyTooLargeError,
  FileError,
  SessionClosedError,
  CODES,
  RESULT,
  codeName,
  makeError,
  libraryPath: libPath,
  version,
  abiVersion,
  diagnostics,
};
