'use strict';
// Error classes: one per kind of failure a caller handles differently, each
// with `code` (the C result's name, e.g. 'TIMEOUT'), `result` (its number)
// and `url` (credentials redacted).

// Result numbers of include/hsession.h; never renumbered.
const CODES = [
  'OK', 'NULL_ARGUMENT', 'INVALID_UTF8', 'INVALID_ARGUMENT', 'INVALID_METHOD', 'INVALID_URL',
  'UNSUPPORTED_SCHEME', 'INVALID_HEADER_NAME', 'INVALID_HEADER_VALUE', 'NOT_FOUND', 'CONNECT',
  'CONNECT_TIMEOUT', 'READ_TIMEOUT', 'TIMEOUT', 'CONNECTION_CLOSED', 'PROTOCOL', 'TLS', 'DECODE',
  'TOO_MANY_REDIRECTS', 'CANCELLED', 'WRONG_THREAD', 'RUNTIME', 'PANIC', 'INTERNAL', 'PENDING',
  'IO', 'PARSE', 'BODY_TOO_LARGE', 'TOO_MANY_RETRIES', 'PROXY',
];
const RESULT = Object.fromEntries(CODES.map((name, i) => [name, i]));

// The userinfo of a URL, parsed or not (as the library does for its own
// messages): from "//" (or the start) to the last "@" before "/", "?", "#".
const USERINFO = /(\/\/|^)[^/?#]*@/g;

/** `text` with URL credentials replaced by ***: errors the binding builds from the caller's URL show no password. */
function redact(text) {
  return typeof text === 'string' && text.includes('@') ? text.replace(USERINFO, '$1***@') : text;
}

class HSessionError extends Error {
  constructor(message, { code = 'INTERNAL', result, url, cause } = {}) {
    super(redact(message), cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.result = result === undefined ? RESULT[code] : result;
    if (url != null) this.url = redact(String(url));
  }
}
/** Bad input: method, URL, header, option value. Nothing was sent. */
class InvalidArgumentError extends HSessionError {}
/** CONNECT_TIMEOUT, READ_TIMEOUT or TIMEOUT (total). */
class TimeoutError extends HSessionError {}
/** CONNECT (refused, unreachable, DNS), CONNECTION_CLOSED, PROTOCOL. */
class ConnectionError extends HSessionError {}
/** PROXY: the proxy could not be reached or refused the tunnel. */
class ProxyError extends ConnectionError {}
/** The TLS handshake or certificate verification failed. */
class TLSError extends HSessionError {}
/** CANCELLED: an AbortSignal fired, or the session was closed. */
class CancelledError extends HSessionError {}
class TooManyRedirectsError extends HSessionError {}
class TooManyRetriesError extends HSessionError {}
class BodyTooLargeError extends HSessionError {}
/** IO or PARSE: a file (cookie jar, upload) could not be read, written or parsed. */
class FileError extends HSessionError {}
/** The session was used after close(). */
class SessionClosedError extends HSessionError {}

const CLASS_OF = {
  NULL_ARGUMENT: InvalidArgumentError, INVALID_UTF8: InvalidArgumentError, INVALID_ARGUMENT: InvalidArgumentError,
  INVALID_METHOD: InvalidArgumentError, INVALID_URL: InvalidArgumentError, UNSUPPORTED_SCHEME: InvalidArgumentError,
  INVALID_HEADER_NAME: InvalidArgumentError, INVALID_HEADER_VALUE: InvalidArgumentError,
  CONNECT_TIMEOUT: TimeoutError, READ_TIMEOUT: TimeoutError, TIMEOUT: TimeoutError,
  CONNECT: ConnectionError, CONNECTION_CLOSED: ConnectionError, PROTOCOL: ConnectionError,
  TLS: TLSError, CANCELLED: CancelledError, TOO_MANY_REDIRECTS: TooManyRedirectsError,
  TOO_MANY_RETRIES: TooManyRetriesError, BODY_TOO_LARGE: BodyTooLargeError, IO: FileError, PARSE: FileError,
  PROXY: ProxyError,
};

/**
 * The rejection of a request whose AbortSignal fired, shaped as fetch's:
 * the signal's own reason when the caller gave one (`ac.abort(reason)`);
 * for the default reasons a CancelledError (code 'CANCELLED', the reason as
 * `cause`) named like the reason: 'AbortError' for `abort()`,
 * 'TimeoutError' for `AbortSignal.timeout()`. Code that checks
 * `err.name === 'AbortError'` therefore works as with fetch.
 */
function abortError(signal, url) {
  const reason = signal.reason;
  const name = reason instanceof DOMException || reason instanceof Error ? reason.name : undefined;
  if (reason !== undefined && name !== 'AbortError' && name !== 'TimeoutError') return reason;
  const err = new CancelledError(name === 'TimeoutError' ? 'The operation was aborted due to timeout' : 'This operation was aborted', {
    code: 'CANCELLED',
    url,
    cause: reason,
  });
  err.name = name || 'AbortError';
  return err;
}

function codeName(result) {
  return CODES[result] || `UNKNOWN_${result}`;
}

/** An Error of the right class for a C result; `detail` from hsession_error when there was one. */
function makeError(result, message, url, cause) {
  const code = codeName(result);
  const Cls = CLASS_OF[code] || HSessionError;
  return new Cls(message, { code, result, url, cause });
}

module.exports = {
  CODES, RESULT, codeName, makeError, abortError,
  HSessionError, InvalidArgumentError, TimeoutError, ConnectionError, ProxyError, TLSError, CancelledError,
  TooManyRedirectsError, TooManyRetriesError, BodyTooLargeError, FileError, SessionClosedError,
};
