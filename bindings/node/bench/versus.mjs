// hsession against undici's request() on one Pool, on one server in one run
// (make bench-bindings-node): GET of a 100-byte body, read whole, 1, 8 and
// 256 in flight. Each client is warmed up (WARMUP requests: connections
// open, code optimised) before anything is timed; then runs alternate
// between the clients and repeat, and the table gives each client's medians
// and the ratio hsession ÷ undici of those medians. CPU is this process's
// user+sys time (process.cpuUsage, every thread, the library's included)
// per request. "C floor" is the packed request through a synchronous koffi
// call of hsession_request_packed with no Response built, sequential only:
// what the library costs under the binding.
//
//   node bench/versus.mjs URL [REQUESTS_PER_RUN] [ROUNDS] [WARMUP]
// A benchmark prints figures; it asserts nothing about speed.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Session } = require('../index.js');
const { lib, C } = require('../lib/native.js');
const { Packer, TAG } = require('../lib/packed.js');
const undici = require('undici');

const base = process.argv[2];
if (!base || !base.startsWith('http')) {
  console.error('usage: node bench/versus.mjs URL [REQUESTS_PER_RUN] [ROUNDS] [WARMUP]');
  process.exit(2);
}
const N = Number(process.argv[3] || 5000);
const ROUNDS = Number(process.argv[4] || 3);
const WARMUP = Number(process.argv[5] || 3000);
const url = `${base}/bytes/100`;

async function measure(concurrency, n, one) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / n, rps: n / (wall / 1000) };
}

const s = new Session();
const pool = new undici.Pool(base);
const requestPacked = lib.func('uint32_t hsession_request_packed(void *s, const uint8_t *data, size_t len, _Out_ void **resp, void *err)');
const floorSession = new Session();
const pk = new Packer();
pk.str(TAG.METHOD, 'GET');
pk.str(TAG.URL, url);
const packed = pk.buf.subarray(0, pk.pos);
const respOut = [null];

const clients = [
  ['hsession', async () => {
    const r = await s.get(url);
    if ((await r.arrayBuffer()).byteLength !== 100) throw new Error('short body');
  }],
  [`undici ${require('undici/package.json').version} Pool`, async () => {
    const { body } = await pool.request({ path: '/bytes/100', method: 'GET' });
    if ((await body.arrayBuffer()).byteLength !== 100) throw new Error('short body');
  }],
  ['C floor (koffi)', async () => {
    const rc = requestPacked(floorSession._ptr, packed, packed.length, respOut, null);
    if (rc !== 0) throw new Error(`hsession_request_packed: ${rc}`);
    C.response_free(respOut[0]);
  }, 1],
];

const median = (v) => {
  const a = [...v].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

console.log(`Node ${process.version}: GET ${url}, ${N} requests per run, ${ROUNDS} runs per client and mode, alternating, ${WARMUP} warm-up requests each`);
console.log(`${'in flight'.padEnd(10)}${'client'.padEnd(20)}${'CPU µs/req'.padStart(11)}${'req/s'.padStart(9)}   ratio ÷ peer`);
for (const [, one, only] of clients) await measure(only || 8, WARMUP, one);
for (const concurrency of [1, 8, 256]) {
  const runs = clients.filter(([, , only]) => !only || only === concurrency);
  const cpu = runs.map(() => []);
  const rps = runs.map(() => []);
  for (const [, one] of runs) await measure(concurrency, Math.min(N, 4 * concurrency), one); // open connections
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < runs.length; i++) {
      const m = await measure(concurrency, N, runs[i][1]);
      cpu[i].push(m.cpuUs);
      rps[i].push(m.rps);
    }
  }
  runs.forEach(([name], i) => {
    const ratio = i === 0 ? `CPU ${(median(cpu[0]) / median(cpu[1])).toFixed(2)}× req/s ${(median(rps[0]) / median(rps[1])).toFixed(2)}×` : '';
    console.log(
      `${String(concurrency).padEnd(10)}${name.padEnd(20)}${median(cpu[i]).toFixed(1).padStart(11)}${Math.round(median(rps[i])).toLocaleString('en-US').padStart(9)}   ${ratio}`
    );
  });
}
s.close();
floorSession.close();
await pool.close();
