'use strict';
// Session: a persistent HTTP session over one native handle (NativeSession,
// freed by close() or its FinalizationRegistry); its settings go to the C
// setters, each request is packed into one buffer and started with
// startCall (lib/calls.js), and resolves to a Response (lib/response.js).

const { C } = require('./native');
const { TAG, Packer } = require('./packed');
const { abortError, InvalidArgumentError, SessionClosedError } = require('./errors');
const { makeFetch } = require('./fetch');
const { OUT0, ERR, errorFromC, check, newId, cancelCall, startCall, deliverResponsesWith, watchSignal } = require('./calls');
const { entriesOf, ms, timeouts, count, retryPolicy, redirectLimit, authOf, proxyOf, tlsOf, TLS_VERSIONS, bodyBytes } = require('./options');
const { responseFrom } = require('./response');
const { bodyKind, readBody, Upload, declaredLength } = require('./upload');
const { CookieJar } = require('./cookies');

// A completed call resolves to a Response.
deliverResponsesWith(responseFrom);

const packer = new Packer();

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
      const { proxies, noProxy } = proxyOf(o.proxy, { session: true });
      for (const [scheme, url] of proxies) check(C.set_proxy(s, scheme, url, ERR));
      if (noProxy !== undefined) check(C.set_no_proxy(s, noProxy, ERR));
    }
    if (o.tls !== undefined) {
      const t2 = tlsOf(o.tls);
      if (t2.verify !== undefined) check(C.set_verify(s, t2.verify ? 1 : 0, ERR));
      if (t2.caFile !== undefined) check(C.set_ca_file(s, t2.caFile, ERR));
      if (t2.cert !== undefined) check(C.set_client_cert(s, t2.cert?.[0] ?? null, t2.cert?.[1] ?? null, ERR));
      if (o.tls.minVersion !== undefined) {
        const v = TLS_VERSIONS[o.tls.minVersion];
        if (v === undefined) throw new InvalidArgumentError(`tls.minVersion must be '1.2' or '1.3', not ${o.tls.minVersion}`, { code: 'INVALID_ARGUMENT' });
        check(C.set_min_tls_version(s, v, ERR));
      }
    }
    if (o.pool !== undefined) {
      if (o.pool.idleTimeout !== undefined) check(C.set_pool_idle_timeout_ms(s, ms(o.pool.idleTimeout, 'pool.idleTimeout'), ERR));
      if (o.pool.maxIdlePerHost !== undefined) check(C.set_pool_max_idle_per_host(s, count(o.pool.maxIdlePerHost, 'pool.maxIdlePerHost'), ERR));
      // undici's Pool `connections`: at most this many per host; 0 or null, no cap.
      if (o.pool.connections != null) check(C.set_max_connections_per_host(s, count(o.pool.connections, 'pool.connections'), ERR));
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

  /** Session auth: { username, password, type?: 'basic' | 'digest' }, [user, password], { bearer }, or null for none. */
  setAuth(auth) {
    const s = this._ptr;
    const a = authOf(auth);
    if (a === null) check(C.clear_auth(s));
    else if (a.bearer !== undefined) check(C.set_bearer_auth(s, a.bearer, ERR));
    else check((a.digest ? C.set_digest_auth : C.set_basic_auth)(s, a.user, a.password, ERR));
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
    const bodies = ['body', 'json', 'form', 'multipart', 'bodyFile'].filter((k) => o[k] !== undefined);
    if (bodies.length > 1) throw new InvalidArgumentError(`give one of body, json, form, multipart, bodyFile, not ${bodies.join(' and ')}`, { code: 'INVALID_ARGUMENT' });
    const method = o.method === undefined ? 'GET' : String(o.method).toUpperCase();
    const stream = !!o.stream;
    const kind = bodyKind(o);
    if (kind !== null) return this._sendAfter(kind, o, method, url, stream, signal);
    return this._start(this._pack(o, method, url, stream), url, stream, signal, null);
  }

  // A body that has to be read first (Blob, FormData) or streamed: packed
  // and started once it is ready, if the session and the signal still allow.
  async _sendAfter(kind, o, method, url, stream, signal) {
    if (kind === 'stream') {
      const upload = new Upload(o.body);
      try {
        const headers = entriesOf(o.headers);
        upload.length = declaredLength(headers);
        o = { ...o, body: undefined, headers: headers.filter(([k]) => String(k).toLowerCase() !== 'content-length') };
        return await this._start(this._pack(o, method, url, stream), url, stream, signal, upload);
      } catch (e) {
        upload.finish();
        throw e;
      }
    }
    o = await readBody(o);
    if (this._closed) throw new SessionClosedError('the session is closed', { code: 'SESSION_CLOSED' });
    if (signal && signal.aborted) throw abortError(signal, url);
    return this._start(this._pack(o, method, url, stream), url, stream, signal, null);
  }

  _start(pk, url, stream, signal, upload) {
    return new Promise((resolve, reject) => {
      const id = newId();
      const p = { id, session: this, url, stream, signal, resolve, reject, call: undefined, abort: cancelCall };
      const rc = upload === null ? startCall(this._native.ptr, pk, p) : upload.start(this._native.ptr, pk, p);
      if (rc !== 0) {
        reject(errorFromC(rc, url));
        return;
      }
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
      else if (o.defaultContentType !== undefined) contentType = o.defaultContentType; // a Blob's type
    }
    if (body !== null) {
      if (contentType && !hasContentType) pk.pair(TAG.HEADER, 'content-type', contentType);
      pk.bytes(TAG.BODY, body);
    }
    // A string is a text field; { path, filename?, contentType? } a file
    // streamed from disk; { bytes, ... } a file in memory (lib/upload.js
    // makes those parts from a FormData or in-memory multipart files).
    for (const [name, v] of o.parts ?? entriesOf(o.multipart)) {
      if (v === null || typeof v !== 'object') pk.pair(TAG.FORM_FIELD, String(name), String(v));
      else if (v.bytes !== undefined) pk.formBytes(String(name), v.filename, v.contentType, v.bytes);
      else pk.formFile(String(name), String(v.path), v.filename ?? '', v.contentType ?? '');
    }
    if (o.bodyFile !== undefined) pk.str(TAG.BODY_FILE, String(o.bodyFile));
    if (o.cookies !== undefined) for (const [k, v] of entriesOf(o.cookies)) pk.pair(TAG.COOKIE, String(k), String(v));
    if (o.auth !== undefined) {
      const a = authOf(o.auth);
      if (a === null) pk.empty(TAG.NO_AUTH);
      else if (a.bearer !== undefined) pk.str(TAG.BEARER_AUTH, a.bearer);
      else pk.pair(a.digest ? TAG.DIGEST_AUTH : TAG.BASIC_AUTH, a.user, a.password);
    }
    if (o.proxy !== undefined) {
      const { proxies, noProxy } = proxyOf(o.proxy);
      for (const [scheme, url] of proxies) pk.pair(TAG.PROXY, scheme, url ?? '');
      if (noProxy !== undefined) pk.str(TAG.NO_PROXY, noProxy ?? '');
    }
    if (o.tls !== undefined) {
      if (o.tls !== null && o.tls.minVersion !== undefined) throw new InvalidArgumentError('tls.minVersion is a session option', { code: 'INVALID_ARGUMENT' });
      const t2 = tlsOf(o.tls);
      if (t2.verify !== undefined) pk.u8(TAG.VERIFY, t2.verify ? 1 : 0);
      if (t2.caFile !== undefined) pk.str(TAG.CA_FILE, t2.caFile ?? '');
      if (t2.cert !== undefined) pk.pair(TAG.CLIENT_CERT, t2.cert?.[0] ?? '', t2.cert?.[1] ?? '');
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

/** Native sessions not yet freed (diagnostics().liveSessions). */
function liveSessionCount() {
  return liveSessions;
}

module.exports = { Session, liveSessionCount };
