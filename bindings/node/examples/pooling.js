'use strict';
// requests.Session example 3, "connection pooling": requests without a session (a new one, so a
// new connection, each time) against requests on one session (one kept-alive
// connection).
const { Session } = require('..');
const { performance } = require('node:perf_hooks');

async function main(base) {
  const url = `${base}/json`;
  let start = performance.now();
  for (let i = 0; i < 5; i++) {
    const once = new Session();
    await (await once.get(url)).arrayBuffer();
    once.close();
  }
  console.log(`Without session: ${((performance.now() - start) / 1000).toFixed(4)} seconds`);

  const session = new Session();
  start = performance.now();
  for (let i = 0; i < 5; i++) await (await session.get(url)).arrayBuffer();
  console.log(`With session: ${((performance.now() - start) / 1000).toFixed(4)} seconds`);
  console.log('session stats:', session.stats); // 5 requests, 1 connection
  session.close();
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
