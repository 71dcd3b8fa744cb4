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

module.exports = { entriesOf, ms, timeouts, count, retryPolicy, redirectLimit, authOf, TLS_VERSIONS, cookieFormat, bodyBytes };
