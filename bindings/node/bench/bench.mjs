// hsession vs Node's built-in fetch (and undici's request() on a Pool, when
// undici is installed) on the same local test server in the same run:
// GET of a 100-byte body, sequential and 8 in flight. Prints µs/request
// (wall), CPU µs/request of this process (all threads, the library's
// included) and requests/s. Figures, not assertions.
//
//   node bench/bench.mjs [URL] [REQUESTS]
// Without URL it starts target/release/hsession-testserver itself.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Session } = require('../index.js');
const { startServer } = require('../test/helpers.js');

let undici = null;
try {
  undici = require('undici');
} catch {
  // optional peer
}

const argUrl = process.argv[2] && process.argv[2].startsWith('http') ? process.argv[2] : null;
const N = Number(process.argv[argUrl ? 3 : 2] || 5000);
const server = argUrl ? null : await startServer();
const base = argUrl || server.url;
const url = `${base}/bytes/100`;

async function measure(name, concurrency, one) {
  // Warm up: connections open, code paths compiled.
  for (let i = 0; i < Math.min(200, N / 10); i++) await one();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < N) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { name, concurrency, us: (wall * 1000) / N, cpuUs: (cpu.user + cpu.system) / N, rps: N / (wall / 1000) };
}

const s = new Session();
const clients = [
  ['hsession', async () => {
    const r = await s.get(url);
    if ((await r.arrayBuffer()).byteLength !== 100) throw new Error('short body');
  }],
  ['fetch (built-in)', async () => {
    const r = await fetch(url);
    if ((await r.arrayBuffer()).byteLength !== 100) throw new Error('short body');
  }],
];
let pool = null;
if (undici) {
  pool = new undici.Pool(base, { connections: 8 });
  clients.push([`undici ${undici.Pool ? 'Pool.request' : ''}`.trim(), async () => {
    const { body } = await pool.request({ path: '/bytes/100', method: 'GET' });
    if ((await body.arrayBuffer()).byteLength !== 100) throw new Error('short body');
  }]);
}

console.log(`GET ${url}, ${N} requests per row, Node ${process.version}`);
console.log('client                      in flight   µs/req wall   µs/req CPU      req/s');
for (const concurrency of [1, 8]) {
  for (const [name, one] of clients) {
    const r = await measure(name, concurrency, one);
    console.log(
      `${name.padEnd(28)}${String(concurrency).padStart(9)}${r.us.toFixed(1).padStart(14)}${r.cpuUs.toFixed(1).padStart(13)}${Math.round(r.rps).toLocaleString('en-US').padStart(11)}`
    );
  }
}
console.log(`hsession connections opened: ${s.stats.connectionsOpened}`);
s.close();
if (pool) await pool.close();
if (server) await server.stop();
