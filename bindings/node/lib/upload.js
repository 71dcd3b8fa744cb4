'use strict';
// Request bodies that are not bytes at hand. A Blob or File is read and
// sent as bytes; a FormData becomes a multipart/form-data body made by the
// library (text fields, files from memory). A ReadableStream, a Node
// Readable or any async iterable of bytes or strings is streamed: the
// request is built with hsession_request_set_body_pipe and the body is
// read from the source chunk by chunk while it is sent (chunked, or with
// the Content-Length the caller gave), never held whole. Such a body
// cannot be sent twice, so the library returns a 307/308 redirect as the
// response and never retries the request after it was sent.

const net = require('node:net');
const { C } = require('./native');
const { ERR, OUT0, startBuilderCall } = require('./calls');
const { InvalidArgumentError } = require('./errors');
const { entriesOf } = require('./options');

const isBlob = (v) => typeof Blob !== 'undefined' && v instanceof Blob;
const isFormData = (v) => typeof FormData !== 'undefined' && v instanceof FormData;
const isStreamSource = (v) =>
  v !== null && typeof v === 'object' && ((typeof ReadableStream !== 'undefined' && v instanceof ReadableStream) || typeof v[Symbol.asyncIterator] === 'function');

/** A multipart value that is a file in memory: a Blob or { data, filename?, contentType? }. */
const isMemoryFile = (v) => isBlob(v) || (v !== null && typeof v === 'object' && v.data !== undefined);

/** 'stream' for a body sent from a stream, 'read' for one read first (Blob, FormData, in-memory multipart files), else null. */
function bodyKind(o) {
  const b = o.body;
  if (b !== undefined && b !== null && typeof b === 'object') {
    if (isStreamSource(b)) return 'stream';
    if (isBlob(b) || isFormData(b)) return 'read';
  }
  if (o.multipart != null) {
    for (const [, v] of entriesOf(o.multipart)) if (isMemoryFile(v)) return 'read';
  }
  return null;
}

async function bytesOf(v, what) {
  if (isBlob(v)) return Buffer.from(await v.arrayBuffer());
  if (typeof v === 'string') return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  throw new InvalidArgumentError(`${what} must be a Blob, Buffer, TypedArray, ArrayBuffer or string`, { code: 'INVALID_ARGUMENT' });
}

/** A multipart file part held in memory, as FORM_BYTES packs it. */
async function memoryPart(v, what) {
  const blob = isBlob(v);
  return {
    bytes: await bytesOf(blob ? v : v.data, what),
    filename: String((blob ? v.name : v.filename) ?? (blob ? 'blob' : '')),
    contentType: String((blob ? v.type : v.contentType) || (blob ? 'application/octet-stream' : '')),
  };
}

/**
 * The request options with a Blob body read into bytes (its type as the
 * Content-Type unless one is given), and a FormData body or a multipart
 * option with in-memory files turned into `parts`: [name, text |
 * { path, filename, contentType } | { bytes, filename, contentType }].
 */
