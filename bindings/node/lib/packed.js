'use strict';
// The packed request and response head (docs/packed-format.md): a whole
// request crosses the FFI boundary in one buffer, a whole head comes back in
// one. Layout only; what the fields mean is the library's business.

const TAG = {
  METHOD: 1, URL: 2, HEADER: 3, REMOVE_HEADER: 4, QUERY: 5, BODY: 6, COOKIE: 7, BASIC_AUTH: 8,
  BEARER_AUTH: 9, NO_AUTH: 10, CONNECT_TIMEOUT: 11, READ_TIMEOUT: 12, TOTAL_TIMEOUT: 13,
  MAX_REDIRECTS: 14, MAX_BODY_SIZE: 15, STREAM: 16, FORM_FIELD: 17, FORM_FILE: 18, BODY_FILE: 19,
  RETRY: 20, FORM_BYTES: 21, VERIFY: 22, CA_FILE: 23, CLIENT_CERT: 24, PROXY: 25, NO_PROXY: 26,
  DIGEST_AUTH: 28,
};

/** Writes fields into one growing buffer; reused, so a request allocates little. */
class Packer {
  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.pos = 0;
  }

  reset() {
    this.pos = 0;
    return this;
  }

  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  // A field whose payload is written by `body` after a 5-byte header; the
  // length is patched in afterwards, so strings are encoded once.
  begin(tag, maxLen) {
    this.ensure(5 + maxLen);
    this.buf[this.pos] = tag;
    const lenAt = this.pos + 1;
    this.pos += 5;
    return lenAt;
  }

  end(lenAt) {
    this.buf.writeUInt32LE(this.pos - lenAt - 4, lenAt);
  }

  rawStr(s) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.ensure(s.length * 3);
    this.pos += this.buf.utf8Write(s, this.pos);
  }

  // A string prefixed by its own u32 length (all but the last of a field).
  prefixedStr(s) {
    this.ensure(4 + s.length * 3);
    const at = this.pos;
    this.pos += 4;
    const n = this.buf.utf8Write(s, this.pos);
    this.buf.writeUInt32LE(n, at);
    this.pos += n;
  }

  str(tag, s) {
    const at = this.begin(tag, s.length * 3);
    this.rawStr(s);
    this.end(at);
  }

  pair(tag, a, b) {
    const at = this.begin(tag, 4 + (a.length + b.length) * 3);
    this.prefixedStr(a);
    this.rawStr(b);
    this.end(at);
  }

  bytes(tag, u8) {
    const at = this.begin(tag, u8.length);
    this.buf.set(u8, this.pos);
    this.pos += u8.length;
    this.end(at);
  }

  empty(tag) {
    this.end(this.begin(tag, 0));
  }

  u8(tag, v) {
    const at = this.begin(tag, 1);
    this.buf[this.pos++] = v;
    this.end(at);
  }

  u32(tag, v) {
    const at = this.begin(tag, 4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
    this.end(at);
  }

  u64(tag, v) {
    const at = this.begin(tag, 8);
    this.buf.writeBigUInt64LE(BigInt(v), this.pos);
    this.pos += 8;
    this.end(at);
  }

  formFile(name, path, fileName, contentType) {
    const at = this.begin(TAG.FORM_FILE, 16 + (name.length + path.length + fileName.length + contentType.length) * 3);
    this.prefixedStr(name);
    this.prefixedStr(path);
    this.prefixedStr(fileName);
    this.prefixedStr(contentType);
    this.end(at);
  }

  // Tag 21: a multipart file from memory.
  formBytes(name, fileName, contentType, bytes) {
    const at = this.begin(TAG.FORM_BYTES, 12 + (name.length + fileName.length + contentType.length) * 3 + bytes.length);
    this.prefixedStr(name);
    this.prefixedStr(fileName);
    this.prefixedStr(contentType);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.end(at);
  }

  // Tag 20: i64 total, connect, read, status; f64 factor, max, jitter;
  // u8 respect Retry-After; u8 raise on status; u32 n + n x u16; methods.
  retry(r) {
    const statuses = r.statuses;
    const at = this.begin(TAG.RETRY, 4 * 8 + 3 * 8 + 2 + 4 + statuses.length * 2 + r.methods.length * 3);
    for (const n of [r.total, r.connect, r.read, r.status]) {
      this.buf.writeBigInt64LE(BigInt(n), this.pos);
      this.pos += 8;
    }
    for (const x of [r.backoffFactor, r.backoffMax, r.backoffJitter]) {
      this.buf.writeDoubleLE(x, this.pos);
      this.pos += 8;
    }
    this.buf[this.pos++] = r.respectRetryAfter ? 1 : 0;
    this.buf[this.pos++] = r.raiseOnStatus ? 1 : 0;
    this.buf.writeUInt32LE(statuses.length, this.pos);
    this.pos += 4;
    for (const s of statuses) {
      this.buf.writeUInt16LE(s, this.pos);
      this.pos += 2;
    }
    this.rawStr(r.methods);
    this.end(at);
  }
}

