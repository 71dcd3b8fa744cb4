'use strict';
// Session and request options: auth, timeouts, retries, redirects, proxies,
// TLS, body limits, against the real test server (and a real proxy).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const hs = require('..');
const { Session } = hs;
const { startServer, useServer, tempDir, startHttpProxy } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

const header = (echo, name) => echo.headers.filter(([k]) => k === name).map(([, v]) => v);

test('auth: session basic and bearer, per-request override and none', async () => {
  const s = new Session({ baseURL: server.url, auth: { username: 'user', password: 'pass' } });
  try {
    assert.equal((await s.get('/basic-auth/user/pass')).status, 200);
    assert.equal((await s.get('/basic-auth/user/other')).status, 401);
    assert.equal((await s.get('/basic-auth/u2/p2', { auth: ['u2', 'p2'] })).status, 200);
    assert.equal((await s.get('/basic-auth/user/pass', { auth: null })).status, 401);
    const bearer = await s.get('/bearer', { auth: { bearer: 'tok-1' } });
    assert.deepEqual(await bearer.json(), { authenticated: true, token: 'tok-1' });
    s.setAuth({ bearer: 'my_token' });
    assert.equal((await (await s.get('/bearer')).json()).token, 'my_token');
    s.setAuth(null);
    assert.equal((await s.get('/bearer')).status, 401);
    assert.throws(() => s.setAuth({ username: 'a:b', password: 'x' }), (e) => e instanceof hs.InvalidArgumentError && e.code === 'INVALID_ARGUMENT');
  } finally {
    s.close();
  }
});

test('timeouts: session total, per-request total and read, TimeoutError codes', async () => {
  const s = new Session({ baseURL: server.url, timeout: 150 });
  try {
    const t0 = Date.now();
    await assert.rejects(s.get('/delay/3000'), (e) => e instanceof hs.TimeoutError && e.code === 'TIMEOUT' && /\/delay\/3000/.test(e.url));
    assert.ok(Date.now() - t0 < 2000);
    assert.equal((await s.get('/delay/400', { timeout: 3000 })).status, 200);
    await assert.rejects(s.get('/delay/3000', { timeout: { read: 100, total: 0 } }), (e) => e.code === 'READ_TIMEOUT' && e.result === 12);
    s.configure({ timeout: { connect: 1000, read: 80, total: 5000 } });
    await assert.rejects(s.get('/delay/1000'), (e) => e.code === 'READ_TIMEOUT');
    assert.throws(() => s.configure({ timeout: -1 }), hs.InvalidArgumentError);
  } finally {
    s.close();
  }
});

test('retry: status forcelist with backoff, raiseOnStatus, per-request policy', async () => {
  const s = new Session({ baseURL: server.url, retry: { total: 3, statusForcelist: [503], backoffFactor: 0.01 } });
  try {
    const r = await s.get('/flaky/node-a/2');
    assert.equal(r.status, 200);
    assert.equal(r.retries, 2);
    assert.equal((await r.json()).attempts, 3);
    await assert.rejects(s.get('/flaky/node-b/9'), (e) => e instanceof hs.TooManyRetriesError && e.code === 'TOO_MANY_RETRIES');
    // POST is not retried unless allowed.
    assert.equal((await s.post('/flaky/node-c/1')).status, 503);
    const rp = await s.post('/flaky/node-d/1', { retry: { total: 2, statusForcelist: [503], allowedMethods: '*' } });
    assert.equal(rp.status, 200);
    const last = await s.get('/flaky/node-e/5', { retry: { total: 1, statusForcelist: [503], raiseOnStatus: false } });
    assert.equal(last.status, 503);
    assert.equal((await last.json()).attempts, 2);
    assert.equal((await s.get('/flaky/node-f/1', { retry: 0 })).status, 503);
    // Retry-After is honoured on 503 (1 s), unless told otherwise.
    const t0 = Date.now();
    assert.equal((await s.get('/flaky/node-g/1?retry_after=1', { retry: { total: 1, statusForcelist: [503] } })).status, 200);
    assert.ok(Date.now() - t0 >= 900, `waited ${Date.now() - t0} ms`);
    const t1 = Date.now();
    assert.equal((await s.get('/flaky/node-h/1?retry_after=1', { retry: { total: 1, statusForcelist: [503], respectRetryAfter: false } })).status, 200);
    assert.ok(Date.now() - t1 < 900);
    assert.throws(() => s.configure({ retry: { total: 1, statusForcelist: [42] } }), hs.InvalidArgumentError);
  } finally {
    s.close();
  }
});

