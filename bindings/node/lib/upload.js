'use strict';
// Request bodies that are not bytes at hand. A Blob or File is read and
// sent as bytes; a FormData becomes a multipart/form-data body made by the
// library (text fields, files from memory). A ReadableStream, a Node
// Readable or any async iterable of bytes or strings is streamed: the
// request is built with hsession_request_set_body_callback and the body is
// read from the source chunk by chunk while it is sent (chunked, or with
// the Content-Length the caller gave), never held whole. Such a body
// cannot be sent twice, so the library returns a 307/308 redirect as the
// response and never retries the request after it was sent.

const path = require('node:path');
const { Worker, MessageChannel } = require('node:worker_threads');
const { C } = require('./native');
const { SLOT } = require('./upload-slot');
const { ERR, OUT0, startBuilderCall } = require('./calls');
const { InvalidArgumentError } = require('./errors');

const isBlob = (v) => typeof Blob !== 'undefined' && v instanceof Blob;
const isFormData = (v) => typeof FormData !== 'undefined' && v instanceof FormData;
const isStreamSource = (v) =>
  v !== null && typeof v === 'object' && ((typeof ReadableStream !== 'undefined' && v instanceof ReadableStream) || typeof v[Symbol.asyncIterator] === 'function');

/** 'stream' for a body sent from a stream, 'read' for one read first (Blob, FormData, in-memory multipart files), else null. */
function bodyKind(o) {
  const b = o.body;
  if (b !== undefined && b !== null && typeof b === 'object') {
    if (isStreamSource(b)) return 'stream';
    if (isBlob(b) || isFormData(b)) return 'read';
  }
  if (o.multipart != null) {
    for (const v of Object.values(o.multipart)) if (isBlob(v) || (v !== null && typeof v === 'object' && v.data !== undefined)) return 'read';
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
    for (const [name, v] of Object.entries(o.multipart)) {
      if (isBlob(v) || (v !== null && typeof v === 'object' && v.data !== undefined)) out.parts.push([name, await memoryPart(v, `multipart field ${name}`)]);
      else out.parts.push([name, v]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Streamed bodies. One worker thread for the process (lib/upload-worker.js)
// owns the read callback; each upload has its own slot.

let worker = null;

function uploadWorker() {
  if (worker === null) {
    worker = new Promise((resolve, reject) => {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(path.join(__dirname, 'upload-worker.js'), { workerData: { port: port2 }, transferList: [port2] });
      w.once('message', (m) => resolve({ read: m.read, port: port1 }));
      w.once('error', (e) => {
        worker = null;
        reject(e);
      });
      // Neither keeps the process alive: a request in flight does.
      w.unref();
      port1.unref();
    });
  }
  return worker;
}

// Every upload waiting for its next chunk holds one of koffi's relayed
// calls into the worker, of which there are 256; more uploads than that at
// once wait for a turn instead of failing.
const MAX_UPLOADS = 128;
let uploadsRunning = 0;
const waiting = [];

function acquire() {
  if (uploadsRunning < MAX_UPLOADS) {
    uploadsRunning++;
    return null;
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function releaseSlot() {
  const next = waiting.shift();
  if (next) next();
  else uploadsRunning--;
}

let nextUpload = 1;

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

/** One streamed body: its source, its slot, and the pump that fills the slot. */
class Upload {
  constructor(source, port) {
    this.id = nextUpload++;
    this.port = port;
    this.sab = new SharedArrayBuffer(SLOT.HEADER + SLOT.BYTES);
    this.ctl = new Int32Array(this.sab, 0, SLOT.HEADER / 4);
    this.data = new Uint8Array(this.sab, SLOT.HEADER);
    this.source = sourceOf(source);
    this.error = null;
    this.finished = false;
    port.postMessage({ id: this.id, sab: this.sab });
  }

  // Waits while the worker has a chunk to copy out; false once the request has finished.
  async slotFree() {
    while (Atomics.load(this.ctl, SLOT.STATE) === SLOT.FULL) {
      const w = Atomics.waitAsync(this.ctl, SLOT.STATE, SLOT.FULL);
      if (w.async) await w.value;
    }
    return Atomics.load(this.ctl, SLOT.STATE) === SLOT.EMPTY;
  }

  // Pulls from the source only when the slot is empty, so the source is
  // read as fast as the library sends and no faster.
  async pump() {
    try {
      let rest = null;
      while (await this.slotFree()) {
        if (rest === null || rest.length === 0) {
          const r = await this.source.next();
          if (Atomics.load(this.ctl, SLOT.STATE) !== SLOT.EMPTY) return;
          if (r.done) {
            this.set(SLOT.END);
            return;
          }
          rest = chunkBytes(r.value);
          continue;
        }
        const n = Math.min(rest.length, SLOT.BYTES);
        this.data.set(rest.subarray(0, n));
        rest = rest.subarray(n);
        this.ctl[SLOT.LENGTH] = n;
        this.ctl[SLOT.OFFSET] = 0;
        this.set(SLOT.FULL);
      }
    } catch (e) {
      this.error = e;
      this.set(SLOT.FAIL);
    }
  }

  set(state) {
    Atomics.store(this.ctl, SLOT.STATE, state);
    Atomics.notify(this.ctl, SLOT.STATE);
  }

  /** The request has finished (any outcome): a blocked read fails, the source is closed. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    this.set(SLOT.FAIL);
    this.port.postMessage({ id: this.id, drop: true });
    releaseSlot();
    this.source.close();
  }

  /** Builds the request from the packed buffer with this body and starts it; 0 or the failed call's code. */
  start(sessionPtr, pk, p, length, read) {
    OUT0[0] = 0n;
    let rc = C.request_new_packed(pk.buf, pk.pos, OUT0, ERR);
    if (rc === 0) {
      const builder = OUT0[0];
      rc = C.request_set_body_callback(builder, read, this.id, length, ERR);
      if (rc === 0) {
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

/**
 * Starts the upload worker if needed and waits for a turn; resolves to a
 * function that starts the request (packed by the caller, without the
 * body) with `source` as its streamed body.
 */
async function prepareUpload(source) {
  const { read, port } = await uploadWorker();
  const turn = acquire();
  if (turn !== null) await turn;
  try {
    return { upload: new Upload(source, port), read, length: -1 };
  } catch (e) {
    releaseSlot();
    throw new InvalidArgumentError(`the body stream cannot be read: ${e.message}`, { code: 'INVALID_ARGUMENT', cause: e });
  }
}

module.exports = { bodyKind, isStreamSource, readBody, prepareUpload, declaredLength };
