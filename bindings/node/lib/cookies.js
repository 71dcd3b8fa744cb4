'use strict';
// CookieJar: a session's cookie jar (RFC 6265 rules, kept in the library),
// read and written through the C calls; it knows its session only as an
// object with _ptr, so it does not require lib/session.js.

const { C } = require('./native');
const { RESULT } = require('./errors');
const { OUT0, ERR, check } = require('./calls');
const { cookieFormat } = require('./options');

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

module.exports = { CookieJar };