test('retry: connection failures are retried (connect count)', async () => {
  // A port nobody listens on: every attempt is refused.
  const port = await freePort();
  const s = new Session({ retry: { total: 2, backoffFactor: 0 } });
  try {
    await assert.rejects(s.get(`http://127.0.0.1:${port}/`), (e) => e instanceof hs.ConnectionError && e.code === 'CONNECT');
  } finally {
    s.close();
  }
});

test('redirects: history, limit, 0 returns the redirect, 303 turns POST into GET', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    const r = await s.get('/redirect/3');
    assert.equal(r.status, 200);
    assert.equal(r.url, `${server.url}/echo`);
    assert.equal(r.redirected, true);
    assert.deepEqual(
      r.history.map((h) => [h.status, new URL(h.url).pathname]),
      [
        [302, '/redirect/3'],
        [302, '/redirect/2'],
        [302, '/redirect/1'],
      ]
    );
    await assert.rejects(s.get('/redirect/3', { redirects: 2 }), (e) => e instanceof hs.TooManyRedirectsError && e.code === 'TOO_MANY_REDIRECTS');
    const raw = await s.get('/redirect/1', { redirects: false });
    assert.equal(raw.status, 302);
    assert.equal(raw.headers.get('location'), '/echo');
    const posted = await (await s.post('/redirect-to?url=/echo&status=303', { body: 'x' })).json();
    assert.equal(posted.method, 'GET');
    const kept = await (await s.post('/redirect-to?url=/echo&status=307', { body: 'x' })).json();
    assert.equal(kept.method, 'POST');
    assert.equal(kept.body, 'x');
    s.configure({ redirects: 1 });
    await assert.rejects(s.get('/redirect/2'), hs.TooManyRedirectsError);
    s.configure({ redirects: { max: 5, refuseDowngrade: true } });
    assert.equal((await s.get('/redirect/2')).status, 200);
  } finally {
    s.close();
  }
});

test('cookies: kept across requests, per-request cookies stay out of the jar', async () => {
  const s = new Session({ baseURL: server.url });
  try {
    await s.get('/cookies/set?a=1&b=2');
    let echo = await (await s.get('/cookies')).json();
    assert.deepEqual(echo.cookies, { a: '1', b: '2' });
    echo = await (await s.get('/cookies', { cookies: { b: 'override', c: '3' } })).json();
    assert.deepEqual(echo.cookies, { a: '1', b: 'override', c: '3' });
    assert.deepEqual(s.cookies.list().map((c) => `${c.name}=${c.value}`).sort(), ['a=1', 'b=2']);
    await s.get('/cookies/delete?a');
    assert.equal(s.cookies.get('a'), undefined);
    // A cookie set on a redirect hop is kept.
    await s.get(`/redirect-to?url=/echo&set_cookie=${encodeURIComponent('hop=yes; Path=/')}`);
    assert.equal(s.cookies.get('hop'), 'yes');
  } finally {
    s.close();
  }
});

test('cookie jar API: set, list, forUrl, delete, clear, jar rules', async () => {
  const s = new Session();
  const url = `${server.url}/anything/page`;
  try {
    s.cookies.set(url, 'sid=abc; Path=/anything; HttpOnly');
    s.cookies.set(url, { name: 'theme', value: 'dark', path: '/', expires: new Date(Date.now() + 3600e3) });
    s.cookies.set(url, { name: 'tmp', value: '1' });
    const list = s.cookies.list();
    const sid = list.find((c) => c.name === 'sid');
    assert.deepEqual(
      { ...sid },
      { name: 'sid', value: 'abc', domain: '127.0.0.1', path: '/anything', expires: null, secure: false, httpOnly: true, hostOnly: true }
    );
    assert.ok(list.find((c) => c.name === 'theme').expires instanceof Date);
    assert.deepEqual(s.cookies.forUrl(`${server.url}/other`).map((c) => c.name), ['theme']);
    assert.equal(s.cookies.get('sid', url), 'abc');
    const echo = await (await s.get(`${server.url}/anything/echo`)).json();
    assert.equal(echo.cookies.sid, 'abc');
    assert.equal(echo.cookies.theme, 'dark');
    assert.equal(s.cookies.delete('127.0.0.1', 'sid'), true);
    assert.equal(s.cookies.delete('127.0.0.1', 'sid'), false);
    assert.equal(s.cookies.clearSession(), 1); // tmp
    assert.equal(s.cookies.clearDomain('127.0.0.1'), 1); // theme
    assert.deepEqual(s.cookies.list(), []);
    // The jar's rules: Secure cookies are not accepted from http.
    assert.throws(() => s.cookies.set(url, 'x=1; Secure'), (e) => e instanceof hs.InvalidArgumentError && /secure/i.test(e.message));
    s.cookies.set(url, 'y=1');
    s.cookies.clear();
    assert.equal(s.cookies.list().length, 0);
  } finally {
    s.close();
  }
});

