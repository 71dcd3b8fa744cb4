'use strict';
// requests.Session example 2, "default parameters": default headers (bearer token, Accept)
// and a default timeout for every request of the session.
const { Session, TimeoutError } = require('..');

async function main(base) {
  const session = new Session({
    headers: { Authorization: 'Bearer my_token', Accept: 'application/json' },
    timeout: 5000, // ms, total; or { connect, read, total }
  });
  try {
    const response1 = await session.get(`${base}/bearer`);
    console.log('endpoint1:', await response1.json());
    const response2 = await session.get(`${base}/headers`);
    const accept = (await response2.json()).headers.find(([k]) => k === 'accept')[1];
    console.log('endpoint2 sent Accept:', accept);
    try {
      await session.get(`${base}/delay/2000`, { timeout: 200 });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      console.log(`a slow endpoint: ${e.name} ${e.code}`);
    }
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
