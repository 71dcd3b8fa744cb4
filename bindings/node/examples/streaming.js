'use strict';
// A large download read as it arrives (web ReadableStream or Node Readable),
// and a slow request cancelled with an AbortSignal.
const { Session, CancelledError } = require('..');
const { createHash } = require('node:crypto');
const { pipeline } = require('node:stream/promises');

async function main(base) {
  const session = new Session();
  try {
    const big = await session.get(`${base}/bytes/${64 << 20}`, { stream: true });
    let n = 0;
    for await (const chunk of big.body) n += chunk.length;
    console.log(`streamed ${n} bytes through a ReadableStream`);

    const again = await session.get(`${base}/bytes/1000000`, { stream: true });
    const hash = createHash('sha256');
    await pipeline(again.stream(), hash);
    console.log('sha256 of 1 MB through a Node Readable:', hash.digest('hex').slice(0, 16));

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    try {
      await session.get(`${base}/delay/5000`, { signal: ac.signal });
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      console.log(`aborted: ${e.code}`);
    }
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