test('cookie persistence: save/load in both formats, persist() saves on close', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'jar.json');
    const txt = path.join(dir, 'cookies.txt');
    const a = new Session({ baseURL: server.url, cookies: { file } });
    const login = await a.post('/login', { form: { username: 'user', password: 'pass' } });
    assert.equal(login.status, 200);
    assert.equal((await a.get('/protected')).status, 200);
    assert.equal(a.cookies.save(txt, 'netscape'), 1);
    a.close(); // writes jar.json

    const b = new Session({ baseURL: server.url, cookies: file });
    assert.equal((await b.get('/protected')).status, 200);
    b.close();
    const c = new Session({ baseURL: server.url });
    assert.equal((await c.get('/protected')).status, 401);
    assert.equal(c.cookies.load(txt, 'netscape'), 1);
    assert.equal((await c.get('/protected')).status, 200);
    c.close();

    const d = new Session();
    assert.throws(() => d.cookies.load(path.join(dir, 'missing.json')), (e) => e instanceof hs.FileError && e.code === 'IO');
    require('node:fs').writeFileSync(path.join(dir, 'bad.json'), '{not json');
    assert.throws(() => d.cookies.load(path.join(dir, 'bad.json')), (e) => e.code === 'PARSE');
    assert.throws(() => d.cookies.save(file, 'yaml'), hs.InvalidArgumentError);
    d.close();
  } finally {
    cleanup();
  }
});

test('maxBodySize: session and per-request limit', async () => {
  const s = new Session({ baseURL: server.url, maxBodySize: 1000 });
  try {
    await assert.rejects(s.get('/bytes/5000'), (e) => e instanceof hs.BodyTooLargeError && e.code === 'BODY_TOO_LARGE');
    assert.equal((await (await s.get('/bytes/5000', { maxBodySize: 0 })).arrayBuffer()).byteLength, 5000);
    assert.equal((await (await s.get('/bytes/500')).arrayBuffer()).byteLength, 500);
  } finally {
    s.close();
  }
});

// --- proxies -----------------------------------------------------------------

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

test('proxy: http proxy with credentials (sent to the proxy only), noProxy, null removes', async () => {
  const auth = `Basic ${Buffer.from('pu:pp').toString('base64')}`;
  const proxy = await startHttpProxy(auth);
  const s = new Session({ proxy: `http://pu:pp@127.0.0.1:${proxy.port}`, trustEnv: false });
  try {
    const r = await s.get(`${server.url}/echo`);
    assert.equal(r.headers.get('x-test-proxy'), 'yes');
    const echo = await r.json();
    assert.deepEqual(header(echo, 'proxy-authorization'), []);
    assert.equal(proxy.seen.length, 1);
    assert.equal(proxy.seen[0].url, `${server.url}/echo`);

    s.configure({ proxy: { http: `http://pu:pp@127.0.0.1:${proxy.port}`, noProxy: ['127.0.0.1'] } });
    const direct = await s.get(`${server.url}/echo`);
    assert.equal(direct.headers.get('x-test-proxy'), null);
    assert.equal(proxy.seen.length, 1);

    s.configure({ proxy: { noProxy: null } });
    assert.equal((await s.get(`${server.url}/echo`)).headers.get('x-test-proxy'), 'yes');
    s.configure({ proxy: null });
    s.configure({ proxy: { http: null } });
    assert.equal((await s.get(`${server.url}/echo`)).headers.get('x-test-proxy'), null);

    // Wrong credentials: the proxy's 407 is a response.
    s.configure({ proxy: `http://pu:wrong@127.0.0.1:${proxy.port}` });
    assert.equal((await s.get(`${server.url}/echo`)).status, 407);
    assert.throws(() => s.configure({ proxy: 'ftp://127.0.0.1:1' }), hs.InvalidArgumentError);
  } finally {
    s.close();
    await proxy.close();
  }
});

