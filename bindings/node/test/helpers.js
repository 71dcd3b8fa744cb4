'use strict';
// Starts the project's test server (target/release/hsession-testserver, or
// HSESSION_TESTSERVER) on a free port for one test file. With
// --exit-on-stdin-eof and stdin a pipe, the server dies with this process
// even if a test crashes it.

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = process.env.HSESSION_TESTSERVER || path.join(ROOT, 'target', 'release', 'hsession-testserver');

/** Runs the test server with extra args; resolves to { url, port, dir, stop() }. */
function startServer(args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(SERVER, ['--exit-on-stdin-eof', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`test server exited early (code ${code})`)));
    const lines = readline.createInterface({ input: proc.stdout });
    lines.once('line', (line) => {
      const m = /^PORT=(\d+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line from the test server: ${line}`));
      proc.removeAllListeners('exit');
      const port = Number(m[1]);
      const scheme = args.includes('--tls-self-signed') ? 'https' : 'http';
      resolve({
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        stop() {
          return new Promise((res) => {
            if (proc.exitCode !== null) return res();
            proc.once('exit', () => res());
            proc.kill();
          });
        },
      });
    });
  });
}

/**
 * Registers before/after hooks for a test file: starts the test server (and,
 * with `session`, a Session on it), hands them to `ready`, and stops both
 * after the file's tests.
 */
function useServer(ready, { session = false } = {}) {
  const { before, after } = require('node:test');
  let server;
  let s;
  before(async () => {
    server = await startServer();
    if (session) {
      const { Session } = require('..');
      s = new Session({ baseURL: server.url });
    }
    ready(server, s);
  });
  after(async () => {
    if (s) s.close();
    if (server) await server.stop();
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsession-node-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A small forward proxy for http:// URLs: counts requests, checks Proxy-Authorization. */
function startHttpProxy(expectAuth) {
  const seen = [];
  const srv = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers['proxy-authorization'] });
    if (expectAuth && req.headers['proxy-authorization'] !== expectAuth) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
      return;
    }
    const target = new URL(req.url);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (ur) => {
      res.writeHead(ur.statusCode, { ...ur.headers, 'x-test-proxy': 'yes' });
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ port: srv.address().port, seen, close: () => new Promise((r) => srv.close(r)) })));
}

module.exports = { ROOT, SERVER, startServer, useServer, tempDir, startHttpProxy };
