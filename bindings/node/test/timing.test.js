'use strict';
// response.timing: each exchange's phases (Resource Timing's names) and
// connection, measured by the library, over http and TLS.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Session } = require('..');
const { useServer, startServer, tempDir } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

const ORDER = ['fetchStart', 'domainLookupStart', 'domainLookupEnd', 'connectStart', 'connectEnd', 'requestStart', 'responseStart', 'responseEnd'];

function ordered(t) {
  for (let i = 1; i < ORDER.length; i++) {
    assert.ok(t[ORDER[i - 1]] <= t[ORDER[i]], `${ORDER[i - 1]} ${t[ORDER[i - 1]]} > ${ORDER[i]} ${t[ORDER[i]]}`);
  }
  assert.ok(t.responseEnd > 0 && t.duration === t.responseEnd);
}

test('a new connection, then the same one reused after an idle pause', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const r = await s.get('/get');
    const t = r.timing;
    ordered(t);
    assert.equal(t.reused, false);
    assert.equal(t.idleTime, null);
    assert.ok(t.connectEnd > t.fetchStart);
    assert.equal(t.secureConnectionStart, 0);
    assert.equal(t.localAddress, '127.0.0.1');
    assert.equal(t.remotePort, server.port);
    assert.equal(t.nextHopProtocol, 'http/1.1');
    assert.equal(t.tlsVersion, null);
    await new Promise((res) => setTimeout(res, 20));
    const t2 = (await s.get('/get')).timing;
    ordered(t2);
    assert.equal(t2.reused, true);
    assert.ok(t2.idleTime >= 15 && t2.idleTime < 5000, `idle ${t2.idleTime}`);
    assert.equal(t2.localPort, t.localPort);
    assert.equal(t2.connectEnd, t2.fetchStart);
  } finally {
    s.close();
  }
});

test('each redirect hop has its own timing', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const r = await s.get('/redirect/2');
    assert.equal(r.history.length, 2);
    r.history.forEach((h) => ordered(h.timing));
    assert.deepEqual(r.history.map((h) => h.timing.reused), [false, true]);
    ordered(r.timing);
    assert.equal(r.timing.reused, true);
  } finally {
    s.close();
  }
});

test('TLS: the handshake phase, version and cipher', async () => {
  const { dir, cleanup } = tempDir();
  const tls = await startServer(['--tls-self-signed', dir]);
  const s = new Session({ baseURL: tls.url, tls: { caFile: path.join(dir, 'ca.pem') } });
  try {
    const t = (await s.get('/get')).timing;
    ordered(t);
    assert.ok(t.secureConnectionStart > t.connectStart, `TLS start ${t.secureConnectionStart}`);
    assert.ok(t.connectEnd > t.secureConnectionStart);
    assert.equal(t.tlsVersion, 'TLSv1.3');
    assert.match(t.tlsCipher, /^TLS13_/);
  } finally {
    s.close();
    await tls.stop();
    cleanup();
  }
});
