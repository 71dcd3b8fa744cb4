'use strict';
// Response: status, headers, final URL, redirect history and a body,
// buffered or streamed (lib/body.js); responseFrom makes one of a
// completed call's native response.

const { Readable } = require('node:stream');
const { C } = require('./native');
const { parseHead, parseTiming } = require('./packed');
const { OUT0, OUT1, OUT2, OUT3, errorFromC } = require('./calls');
const { NativeBody, bodyRegistry } = require('./body');

const textDecoder = new TextDecoder();

/** An HTTP response: status, headers, final URL, redirect history and body. */
class Response {
  constructor(head, body, native) {
    this.status = head.status;
    this.statusText = head.reason;
    this.ok = head.status >= 200 && head.status < 300;
    this.url = head.url;
    this.httpVersion = head.version;
    this.elapsed = head.elapsedUs / 1000;
    this.retries = head.retries;
    this.history = head.history;
    this.redirected = head.history.length > 0;
    /** Every header line in order, lower-case names, repeats kept (Set-Cookie). */
    this.rawHeaders = head.headers;
    this._headers = null;
    this._head = head.buffer;
    this._timingAt = head.timingAt;
    this._timing = null;
    this._buffer = body;
    this._native = native;
    this._used = false;
    if (native) bodyRegistry.register(this, native, native);
  }

  /** A web Headers, built on first use (most callers never look). */
  get headers() {
    if (this._headers === null) {
      const headers = new Headers();
      for (const [name, value] of this.rawHeaders) headers.append(name, value);
      this._headers = headers;
    }
    return this._headers;
  }

  /**
   * The final exchange's timings (each history entry has its own), in
   * Resource Timing's names: milliseconds from when it was sent, plus the
   * connection (reused, idleTime, addresses, tlsVersion, tlsCipher).
   */
  get timing() {
    if (this._timing === null && this._head) this._timing = parseTiming(this._head, this._timingAt)[0];
    return this._timing;
  }

  /** True once a streamed body has been read or cancelled (buffered bodies can be read again). */
  get bodyUsed() {
    return this._used;
  }

  _takeNative() {
    if (this._used) throw new TypeError('the body of this streamed response was already read');
    this._used = true;
    bodyRegistry.unregister(this._native);
    return this._native;
  }

  /** The whole body as a Buffer. */
  async buffer() {
    if (!this._native) return this._buffer;
    const native = this._takeNative();
    const chunks = [];
    let total = 0;
    try {
      for (;;) {
        const c = await native.read();
        if (c === null) break;
        chunks.push(c);
        total += c.length;
      }
    } finally {
      native.destroy();
    }
    this._buffer = Buffer.concat(chunks, total);
    this._native = null;
    return this._buffer;
  }

  async arrayBuffer() {
    const b = await this.buffer();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }

  async bytes() {
    return new Uint8Array(await this.arrayBuffer());
  }

  async text() {
    return textDecoder.decode(await this.buffer());
  }

  async json() {
    return JSON.parse(await this.text());
  }

  /** The body as a web ReadableStream of Uint8Array chunks. */
  get body() {
    if (this._bodyStream) return this._bodyStream;
    if (!this._native) {
      const b = this._buffer;
      this._bodyStream = new ReadableStream({
        start(ctrl) {
          if (b.length) ctrl.enqueue(new Uint8Array(b.buffer, b.byteOffset, b.length));
          ctrl.close();
        },
      });
      return this._bodyStream;
    }
    const native = this._takeNative();
    this._bodyStream = new ReadableStream(
      {
        async pull(ctrl) {
          try {
            const c = await native.read();
            if (c === null) ctrl.close();
            else ctrl.enqueue(new Uint8Array(c.buffer, c.byteOffset, c.length));
          } catch (e) {
            native.destroy();
            throw e;
          }
        },
        cancel() {
          native.destroy();
        },
      },
      { highWaterMark: 0 }
    );
    return this._bodyStream;
  }

  /** The body as a Node Readable of Buffers. */
  stream() {
    if (!this._native) return Readable.from(this._buffer.length ? [this._buffer] : []);
    const native = this._takeNative();
    return new Readable({
      read() {
        native.read().then(
          (c) => this.push(c),
          (e) => this.destroy(e)
        );
      },
      destroy(err, cb) {
        native.destroy();
        cb(err);
      },
    });
  }

  /** Stops a streamed download that will not be read; nothing for a buffered one. */
  close() {
    if (this._native && !this._used) this._takeNative().destroy();
  }
}

/** A Buffer holding a copy of n bytes of the library's memory at ptr. */
function copyOut(ptr, n) {
  if (n === 0) return Buffer.alloc(0);
  const b = Buffer.allocUnsafe(n);
  C.memcpy(b, ptr, n);
  return b;
}

function responseFrom(resp, p) {
  const rc = C.response_packed(resp, OUT0, OUT1, OUT2, OUT3);
  if (rc !== 0) {
    C.response_free(resp);
    throw errorFromC(rc, p.url);
  }
  const head = parseHead(copyOut(OUT0[0], Number(OUT1[0])));
  if (p.stream) return new Response(head, null, new NativeBody(resp, head.url, p.signal));
  // One copy out of the response, which is then freed.
  const body = copyOut(OUT2[0], Number(OUT3[0]));
  C.response_free(resp);
  return new Response(head, body, null);
}

module.exports = { Response, responseFrom };
