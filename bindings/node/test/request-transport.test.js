'use strict';
// Per-request TLS and proxy options (verify, caFile, client certificate,
// proxy, noProxy): each applies to its request only and leaves the
// session's settings as they were.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const hs = require('..');
const { Session } = hs;
const { startServer, useServer, tempDir, startHttpProxy } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

test('tls per request: verify, caFile, caFile null, client certificate', async () => {
  const { dir, cleanup } = tempDir();
  const tls = await startServer(['--tls-self-signed', dir]);
  const ca = path.join(dir, 'ca.pem');
  try {
    const s = new Session({ baseURL: tls.url, trustEnv: false });
    try {
      await assert.rejects(s.get('/echo'), (e) => e instanceof hs.TLSError);
      assert.equal((await s.get('/echo', { tls: { caFile: ca } })).status, 200);
      assert.equal((await s.get('/echo', { tls: { verify: false } })).status, 200);
      // The session's settings are unchanged by them.
      await assert.rejects(s.get('/echo'), (e) => e instanceof hs.TLSError);
      s.configure({ tls: { caFile: ca } });
      assert.equal((await s.get('/echo')).status, 200);
      await assert.rejects(s.get('/echo', { tls: { caFile: null } }), (e) => e instanceof hs.TLSError, 'null: the platform roots');
      await assert.rejects(s.get('/echo', { tls: { caFile: path.join(dir, 'missing.pem') } }), (e) => e instanceof hs.FileError && e.code === 'IO');
      await assert.rejects(s.get('/echo', { tls: { certFile: path.join(dir, 'client.pem') } }), hs.InvalidArgumentError);
      await assert.rejects(s.get('/echo', { tls: { minVersion: '1.3' } }), hs.InvalidArgumentError);
      assert.equal((await s.get('/echo')).status, 200);
    } finally {
      s.close();
    }
  } finally {
    await tls.stop();
    cleanup();
  }

  // Mutual TLS: the server requires a certificate from its CA.
  const m = tempDir();
  const mtls = await startServer(['--tls-self-signed', m.dir, '--tls-client-ca', path.join(m.dir, 'ca.pem')]);
  try {
    const s = new Session({ baseURL: mtls.url, trustEnv: false, tls: { caFile: path.join(m.dir, 'ca.pem') } });
    try {
      await assert.rejects(s.get('/echo'), (e) => e instanceof hs.HSessionError, 'no client certificate');
      const cert = { certFile: path.join(m.dir, 'client.pem'), keyFile: path.join(m.dir, 'client-key.pem') };
      assert.equal((await s.get('/echo', { tls: cert })).status, 200);
      s.configure({ tls: cert });
      assert.equal((await s.get('/echo')).status, 200);
      await assert.rejects(s.get('/echo', { tls: { certFile: null, keyFile: null } }), (e) => e instanceof hs.HSessionError, 'certificate removed for the request');
      assert.equal((await s.get('/echo')).status, 200);
    } finally {
      s.close();
    }
  } finally {
    await mtls.stop();
    m.cleanup();
  }
});

test('proxy per request: a URL, { http }, noProxy, null goes direct', async () => {
  const auth = `Basic ${Buffer.from('pu:pp').toString('base64')}`;
  const proxy = await startHttpProxy(auth);
  const other = await startHttpProxy(null);
  const s = new Session({ trustEnv: false });
  const viaProxy = (r) => r.headers.get('x-test-proxy') === 'yes';
  try {
    const url = `${server.url}/echo`;
    assert.equal(viaProxy(await s.get(url)), false);
    const r = await s.get(url, { proxy: `http://pu:pp@127.0.0.1:${proxy.port}` });
    assert.equal(viaProxy(r), true);
    assert.deepEqual((await r.json()).headers.filter(([k]) => k === 'proxy-authorization'), []);
    assert.equal(proxy.seen.length, 1);
    assert.equal(viaProxy(await s.get(url)), false, 'the session still goes direct');
    assert.equal(viaProxy(await s.get(url, { proxy: { http: `http://127.0.0.1:${other.port}` } })), true);
    assert.equal(other.seen.length, 1);
    assert.equal(viaProxy(await s.get(url, { proxy: { http: `http://127.0.0.1:${other.port}`, noProxy: ['127.0.0.1'] } })), false);
    assert.equal(other.seen.length, 1);

    // The session's proxy, bypassed per request by null and by noProxy.
    s.configure({ proxy: `http://127.0.0.1:${other.port}` });
    assert.equal(viaProxy(await s.get(url)), true);
    assert.equal(viaProxy(await s.get(url, { proxy: null })), false);
    assert.equal(viaProxy(await s.get(url, { proxy: { noProxy: '127.0.0.1' } })), false);
    assert.equal(other.seen.length, 2);
    assert.equal(viaProxy(await s.get(url)), true);

    await assert.rejects(s.get(url, { proxy: 'ftp://127.0.0.1:1' }), hs.InvalidArgumentError);
    await assert.rejects(s.get(url, { proxy: { noProxy: '[bad' } }), hs.InvalidArgumentError);
    assert.equal(viaProxy(await s.get(url)), true);
  } finally {
    s.close();
    await proxy.close();
    await other.close();
  }
});
