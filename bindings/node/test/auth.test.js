'use strict';
// Digest auth (the test server's RFC 7616 challenge) and .netrc credentials
// with trustEnv on and off.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const hs = require('..');
const { Session } = hs;
const { useServer, tempDir } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

test('digest auth: session and per-request, MD5 and SHA-256, the challenge reused', async () => {
  const s = new Session({ baseURL: server.url, trustEnv: false, auth: { username: 'user', password: 'pass', type: 'digest' } });
  try {
    let before = s.stats.requestsSent;
    const r = await s.get('/digest-auth/auth/user/pass/SHA-256');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { authenticated: true, user: 'user' });
    assert.equal(s.stats.requestsSent - before, 2, 'the 401 and its answer');
    before = s.stats.requestsSent;
    assert.equal((await s.get('/digest-auth/auth/user/pass/SHA-256')).status, 200);
    assert.equal(s.stats.requestsSent - before, 1, 'the challenge is reused');
    assert.equal((await s.get('/digest-auth/auth/user/pass/MD5')).status, 200);

    // A request's own credentials replace the session's.
    before = s.stats.requestsSent;
    assert.equal((await s.get('/digest-auth/auth/user/pass', { auth: { username: 'user', password: 'nope', type: 'digest' } })).status, 401);
    assert.equal(s.stats.requestsSent - before, 2, 'a wrong password is answered once');
    assert.equal((await s.get('/digest-auth/auth/u2/p2', { auth: { user: 'u2', password: 'p2', type: 'digest' } })).status, 200);
    assert.equal((await s.get('/digest-auth/auth/user/pass', { auth: null })).status, 401);

    // Basic stays the default type; a bad type or bad credentials are errors.
    s.setAuth({ username: 'user', password: 'pass' });
    assert.equal((await s.get('/digest-auth/auth/user/pass')).status, 401);
    assert.equal((await s.get('/basic-auth/user/pass')).status, 200);
    assert.throws(() => s.setAuth({ username: 'u', password: 'p', type: 'ntlm' }), (e) => e instanceof hs.InvalidArgumentError && /digest/.test(e.message));
    assert.throws(() => s.setAuth({ username: 'u"x', password: 'p', type: 'digest' }), (e) => e instanceof hs.InvalidArgumentError && e.code === 'INVALID_ARGUMENT');
    await assert.rejects(s.get('/echo', { auth: { username: 'u\nx', password: 'p', type: 'digest' } }), (e) => e instanceof hs.InvalidArgumentError);
    // The session is unchanged by the failures.
    assert.equal((await s.get('/basic-auth/user/pass')).status, 200);
    s.setAuth({ username: 'user', password: 'pass', type: 'digest' });
    assert.equal((await s.get('/digest-auth/auth/user/pass')).status, 200);
  } finally {
    s.close();
  }
});

test('.netrc: used with trustEnv on, ignored with it off or when the request has auth', async () => {
  const { dir, cleanup } = tempDir();
  const old = process.env.NETRC;
  const file = path.join(dir, 'netrc');
  fs.writeFileSync(file, 'machine 127.0.0.1 login user password pass\n', { mode: 0o600 });
  process.env.NETRC = file;
  const trusting = new Session({ baseURL: server.url });
  const ignoring = new Session({ baseURL: server.url, trustEnv: false });
  try {
    assert.equal((await trusting.get('/basic-auth/user/pass')).status, 200);
    assert.equal((await trusting.get('/basic-auth/user/pass', { auth: ['x', 'y'] })).status, 401);
    assert.equal((await ignoring.get('/basic-auth/user/pass')).status, 401);
    trusting.configure({ trustEnv: false });
    assert.equal((await trusting.get('/basic-auth/user/pass')).status, 401);
  } finally {
    trusting.close();
    ignoring.close();
    if (old === undefined) delete process.env.NETRC;
    else process.env.NETRC = old;
    cleanup();
  }
});
