'use strict';
// requests.Session example 1, "keeping cookies": log in, then the session sends the login
// cookie to the protected page by itself.
const { Session } = require('..');

async function main(base) {
  const session = new Session();
  try {
    const login = await session.post(`${base}/login`, { form: { username: 'user', password: 'pass' } });
    console.log('login:', login.status, await login.json());
    const protectedPage = await session.get(`${base}/protected`);
    console.log('protected:', protectedPage.status, await protectedPage.text());
    if (protectedPage.status !== 200) throw new Error('the login cookie was not sent');
    console.log('cookies in the jar:', session.cookies.list().map((c) => c.name));
  } finally {
    session.close();
  }
}

main(process.argv[2] || process.env.HSESSION_URL).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
