// Type declarations for hsession (hand-written; checked by test/types.test.js).

/// <reference types="node" />
import type { Readable } from 'node:stream';

/** Header input: an object (array values repeat, null removes), a Headers, or [name, value] pairs. */
export type HeadersInit =
  | Record<string, string | number | readonly (string | number)[] | null | undefined>
  | Headers
  | Iterable<readonly [string, string]>;

/** Query input: an object (array values repeat), URLSearchParams, or [key, value] pairs. */
export type QueryInit =
  | Record<string, string | number | boolean | readonly (string | number | boolean)[]>
  | URLSearchParams
  | Iterable<readonly [string, string]>;

/**
 * Basic auth as { username, password } or [user, password]; digest auth (RFC 7616) as
 * { username, password, type: 'digest' }; bearer as { bearer }; null for none.
 */
export type AuthInit =
  | { username: string; password?: string; type?: 'basic' | 'digest' }
  | { user: string; password?: string; type?: 'basic' | 'digest' }
  | readonly [string, string?]
  | { bearer: string }
  | { token: string }
  | null
  | false;

/** Milliseconds; a number is the total timeout; 0 or null means no limit. */
export type TimeoutInit = number | null | { connect?: number | null; read?: number | null; total?: number | null };

/** urllib3's Retry. A number is `total`; in the object form `total` defaults to 3, other counts to no limit. */
export type RetryInit =
  | number
  | false
  | {
      total?: number | null;
      connect?: number | null;
      read?: number | null;
      status?: number | null;
      /** Seconds: sleep before retry n >= 2 is backoffFactor * 2^(n-1). */
      backoffFactor?: number;
      backoffMax?: number;
      backoffJitter?: number;
      statusForcelist?: Iterable<number>;
      /** Methods retried after a read failure or a forcelist status; '*' for all. */
      allowedMethods?: readonly string[] | string;
      respectRetryAfter?: boolean;
      /** When status retries run out: reject with TooManyRetriesError (true) or return the last response. */
      raiseOnStatus?: boolean;
    };

/** A redirect limit (false = 0: return redirects as they are; true = 30). */
export type RedirectsInit = number | boolean | { max?: number; refuseDowngrade?: boolean };

export type ProxyInit =
  | string
  | null
  | {
      http?: string | null;
      https?: string | null;
      all?: string | null;
      /** Hosts, domains, IPs, CIDR blocks, '*'; each may have ':port'. */
      noProxy?: string | readonly string[] | null;
    };

export interface TlsOptions {
  /** Verify the server's certificate (default true). */
  verify?: boolean;
  /** PEM file of CA certificates that replace the platform's roots; null goes back to them. */
  caFile?: string | null;
  /** Client certificate chain (PEM) and its key (PEM), for mutual TLS; both null removes it. */
  certFile?: string | null;
  keyFile?: string | null;
  minVersion?: '1.2' | '1.3' | 'TLSv1.2' | 'TLSv1.3';
}

export type CookieFileFormat = 'json' | 'netscape';

export interface SessionOptions {
  /** Resolves relative request URLs. */
  baseURL?: string | URL;
  headers?: HeadersInit;
  auth?: AuthInit;
  /** Query parameters added to every request. */
  query?: QueryInit;
  timeout?: TimeoutInit;
  retry?: RetryInit;
  redirects?: RedirectsInit;
  proxy?: ProxyInit;
  /** Use HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the environment (default true). */
  trustEnv?: boolean;
  tls?: TlsOptions;
  pool?: {
    idleTimeout?: number;
    maxIdlePerHost?: number;
    /** At most this many connections open to one host (like undici's Pool `connections`); requests beyond it wait for a free one, at most the connect timeout. 0 or null: no cap (default). */
    connections?: number | null;
    /** HTTP/2 keep-alive pings (ms): a pooled HTTP/2 connection that does not answer one within `timeout` is closed, so a dead one is found in seconds. */
    http2KeepAlive?: { interval: number; timeout: number } | null;
  };
  /** Largest decoded body in bytes (default 256 MiB); 0 or null for no limit. Not applied to streamed bodies. */
  maxBodySize?: number | null;
  /** A cookie file loaded now and saved when the session is closed (see CookieJar.persist). */
  cookies?: string | { file: string; format?: CookieFileFormat } | null;
}

