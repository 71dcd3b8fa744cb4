'use strict';
// Runs the example programs and the raw-ABI ffi-napi example against the test
// server and checks what they print.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { useServer } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

function run(file) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, '..', 'examples', file), server.url], { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const EXPECT = {
  'basic.js': [/Sample Slide Show/, /form sent: \{ key: 'value' \} user-agent: MyApp\/1\.0/],
  'cookies.js': [/login: 200/, /protected: 200 \{"authenticated":true,"user":"user"\}/, /cookies in the jar: \[ 'session' \]/],
  'defaults.js': [/token: 'my_token'/, /endpoint2 sent Accept: application\/json/, /TimeoutError TIMEOUT/],
  'pooling.js': [/Without session: [\d.]+ seconds/, /With session: [\d.]+ seconds/, /requestsSent: 5, connectionsOpened: 1/],
  'auth.js': [/^200 \{ authenticated: true, user: 'user' \}/m],
  'retries.js': [/^200 \{ attempts: 3 \} after 2 retries/m],
  'dispose.js': [/Sample Slide Show/, /closed: true/],
  'streaming.js': [/streamed 67108864 bytes/, /sha256 of 1 MB through a Node Readable: [0-9a-f]{16}/, /aborted: CANCELLED/],
};

for (const [file, patterns] of Object.entries(EXPECT)) {
  test(`example ${file}`, async () => {
    const out = await run(file);
    for (const p of patterns) assert.match(out, p);
  });
}

let ffiNapi = null;
try {
  require.resolve('@2060.io/ffi-napi');
  require.resolve('@2060.io/ref-napi');
  require('@2060.io/ffi-napi'); // the native part must load too
  ffiNapi = true;
} catch (e) {
  ffiNapi = `@2060.io/ffi-napi is not installed or did not build (${e.code || e.message}); npm ci installs it as a dev dependency`;
}

test('the raw C ABI through @2060.io/ffi-napi', { skip: ffiNapi === true ? false : ffiNapi }, async () => {
  const out = await run('raw-abi-ffi-napi.js');
  assert.match(out, /^libhsession \d+\.\d+\.\d+$/m);
  assert.match(out, /status 200 content-type application\/json/);
  assert.match(out, /body \{"slideshow":/);
  assert.match(out, /error could not connect \| could not connect: .*\| http:\/\/127\.0\.0\.1:1\//);
  assert.doesNotMatch(out, /secret/);
});