/**
 * Parses a packed head: u32 status, u64 elapsed µs, u32 retries, strings
 * version, reason, URL, u32 n + n header (name, value), u32 n + n (u32
 * status, URL). Header values are latin1 (bytes as the server sent them, as
 * the web Headers class expects); the rest is UTF-8.
 */
function parseHead(b) {
  let p = 0;
  const u32 = () => {
    const v = b.readUInt32LE(p);
    p += 4;
    return v;
  };
  const str = (enc) => {
    const n = u32();
    const s = b.toString(enc, p, p + n);
    p += n;
    return s;
  };
  const status = u32();
  const elapsedUs = Number(b.readBigUInt64LE(p));
  p += 8;
  const retries = u32();
  const version = str('utf8');
  const reason = str('utf8');
  const url = str('utf8');
  const nh = u32();
  const headers = new Array(nh);
  for (let i = 0; i < nh; i++) {
    const name = str('latin1');
    headers[i] = [name, str('latin1')];
  }
  const nr = u32();
  const history = new Array(nr);
  for (let i = 0; i < nr; i++) {
    const st = u32();
    history[i] = { status: st, url: str('utf8') };
  }
  let timingAt = p;
  if (nr > 0) {
    // Redirects are rare: their hops' timings are read now, the final
    // exchange's when asked for (Response.timing).
    for (let i = 0; i < nr; i++) {
      str('utf8');
      const n = u32();
      for (let j = 0; j < 2 * n; j++) str('latin1');
    }
    for (let i = 0; i < nr; i++) {
      const [timing, end] = parseTiming(b, p);
      history[i].timing = timing;
      p = end;
    }
    timingAt = p;
  }
  return { status, elapsedUs, retries, version, reason, url, headers, history, buffer: b, timingAt };
}

function addrAt(b, p) {
  const family = b[p];
  if (family === 0) return [null, null, p + 1];
  const n = family === 4 ? 4 : 16;
  let host;
  if (family === 4) {
    host = `${b[p + 1]}.${b[p + 2]}.${b[p + 3]}.${b[p + 4]}`;
  } else {
    const parts = [];
    for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(p + 1 + i).toString(16));
    host = parts.join(':');
  }
  return [host, b.readUInt16LE(p + 1 + n), p + 3 + n];
}

/**
 * Parses one timings record of a packed head (docs/packed-format.md) into
 * Resource Timing's names, in milliseconds from when the exchange was sent,
 * plus the connection's facts. Returns [timing, offset after it].
 */
function parseTiming(b, p) {
  const ms = [];
  for (let i = 0; i < 6; i++) ms.push(Number(b.readBigUInt64LE(p + 8 * i)) / 1000);
  p += 48;
  const reused = b[p] !== 0;
  const idleUs = Number(b.readBigInt64LE(p + 1));
  p += 9;
  const [localAddress, localPort, p1] = addrAt(b, p);
  const [remoteAddress, remotePort, p2] = addrAt(b, p1);
  p = p2;
  const str = () => {
    const n = b.readUInt32LE(p);
    const s = b.toString('utf8', p + 4, p + 4 + n);
    p += 4 + n;
    return s;
  };
  const tlsVersion = str() || null;
  const tlsCipher = str() || null;
  const httpVersion = str();
  const [queued, dns, connect, tls, firstByte, total] = ms;
  const timing = {
    startTime: 0,
    fetchStart: queued,
    domainLookupStart: queued,
    domainLookupEnd: dns,
    connectStart: dns,
    // Resource Timing: 0 without TLS; connectEnd includes the handshake.
    secureConnectionStart: tlsVersion && !reused ? connect : 0,
    connectEnd: tls,
    requestStart: tls,
    responseStart: firstByte,
    responseEnd: total,
    duration: total,
    nextHopProtocol: { 'HTTP/1.1': 'http/1.1', 'HTTP/1.0': 'http/1.0', 'HTTP/2': 'h2', 'HTTP/3': 'h3' }[httpVersion] || '',
    reused,
    idleTime: reused && idleUs >= 0 ? idleUs / 1000 : null,
    localAddress,
    localPort,
    remoteAddress,
    remotePort,
    tlsVersion,
    tlsCipher,
  };
  return [timing, p];
}

module.exports = { TAG, Packer, parseHead, parseTiming };