export interface RequestOptions {
  method?: string;
  url?: string | URL;
  headers?: HeadersInit;
  query?: QueryInit;
  /**
   * Raw body; a string is sent as text/plain;charset=UTF-8 and a Blob with its type unless a
   * Content-Type is given; a FormData as multipart/form-data. A ReadableStream, Readable or
   * async iterable is streamed as it is read (chunked, or with the Content-Length header given),
   * and is never sent twice: a 307/308 is returned as the response, and no retry resends it.
   */
  body?:
    | string
    | Uint8Array
    | ArrayBuffer
    | ArrayBufferView
    | URLSearchParams
    | Blob
    | FormData
    | ReadableStream<Uint8Array>
    | Readable
    | AsyncIterable<Uint8Array | string>
    | null;
  /** Sent as JSON with Content-Type application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | number | boolean> | URLSearchParams | Iterable<readonly [string, string]>;
  /**
   * multipart/form-data: a string is a text field, { path } a file streamed from disk, a Blob
   * or { data } a file in memory.
   */
  multipart?: Record<
    string,
    | string
    | Blob
    | { path: string; filename?: string; contentType?: string }
    | { data: Uint8Array | ArrayBuffer | Blob | string; filename?: string; contentType?: string }
  >;
  /** A file streamed from disk as the body. */
  bodyFile?: string;
  /** Cookies for this request only; they never enter the jar. */
  cookies?: Record<string, string> | Iterable<readonly [string, string]>;
  auth?: AuthInit;
  /** This request's proxy; null sends it without any proxy. */
  proxy?: ProxyInit;
  /** This request's TLS settings (caFile null: the platform roots; certFile and keyFile null: no client certificate). */
  tls?: Omit<TlsOptions, 'minVersion'>;
  timeout?: TimeoutInit;
  retry?: RetryInit;
  redirects?: RedirectsInit;
  maxBodySize?: number | null;
  /** Resolve as soon as the headers are in; read the body as it arrives. */
  stream?: boolean;
  signal?: AbortSignal | null;
}

/**
 * One exchange's timings, measured by the library, in Resource Timing's
 * names: milliseconds from when the exchange was sent (the request's start,
 * or for the exchange after a redirect, when the redirect was answered). A
 * phase that did not happen ends where the one before it did.
 */
export interface Timing {
  readonly startTime: number;
  /** Handed to the connection pool. */
  readonly fetchStart: number;
  readonly domainLookupStart: number;
  readonly domainLookupEnd: number;
  readonly connectStart: number;
  /** TCP connected and the TLS handshake began; 0 without a new TLS connection. */
  readonly secureConnectionStart: number;
  /** Connected, the TLS handshake included. */
  readonly connectEnd: number;
  /** The connection ready for the request (its writing is not measured apart). */
  readonly requestStart: number;
  /** The response head received. */
  readonly responseStart: number;
  /** The body received (the head, for a streamed body). */
  readonly responseEnd: number;
  readonly duration: number;
  /** "http/1.1", "h2". */
  readonly nextHopProtocol: string;
  /** The connection came from the pool. */
  readonly reused: boolean;
  /** How long a reused connection had been unused, in ms; null if new or not known. */
  readonly idleTime: number | null;
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** "TLSv1.3", "TLSv1.2"; null over http. */
  readonly tlsVersion: string | null;
  /** The cipher suite's IANA name; null over http. */
  readonly tlsCipher: string | null;
}

export interface HistoryEntry {
  status: number;
  url: string;
  /** This hop's timings. */
  timing: Timing;
}

