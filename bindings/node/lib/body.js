'use strict';
// A streamed response body (NativeBody): the native response read chunk by
// chunk, its reads in flight, and the FinalizationRegistry that frees a
// body dropped unread.

const { koffi, C, ReadProto } = require('./native');
const { makeError, abortError, CancelledError } = require('./errors');
const { ERR, errorFromC, newId, hold, release, watchSignal, unwatchSignal } = require('./calls');

// Streamed bodies: hsession_response_read_async into a native buffer (the
// library writes it from another thread, so it must not be JS memory that
// the GC may move or free), copied out chunk by chunk.
const CHUNK = 64 * 1024;
const reads = new Map();

const onRead = koffi.register((id, result, n) => {
  const r = reads.get(id);
  if (r === undefined) return;
  reads.delete(id);
  release();
  r.body._readDone(result, Number(n), r);
}, koffi.pointer(ReadProto));

class NativeBody {
  constructor(resp, url, signal) {
    this.resp = resp;
    this.url = url;
    this.buf = 0n;
    this.view = null;
    this.reading = false;
    this.ended = false;
    this.freed = false;
    this.signal = signal || null;
    // An abort after the headers stops the download too.
    if (this.signal) watchSignal(this.signal, this);
  }

  abort() {
    this.destroy();
  }

  /** The next chunk as a Buffer, or null at the end of the body. */
  read() {
    return new Promise((resolve, reject) => {
      if (this.ended) return resolve(null);
      if (this.freed) return reject(this._abortError() || new CancelledError('the response body was closed', { code: 'CANCELLED', url: this.url }));
      if (this.reading) return reject(new TypeError('a read of this body is already in progress'));
      if (this.buf === 0n) {
        this.buf = koffi.alloc('uint8_t', CHUNK);
        this.view = new Uint8Array(koffi.view(this.buf, CHUNK));
      }
      const id = newId();
      const entry = { body: this, resolve, reject };
      const rc = C.response_read_async(this.resp, this.buf, CHUNK, onRead, id, ERR);
      if (rc !== 0) return reject(errorFromC(rc, this.url));
      this.reading = true;
      reads.set(id, entry);
      hold();
    });
  }

  _readDone(result, n, r) {
    this.reading = false;
    if (result !== 0) {
      this._finish();
      r.reject(this._abortError() || makeError(result, `reading the body failed: ${C.result_str(result)}`, this.url));
    } else if (n === 0) {
      this._finish();
      r.resolve(null);
    } else {
      r.resolve(Buffer.from(this.view.subarray(0, n)));
      if (this.freed) this._releaseBuffer();
    }
  }

  _abortError() {
    if (this.signal && this.signal.aborted) {
      return abortError(this.signal, this.url);
    }
    return null;
  }

  _finish() {
    this.ended = true;
    this.destroy();
  }

  _releaseBuffer() {
    if (this.buf !== 0n && !this.reading) {
      koffi.free(this.buf);
      this.buf = 0n;
      this.view = null;
    }
  }

  /** Stops the download and frees the response; a read in flight ends with CANCELLED. */
  destroy() {
    if (!this.freed) {
      this.freed = true;
      C.response_free(this.resp);
      if (this.signal) unwatchSignal(this.signal, this);
    }
    this._releaseBuffer();
  }
}

// A streamed response dropped unread frees its native response.
const bodyRegistry = new FinalizationRegistry((body) => body.destroy());

/** Body reads whose callback has not run yet (diagnostics().pendingReads). */
function pendingReads() {
  return reads.size;
}

module.exports = { NativeBody, bodyRegistry, pendingReads };
