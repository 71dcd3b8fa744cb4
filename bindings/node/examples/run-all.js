'use strict';
// Starts the test server and runs every example against it (make demo-node).
// Exits non-zero if any example fails.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer } = require('../test/helpers');

const EXAMPLES = ['basic', 'cookies', 'defaults', 'pooling', 'auth', 'retries', 'dispose', 'streaming'];

(async () => {
  const server = await startServer();
  let failed = 0;
  try {
    console.log(`test server: ${server.url}`);
    for (const name of EXAMPLES) {
      console.log(`\n== examples/${name}.js`);
      const r = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`), server.url], { stdio: 'inherit' });
      if (r.status !== 0) {
        failed++;
        console.log(`!! ${name} failed (exit ${r.status})`);
      }
    }
  } finally {
    await server.stop();
  }
  console.log(`\n${EXAMPLES.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
})();