export declare class Response {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  /** The final URL, after redirects. */
  readonly url: string;
  readonly headers: Headers;
  /** Every header line in order, lower-case names, repeats kept. */
  readonly rawHeaders: ReadonlyArray<[string, string]>;
  /** The redirects followed, first first. */
  readonly history: ReadonlyArray<HistoryEntry>;
  readonly redirected: boolean;
  readonly httpVersion: string;
  /** Milliseconds from the call to the last byte (to the headers for a streamed body). */
  readonly elapsed: number;
  /** Retries the retry policy used. */
  readonly retries: number;
  /** The final exchange's timings (each history entry has its own). */
  readonly timing: Timing;
  readonly bodyUsed: boolean;
  /** The body as a web stream (for a streamed response: read once). */
  readonly body: ReadableStream<Uint8Array>;
  buffer(): Promise<Buffer>;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = any>(): Promise<T>;
  /** The body as a Node Readable of Buffers. */
  stream(): Readable;
  /** Stops a streamed download that will not be read. */
  close(): void;
}

export interface Cookie {
  name: string;
  value: string;
  /** The host of a host-only cookie, else the Domain without a leading dot. */
  domain: string;
  path: string;
  /** null for a session cookie. */
  expires: Date | null;
  secure: boolean;
  httpOnly: boolean;
  hostOnly: boolean;
}

export interface CookieInit {
  name: string;
  value: string;
  domain?: string | null;
  path?: string | null;
  /** A Date or Unix seconds; omitted for a session cookie. */
  expires?: Date | number | null;
  secure?: boolean;
  httpOnly?: boolean;
  hostOnly?: boolean;
}

export declare class CookieJar {
  list(): Cookie[];
  forUrl(url: string | URL): Cookie[];
  get(name: string, url?: string | URL): string | undefined;
  /** A Set-Cookie string or fields, as if `url` had sent it. */
  set(url: string | URL, cookie: string | CookieInit): this;
  delete(domain: string, name: string, path?: string | null): boolean;
  clear(): void;
  clearDomain(domain: string): number;
  clearSession(): number;
  save(path: string, format?: CookieFileFormat): number;
  load(path: string, format?: CookieFileFormat): number;
  /** Loads `path` now (missing = empty) and saves the jar there when the session is closed. */
  persist(path: string, format?: CookieFileFormat): number;
  toJSON(): Cookie[];
}

