'use strict';
// requests.Session example 4, "authentication": HTTP basic auth for every request.
const { Session } = require('..');

async function main(base) {
  const session = new Session({ auth: { username: 'user', password: 'pass' } });
  try {
    const response = await session.get(`${base}/basic-auth/user/pass`);
    console.log(response.status, await response.json());
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
