// Compiled with `tsc --noEmit` by test/types.test.js: typical uses of the
// declarations must type-check, and misuses (marked @ts-expect-error) must not.
import { Session, Response, TimeoutError, CancelledError, HSessionError, type Cookie } from 'hsession';

async function main(base: string): Promise<void> {
  await using session = new Session({
    baseURL: base,
    headers: { 'User-Agent': 'MyApp/1.0', Accept: ['a', 'b'] },
    auth: { username: 'user', password: 'pass' },
    timeout: { connect: 1000, total: 5000 },
    retry: { total: 3, backoffFactor: 0.1, statusForcelist: [500, 502, 503, 504] },
    redirects: { max: 5, refuseDowngrade: true },
    proxy: { http: 'http://127.0.0.1:3128', noProxy: ['localhost'] },
    tls: { verify: true, caFile: '/tmp/ca.pem', minVersion: '1.3' },
    cookies: { file: '/tmp/jar.json', format: 'json' },
  });
  const ac = new AbortController();
  const r: Response = await session.request({ method: 'POST', url: '/echo', json: { a: 1 }, query: { q: 1 }, signal: ac.signal });
  const status: number = r.status;
  const ct: string | null = r.headers.get('content-type');
  const data = await r.json<{ method: string }>();
  const m: string = data.method;
  const hops: number = r.history.length;
  const big = await session.get('/bytes/1000', { stream: true });
  for await (const chunk of big.body) chunk.byteLength;
  big.stream().pipe(process.stdout);
  const cookies: Cookie[] = session.cookies.list();
  session.cookies.set(base, { name: 'a', value: 'b', expires: new Date() });
  try {
    await session.get('/delay/10', { timeout: 1 });
  } catch (e) {
    if (e instanceof TimeoutError || e instanceof CancelledError) {
      const code: string = e.code;
      const url: string | undefined = e.url;
      void code, url;
    } else if (e instanceof HSessionError) {
      throw e;
    }
  }
  // session.fetch is a fetch: assignable where a custom fetch is taken.
  const customFetch: typeof fetch = session.fetch;
  const fr: globalThis.Response = await customFetch('/echo', { method: 'POST', body: 'x', redirect: 'manual' });
  void fr;
  {
    using s2 = new Session();
    await s2.head(base);
  }
  // Bodies beyond bytes, digest auth, per-request TLS and proxy.
  const fd = new FormData();
  fd.append('file', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
  await session.post('/echo', { body: fd, auth: { username: 'u', password: 'p', type: 'digest' } });
  await session.post('/echo', { body: new Blob(['x']), tls: { verify: false, caFile: null }, proxy: null });
  await session.post('/echo', { body: big.stream(), proxy: { http: 'http://127.0.0.1:3128' } });
  await session.post('/echo', { body: (async function* () { yield 'a'; yield new Uint8Array(1); })() });
  await session.post('/echo', { multipart: { mem: { data: new Uint8Array(2), filename: 'a.bin' }, blob: new Blob(['b']) } });
  // @ts-expect-error minVersion is a session option
  await session.get('/', { tls: { minVersion: '1.3' } });
  // @ts-expect-error auth types are basic and digest
  await session.get('/', { auth: { username: 'u', password: 'p', type: 'ntlm' } });
  void status, ct, m, hops, cookies;
  // @ts-expect-error a method name, not a number
  await session.request({ method: 1, url: '/' });
  // @ts-expect-error timeouts are numbers of milliseconds
  new Session({ timeout: '5s' });
  // @ts-expect-error the body is bytes or a string, use json for objects
  await session.post('/echo', { body: { a: 1 } });
}

void main;
