'use strict';
// requests.Session example 5, "custom adapters": urllib3-style retries with backoff
// on 500/502/503/504. /flaky/KEY/2 fails twice, then answers 200.
const { Session } = require('..');

async function main(base) {
  const session = new Session({
    retry: { total: 3, backoffFactor: 0.1, statusForcelist: [500, 502, 503, 504] },
  });
  try {
    const key = `example-${process.pid}-${Date.now()}`;
    const response = await session.get(`${base}/flaky/${key}/2`);
    console.log(response.status, await response.json(), `after ${response.retries} retries`);
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