test('proxy: trustEnv decides whether HTTP_PROXY applies', async () => {
  const proxy = await startHttpProxy(null);
  const old = process.env.HTTP_PROXY;
  process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.port}`;
  try {
    const trusting = new Session();
    const ignoring = new Session({ trustEnv: false });
    try {
      assert.equal((await trusting.get(`${server.url}/echo`)).headers.get('x-test-proxy'), 'yes');
      assert.equal((await ignoring.get(`${server.url}/echo`)).headers.get('x-test-proxy'), null);
    } finally {
      trusting.close();
      ignoring.close();
    }
  } finally {
    if (old === undefined) delete process.env.HTTP_PROXY;
    else process.env.HTTP_PROXY = old;
    await proxy.close();
  }
});

function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('proxy: socks5h through microsocks', { skip: !hasCommand('microsocks') && 'microsocks is not installed (apt-get install microsocks)' }, async () => {
  const port = await freePort();
  const proc = spawn('microsocks', ['-i', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const s = new Session({ proxy: `socks5h://127.0.0.1:${port}`, trustEnv: false });
    try {
      const echo = await (await s.get(`${server.url}/echo`)).json();
      assert.equal(echo.method, 'GET');
      // Through the proxy the server sees a connection from microsocks; the
      // pool still reuses it.
      await s.get(`${server.url}/echo`);
      assert.equal(s.stats.connectionsOpened, 1);
    } finally {
      s.close();
    }
  } finally {
    proc.kill();
  }
});

// --- TLS -----------------------------------------------------------------------

test('tls: verify on by default, caFile, verify off, client cert, min version', async () => {
  const { dir, cleanup } = tempDir();
  const tls = await startServer(['--tls-self-signed', dir]);
  try {
    const s = new Session({ baseURL: tls.url });
    try {
      await assert.rejects(s.get('/echo'), (e) => e instanceof hs.TLSError && e.code === 'TLS' && e.url.startsWith('https://'));
      s.configure({ tls: { caFile: path.join(dir, 'ca.pem') } });
      assert.equal((await s.get('/echo')).status, 200);
      s.configure({ tls: { minVersion: '1.3', certFile: path.join(dir, 'client.pem'), keyFile: path.join(dir, 'client-key.pem') } });
      assert.equal((await s.get('/echo')).status, 200);
      assert.throws(() => s.configure({ tls: { minVersion: '1.1' } }), hs.InvalidArgumentError);
      assert.throws(() => s.configure({ tls: { caFile: path.join(dir, 'missing.pem') } }), (e) => e.code === 'IO');
      assert.throws(() => s.configure({ tls: { certFile: path.join(dir, 'client.pem') } }), hs.InvalidArgumentError);
      // The session is unchanged by the failures above.
      assert.equal((await s.get('/echo')).status, 200);
    } finally {
      s.close();
    }
    const insecure = new Session({ tls: { verify: false } });
    try {
      assert.equal((await insecure.get(`${tls.url}/echo`)).status, 200);
    } finally {
      insecure.close();
    }
  } finally {
    await tls.stop();
    cleanup();
  }
});

test('pool.connections caps connections per host, like undici Pool connections', async () => {
  const load = async (pool) => {
    const s = new Session({ pool });
    try {
      const codes = await Promise.all(
        Array.from({ length: 32 }, (_, i) => s.get(`${server.url}/delay/20?i=${i}`).then((r) => r.status)),
      );
      assert.deepEqual(codes, Array(32).fill(200));
      return s.stats.connectionsOpened;
    } finally {
      s.close();
    }
  };
  const capped = await load({ connections: 2 });
  assert.ok(capped >= 1 && capped <= 2, `capped at 2: ${capped} connections`);
  const free = await load({});
  assert.ok(free > 2, `without a cap the same load opened only ${free}`);
  assert.throws(() => new Session({ pool: { connections: -1 } }));
});
