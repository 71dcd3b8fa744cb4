'use strict';
// Option converters: a Session's or a request's options as the C setters
// and the packed request take them. Each checks its input and throws
// InvalidArgumentError; none calls the library.

const { InvalidArgumentError } = require('./errors');

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

/**
 * Auth option -> { user, password, digest } or { bearer }, or null for none.
 * `type: 'digest'` answers the server's Digest challenge (RFC 7616) instead
 * of sending basic auth.
 */
function authOf(a) {
  if (a == null || a === false) return null;
  if (Array.isArray(a)) return { user: String(a[0]), password: String(a[1] ?? ''), digest: false };
  if (a.bearer !== undefined || a.token !== undefined) return { bearer: String(a.bearer ?? a.token) };
  if (a.username !== undefined || a.user !== undefined) {
    const type = a.type ?? 'basic';
    if (type !== 'basic' && type !== 'digest') throw new InvalidArgumentError(`auth.type must be 'basic' or 'digest', not ${type}`, { code: 'INVALID_ARGUMENT' });
    return { user: String(a.username ?? a.user), password: String(a.password ?? ''), digest: type === 'digest' };
  }
  throw new InvalidArgumentError("auth must be { username, password, type?: 'basic' | 'digest' }, [user, password] or { bearer }", { code: 'INVALID_ARGUMENT' });
}

/**
 * Proxy option -> { proxies: [[scheme, url or null]], noProxy } (noProxy
 * undefined: unchanged, null: none). A string is the proxy for every
 * scheme; null removes the proxy for every scheme, or with `session` only
 * the 'all' one (a session's other schemes are removed by name).
 */
function proxyOf(p, { session = false } = {}) {
  if (p === null) return { proxies: session ? [['all', null]] : [['http', null], ['https', null], ['all', null]], noProxy: undefined };
  if (typeof p === 'string') return { proxies: [['all', p]], noProxy: undefined };
  if (typeof p !== 'object' || p instanceof URL) throw new InvalidArgumentError('proxy must be a URL string, null or { http, https, all, noProxy }', { code: 'INVALID_ARGUMENT' });
  const proxies = ['http', 'https', 'all'].filter((k) => p[k] !== undefined).map((k) => [k, p[k] === null ? null : String(p[k])]);
  const noProxy = p.noProxy === undefined || p.noProxy === null ? p.noProxy : Array.isArray(p.noProxy) ? p.noProxy.join(',') : String(p.noProxy);
  return { proxies, noProxy };
}

/**
 * TLS option -> { verify, caFile, cert: [certFile, keyFile] } (each
 * undefined: unchanged; caFile null: the platform roots; cert null: none).
 */
function tlsOf(t) {
  if (t === null || typeof t !== 'object') throw new InvalidArgumentError('tls must be { verify, caFile, certFile, keyFile, minVersion }', { code: 'INVALID_ARGUMENT' });
  const out = { verify: t.verify === undefined ? undefined : !!t.verify, caFile: t.caFile === undefined || t.caFile === null ? t.caFile : String(t.caFile), cert: undefined };
  if (t.certFile !== undefined || t.keyFile !== undefined) {
    if (t.certFile == null && t.keyFile == null) out.cert = null;
    else if (t.certFile == null || t.keyFile == null) throw new InvalidArgumentError('tls.certFile and tls.keyFile go together', { code: 'INVALID_ARGUMENT' });
    else out.cert = [String(t.certFile), String(t.keyFile)];
  }
  return out;
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
  throw new InvalidArgumentError('body must be a string, Buffer, TypedArray, ArrayBuffer, URLSearchParams, Blob, FormData, ReadableStream, Readable or async iterable (use json for objects)', { code: 'INVALID_ARGUMENT' });
}

module.exports = { entriesOf, ms, timeouts, count, retryPolicy, redirectLimit, authOf, proxyOf, tlsOf, TLS_VERSIONS, cookieFormat, bodyBytes };
