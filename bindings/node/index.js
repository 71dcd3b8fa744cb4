'use strict';
// hsession for Node.js: a Promise API over the C ABI (include/hsession.h).
// Each request goes out with one call (hsession_send_packed_queued) that
// returns at once; completions come back through a completion queue, so
// nothing blocks the event loop and no worker pool limits how many are in
// flight. HTTP behaviour lives in the library, not here.
//
// This file only assembles the package; the pieces are in lib/:
//   native.js    the C ABI through koffi (which library, which functions)
//   packed.js    the packed request and response head formats
//   errors.js    result codes and the error classes
//   calls.js     out-params, C errors, requests in flight, completion delivery, AbortSignals
//   body.js      NativeBody, a streamed response body
//   response.js  Response
//   options.js   the option converters
//   cookies.js   CookieJar
//   session.js   Session
//   fetch.js     session.fetch
//   logging.js   log lines: diagnostics_channel channels and setLogger
// test/require-cycles.test.js keeps lib/'s requires free of cycles.

const { C, libPath } = require('./lib/native');
const errors = require('./lib/errors');
const { callStats } = require('./lib/calls');
const { pendingReads } = require('./lib/body');
const { Response } = require('./lib/response');
const { CookieJar } = require('./lib/cookies');
const { Session, liveSessionCount } = require('./lib/session');
const { setLogger, logLinesDropped } = require('./lib/logging');
const {
  CODES, RESULT, makeError, codeName, HSessionError, InvalidArgumentError, TimeoutError, ConnectionError, TLSError,
  CancelledError, ProxyError, TooManyRedirectsError, TooManyRetriesError, BodyTooLargeError, FileError, SessionClosedError,
} = errors;

/** Counters for tests and diagnostics: native sessions alive, callbacks outstanding. */
function diagnostics() {
  const calls = callStats();
  return {
    liveSessions: liveSessionCount(),
    pendingRequests: calls.pendingRequests,
    pendingReads: pendingReads(),
    inFlight: calls.inFlight,
    delivery: calls.delivery,
  };
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
  setLogger,
  logLinesDropped,
};
