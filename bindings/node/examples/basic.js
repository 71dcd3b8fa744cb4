'use strict';
// requests.Session example, "basic use": a session with a default User-Agent, a GET
// and a POST; cookies and the connection are reused between them.
//   node examples/basic.js http://127.0.0.1:PORT
const { Session } = require('..');

async function main(base) {
  const session = new Session({ headers: { 'User-Agent': 'MyApp/1.0' } });
  try {
    const response1 = await session.get(`${base}/json`);
    console.log(await response1.json());

    const response2 = await session.post(`${base}/submit`, { form: { key: 'value' } });
    const echo = await response2.json();
    console.log('form sent:', echo.form, 'user-agent:', echo.headers.find(([k]) => k === 'user-agent')[1]);
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