export declare class Session implements Disposable, AsyncDisposable {
  constructor(options?: SessionOptions);
  readonly cookies: CookieJar;
  readonly closed: boolean;
  /** Requests of this session still in flight. */
  readonly inFlight: number;
  readonly stats: { requestsSent: number; connectionsOpened: number };
  /**
   * A WHATWG fetch over this session (cookies, pool, retries, proxies,
   * defaults), bound: hand `session.fetch` to code that takes a custom
   * fetch. Resolves to a web Response whose body streams; a request body
   * that is a stream is read whole before sending.
   */
  readonly fetch: typeof globalThis.fetch;
  configure(options: SessionOptions): this;
  setHeader(name: string, value: string | number | readonly (string | number)[] | null): this;
  appendHeader(name: string, value: string | number): this;
  removeHeader(name: string): this;
  setAuth(auth: AuthInit): this;
  request(options: RequestOptions & { url: string | URL }): Promise<Response>;
  request(url: string | URL, options?: RequestOptions): Promise<Response>;
  get(url: string | URL, options?: RequestOptions): Promise<Response>;
  head(url: string | URL, options?: RequestOptions): Promise<Response>;
  options(url: string | URL, options?: RequestOptions): Promise<Response>;
  delete(url: string | URL, options?: RequestOptions): Promise<Response>;
  post(url: string | URL, options?: RequestOptions): Promise<Response>;
  put(url: string | URL, options?: RequestOptions): Promise<Response>;
  patch(url: string | URL, options?: RequestOptions): Promise<Response>;
  /** Frees the session; requests in flight reject with CancelledError. Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
  /** Closes, then waits until the requests that were in flight have settled. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The C result names, e.g. 'TIMEOUT', 'CANCELLED', 'TLS', 'CONNECT'. */
export type ErrorCode =
  | 'NULL_ARGUMENT' | 'INVALID_UTF8' | 'INVALID_ARGUMENT' | 'INVALID_METHOD' | 'INVALID_URL'
  | 'UNSUPPORTED_SCHEME' | 'INVALID_HEADER_NAME' | 'INVALID_HEADER_VALUE' | 'NOT_FOUND' | 'CONNECT'
  | 'CONNECT_TIMEOUT' | 'READ_TIMEOUT' | 'TIMEOUT' | 'CONNECTION_CLOSED' | 'PROTOCOL' | 'TLS' | 'DECODE'
  | 'TOO_MANY_REDIRECTS' | 'CANCELLED' | 'WRONG_THREAD' | 'RUNTIME' | 'PANIC' | 'INTERNAL' | 'PENDING'
  | 'IO' | 'PARSE' | 'BODY_TOO_LARGE' | 'TOO_MANY_RETRIES' | 'PROXY' | 'SESSION_CLOSED';

export declare class HSessionError extends Error {
  readonly code: ErrorCode | string;
  /** The C result number (undefined for SESSION_CLOSED, which is the binding's). */
  readonly result: number | undefined;
  /** The URL concerned, credentials redacted. */
  readonly url?: string;
}
export declare class InvalidArgumentError extends HSessionError {}
export declare class TimeoutError extends HSessionError {}
export declare class ConnectionError extends HSessionError {}
/** PROXY: the proxy could not be reached or refused the tunnel. */
export declare class ProxyError extends ConnectionError {}
export declare class TLSError extends HSessionError {}
/**
 * CANCELLED: the session was closed, or an AbortSignal fired. For a signal
 * the error is named as fetch's are: `name` is 'AbortError' after
 * `abort()` and 'TimeoutError' after `AbortSignal.timeout()` (the signal's
 * reason is `cause`); a reason the caller gave (`abort(reason)`) is the
 * rejection itself.
 */
export declare class CancelledError extends HSessionError {}
export declare class TooManyRedirectsError extends HSessionError {}
export declare class TooManyRetriesError extends HSessionError {}
export declare class BodyTooLargeError extends HSessionError {}
export declare class FileError extends HSessionError {}
export declare class SessionClosedError extends HSessionError {}

export declare const CODES: readonly string[];
export declare const RESULT: Readonly<Record<string, number>>;
export declare function codeName(result: number): string;
/** The Error of the right class for a C result code. */
export declare function makeError(result: number, message: string, url?: string, cause?: unknown): HSessionError;
/**
 * The libhsession.so loaded: HSESSION_LIB when set, else the platform
 * package's (@hsession/linux-x64-gnu), else (in a source checkout)
 * target/release, else the installed libhsession.so.0.
 */
export declare const libraryPath: string;
export declare function version(): string;
export declare function abiVersion(): number;
/** One log line: its level, the whole line, its words and its key=value fields. */
export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  line: string;
  message: string;
  fields: Record<string, string>;
}
/**
 * Routes the library's log lines to `fn` for every session of the process
 * (`null` stops it); lines at `level` (default 'debug') or more important.
 * The same records are published on diagnostics_channel: `hsession:log`
 * (every line), `hsession:client:connected`, `hsession:client:connectError`,
 * `hsession:client:sendHeaders`, `hsession:request:headers`,
 * `hsession:request:trailers`, `hsession:request:error`,
 * `hsession:request:retry`, `hsession:request:redirect`.
 */
export declare function setLogger(
  fn: ((level: LogRecord['level'], line: string, record: LogRecord) => void) | null,
  level?: LogRecord['level'],
): void;
/** Log lines lost because the JS thread did not keep up. */
export declare function logLinesDropped(): number;
/** Counters for tests and diagnostics, and how completions reach JS (HSESSION_NODE_DELIVERY). */
export declare function diagnostics(): { liveSessions: number; pendingRequests: number; pendingReads: number; inFlight: number; delivery: 'socket' | 'notify' | 'callback' };
