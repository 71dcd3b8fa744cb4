'use strict';
// The three ways completions reach JS (HSESSION_NODE_DELIVERY): 'socket'
// (default: a completion queue signalling a socket libuv watches),
// 'notify' (the queue calls a koffi-registered function) and 'callback'
// (one koffi-registered callback per request, hsession_send_packed). Each
// runs in its own process, since the mode is chosen when the module loads.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { useServer } = require('./helpers');

let server;
useServer((srv) => {
  server = srv;
});

const SCRIPT = `
const { Session, diagnostics } = require(${JSON.stringify(require.resolve('..'))});
(async () => {
  const base = process.argv[1];
  const s = new Session({ baseURL: base });
  const all = [];
  for (let i = 0; i < 300; i++) all.push(s.get('/delay/50?i=' + i).then((r) => r.json()));
  const got = await Promise.all(all);
  if (got.some((e, i) => e.query.i[0] !== String(i))) throw new Error('responses mixed up');
  const ac = new AbortController();
  const p = s.get('/delay/5000', { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  const code = await p.then(() => 'ok', (e) => e.code);
  const inflight = s.get('/delay/5000').then(() => 'ok', (e) => e.code);
  await new Promise((r) => setTimeout(r, 20));
  s.close();
  console.log(JSON.stringify({ delivery: diagnostics().delivery, code, closed: await inflight, pending: diagnostics().pendingRequests }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

for (const mode of ['socket', 'notify', 'callback']) {
  test(`delivery '${mode}': 300 in flight, abort, close`, async () => {
    const out = await new Promise((resolve, reject) =>
      execFile(process.execPath, ['-e', SCRIPT, server.url], { env: { ...process.env, HSESSION_NODE_DELIVERY: mode }, timeout: 60000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)
      )
    );
    assert.deepEqual(JSON.parse(out), { delivery: mode, code: 'CANCELLED', closed: 'CANCELLED', pending: 0 });
  });
}
