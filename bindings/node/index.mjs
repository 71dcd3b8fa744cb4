// The ESM entry point (package.json "exports" → import): the CommonJS
// module's exports as named exports, the same objects, so `instanceof`
// holds whichever way the package was loaded.
import hsession from './index.js';

export const {
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
  libraryPath,
  version,
  abiVersion,
  diagnostics,
  setLogger,
  logLinesDropped,
} = hsession;
export default hsession;