async function readBody(o) {
  const out = { ...o };
  if (isBlob(o.body)) {
    out.body = await bytesOf(o.body);
    if (o.body.type) out.defaultContentType = o.body.type;
  } else if (isFormData(o.body)) {
    out.body = undefined;
    out.parts = [];
    for (const [name, v] of o.body) out.parts.push([name, typeof v === 'string' ? v : await memoryPart(v, `FormData field ${name}`)]);
  }
  if (o.multipart != null) {
    out.multipart = undefined;
    out.parts = [];
    for (const [name, v] of entriesOf(o.multipart)) out.parts.push([name, isMemoryFile(v) ? await memoryPart(v, `multipart field ${name}`) : v]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Streamed bodies: the library reads them from a pipe
// (hsession_request_set_body_pipe) on its blocking pool while it sends;
// this side writes the source's chunks into the pipe as frames (u32 LE
// length, bytes), then an end frame, or a failure frame if the source
// throws. A pipe closed without the end frame (the request ended, the
// thread or process torn down) fails the request, so a body is never cut
// short silently. The request completes through the completion queue like
// any other (hsession_send_queued).

const END_FRAME = Buffer.from([0, 0, 0, 0]);
const FAIL_FRAME = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const MAX_FRAME = 0xfffffffe;
const FD = new Int32Array(1);

function chunkBytes(v) {
  if (typeof v === 'string') return Buffer.from(v);
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`a streamed body must yield Buffer, Uint8Array or string chunks, not ${v === null ? 'null' : typeof v}`);
}

/**
 * The source as { next(), close() }. close() must end a read in progress,
 * which an async iterator's return() does not (it waits for the pending
 * next()), so a ReadableStream is read and cancelled through its reader
 * and a Node Readable is destroyed.
 */
function sourceOf(source) {
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    const reader = source.getReader();
    return { next: () => reader.read(), close: () => reader.cancel().catch(() => {}) };
  }
  const it = source[Symbol.asyncIterator]();
  if (typeof source.destroy === 'function' && typeof source.pipe === 'function') {
    return { next: () => it.next(), close: () => source.destroy() };
  }
  return { next: () => it.next(), close: () => typeof it.return === 'function' && Promise.resolve(it.return()).catch(() => {}) };
}

/** One streamed body: its source, the pipe's write end, and the pump between them. */
class Upload {
  constructor(source) {
    if (!C.request_set_body_pipe) {
      throw new InvalidArgumentError('this libhsession cannot stream a request body (it has no hsession_request_set_body_pipe); update it', { code: 'INVALID_ARGUMENT' });
    }
    try {
      this.source = sourceOf(source);
    } catch (e) {
      throw new InvalidArgumentError(`the body stream cannot be read: ${e.message}`, { code: 'INVALID_ARGUMENT', cause: e });
    }
    this.length = -1;
    this.pipe = null;
    this.error = null;
    this.finished = false;
  }

  /** Builds the request from the packed buffer with this body and starts it; 0 or the failed call's code. */
  start(sessionPtr, pk, p) {
    OUT0[0] = 0n;
    let rc = C.request_new_packed(pk.buf, pk.pos, OUT0, ERR);
    if (rc === 0) {
      const builder = OUT0[0];
      rc = C.request_set_body_pipe(builder, this.length, FD, ERR);
      if (rc === 0) {
        this.pipe = new net.Socket({ fd: FD[0], readable: false, writable: true });
        // EPIPE once the library has stopped reading: the request's outcome says why.
        this.pipe.on('error', () => {});
        this.pipe.unref(); // the request in flight holds the event loop
        // The pending entry settles through these, so the upload always ends with its request.
        const { resolve, reject } = p;
        p.resolve = (v) => (this.finish(), resolve(v));
        p.reject = (e) => (this.finish(), reject(this.withCause(e)));
        rc = startBuilderCall(sessionPtr, builder, p);
      }
      C.request_free(builder); // the call holds what it needs
    }
    if (rc === 0) this.pump();
    else this.finish();
    return rc;
  }

  // Reads the source only as fast as the pipe drains, so the source is
  // read while the library sends and never held whole.
  async pump() {
    try {
      for (;;) {
        const r = await this.source.next();
        if (this.finished) return;
        if (r.done) {
          this.pipe.end(END_FRAME);
          return;
        }
        const bytes = chunkBytes(r.value);
        let room = true;
        for (let off = 0; off < bytes.length; off += MAX_FRAME) {
          const part = bytes.subarray(off, off + MAX_FRAME);
          const head = Buffer.allocUnsafe(4);
          head.writeUInt32LE(part.length);
          this.pipe.write(head);
          room = this.pipe.write(part);
        }
        if (!room) await this.drained();
      }
    } catch (e) {
      this.error = e;
      if (!this.finished) this.pipe.end(FAIL_FRAME);
    }
  }

  drained() {
    return new Promise((resolve) => {
      const done = () => {
        this.pipe.off('drain', done);
        this.pipe.off('close', done);
        resolve();
      };
      this.pipe.on('drain', done);
      this.pipe.on('close', done);
    });
  }

  /** The request has finished (any outcome): the pipe and the source are closed. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    if (this.pipe !== null) this.pipe.destroy();
    this.source.close();
  }

  // A read that failed because the source threw: the source's error is the cause.
  withCause(e) {
    if (this.error !== null && e && e.code === 'IO' && e.cause === undefined) {
      Object.defineProperty(e, 'cause', { value: this.error, writable: true, configurable: true });
    }
    return e;
  }
}

/** The Content-Length the caller gave for a streamed body, else -1 (chunked). */
function declaredLength(headers) {
  for (const [k, v] of headers) {
    if (String(k).toLowerCase() === 'content-length' && v !== null && v !== undefined) {
      const n = Number(Array.isArray(v) ? v[0] : v);
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`content-length must be a whole number of bytes, not ${v}`, { code: 'INVALID_ARGUMENT' });
      return n;
    }
  }
  return -1;
}

module.exports = { bodyKind, isStreamSource, readBody, Upload, declaredLength };
