'use strict';
// requests.Session example, "closing a session": the session as a context manager. With
// TypeScript or a Node that has `using`: `using session = new Session()`;
// here the same by hand, with Symbol.dispose in finally.
const { Session } = require('..');

async function main(base) {
  const session = new Session();
  try {
    session.setHeader('User-Agent', 'MyApp/1.0');
    const response = await session.get(`${base}/json`);
    console.log(await response.json());
  } finally {
    session[Symbol.dispose](); // = session.close()
  }
  console.log('closed:', session.closed);
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
