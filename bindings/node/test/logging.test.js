'use strict';
// The library's log lines reach a logger function and diagnostics_channel
// subscribers on the JS thread, and no credentials appear in them.

const test = require('node:test');
const assert = require('node:assert');
const dc = require('node:diagnostics_channel');
const { startServer } = require('./helpers');
const hsession = require('..');

async function waitFor(records, ...parts) {
  const end = Date.now() + 5000;
  for (;;) {
    const r = records.find((rec) => parts.every((p) => rec.line.includes(p)));
    if (r) return r;
    if (Date.now() > end) assert.fail(`no line with ${JSON.stringify(parts)} in ${JSON.stringify(records.map((x) => x.line))}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

test('a logger and the channels receive lines, without credentials', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const logged = [];
  hsession.setLogger((level, line, record) => logged.push(record), 'trace');
  const published = [];
  const onRedirect = (msg) => published.push(msg);
  dc.subscribe('hsession:request:redirect', onRedirect);
  t.after(() => {
    hsession.setLogger(null);
    dc.unsubscribe('hsession:request:redirect', onRedirect);
  });
  const s = new hsession.Session({ retry: { total: 2, backoffFactor: 0, statusForcelist: [503] } });
  t.after(() => s.close());
  const withUser = srv.url.replace('http://', 'http://alice:s3cret@');
  const r = await s.get(`${withUser}/redirect/1`, { headers: { Authorization: 'Bearer tok3n', Cookie: 'a=c00kie' } });
  assert.strictEqual(r.status, 200);
  const done = await waitFor(logged, 'done 200 GET', '/redirect/1');
  assert.strictEqual(done.level, 'info');
  assert.ok(Number(done.fields.elapsed_ms) >= 0, JSON.stringify(done));
  assert.ok(done.message.startsWith('done 200 GET http://'), done.message);
  await waitFor(published, 'redirect 302', '/echo');
  assert.strictEqual((await s.get(`${srv.url}/flaky/nodelog/1`)).status, 200);
  const retry = await waitFor(logged, 'retry GET');
  assert.strictEqual(retry.level, 'warn');
  assert.strictEqual(retry.fields.reason, 'status 503');
  await waitFor(logged, 'new connection to 127.0.0.1:');
  for (const rec of logged) {
    for (const secret of ['alice', 's3cret', 'tok3n', 'c00kie']) {
      assert.ok(!rec.line.includes(secret), `${secret} in ${rec.line}`);
    }
  }
});

test('the level filters and null stops the logger', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const logged = [];
  hsession.setLogger((level, line, record) => logged.push(record), 'info');
  const s = new hsession.Session();
  t.after(() => s.close());
  await s.get(`${srv.url}/echo`);
  await waitFor(logged, 'done 200 GET');
  assert.ok(logged.every((r) => ['error', 'warn', 'info'].includes(r.level)), JSON.stringify(logged));
  hsession.setLogger(null);
  const n = logged.length;
  await s.get(`${srv.url}/echo`);
  await new Promise((res) => setTimeout(res, 100));
  assert.strictEqual(logged.length, n);
  assert.throws(() => hsession.setLogger(() => {}, 'loud'), TypeError);
});
