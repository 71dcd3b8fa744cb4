'use strict';
// session.fetch: the WHATWG fetch signature over a Session, so code and SDKs
// that take a custom `fetch` send through the session (its cookies, pool,
// retries, proxies, defaults). Arguments are normalised by the platform's
// own Request (body kinds, header rules, GET-with-body errors); a stream
// given as init.body is streamed to the server (lib/upload.js), any other
// body is read into memory first. The answer is a web Response whose body
// streams from the library.

const { HSessionError, CancelledError } = require('./errors');
const { isStreamSource } = require('./upload');

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** A fetch-style TypeError('fetch failed') around a library failure; aborts stay as they are. */
function fetchError(e) {
  if (!(e instanceof HSessionError) || e instanceof CancelledError) return e;
  return new TypeError('fetch failed', { cause: e });
}

function makeFetch(session) {
  return async function fetch(input, init = undefined) {
    const o = init || {};
    const fromRequest = typeof Request !== 'undefined' && input instanceof Request;
    let url = fromRequest ? input.url : input instanceof URL ? input.href : String(input);
    if (session._baseURL !== null) url = new URL(url, session._baseURL).href;
    // The caller's own signal (the Request's is a copy that follows it).
    const signal = o.signal !== undefined ? o.signal : fromRequest ? input.signal : null;
    const request = new Request(fromRequest ? input : url, { ...o, signal: undefined, duplex: o.body != null ? 'half' : undefined });
    const redirect = o.redirect || request.redirect;
    const method = request.method;
    const streamed = request.body !== null && isStreamSource(o.body);
    const body = request.body === null ? undefined : streamed ? request.body : Buffer.from(await request.arrayBuffer());
    let res;
    try {
      res = await session.request({
        url: fromRequest ? new URL(request.url).href : url,
        method,
        headers: [...request.headers],
        body,
        redirects: redirect === 'follow' ? undefined : 0,
        signal: signal || undefined,
        stream: true,
      });
    } catch (e) {
      throw fetchError(e);
    }
    // A streamed body cannot be sent again, so the library returns a 307 or
    // 308 instead of following it; fetch calls that a network error.
    if (streamed && redirect === 'follow' && (res.status === 307 || res.status === 308)) {
      res.close();
      throw new TypeError('fetch failed', { cause: new Error(`cannot follow the ${res.status} redirect to ${res.headers.get('location')}: the body was a stream and cannot be sent again`) });
    }
    if (redirect === 'error' && REDIRECT_STATUS.has(res.status)) {
      res.close();
      throw new TypeError('fetch failed', { cause: new Error(`redirect to ${res.headers.get('location')} with redirect: 'error'`) });
    }
    const headers = new Headers();
    for (const [name, value] of res.rawHeaders) headers.append(name, value);
    const nullBody = method === 'HEAD' || NULL_BODY_STATUS.has(res.status);
    if (nullBody) res.close();
    const out = new Response(nullBody ? null : wrapErrors(res.body), { status: res.status, statusText: res.statusText, headers });
    Object.defineProperty(out, 'url', { value: res.url, enumerable: true });
    Object.defineProperty(out, 'redirected', { value: res.redirected, enumerable: true });
    return out;
  };
}

// Body read failures as fetch gives them: TypeError with the cause; aborts as they are.
function wrapErrors(stream) {
  const reader = stream.getReader();
  return new ReadableStream(
    {
      async pull(ctrl) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          throw fetchError(e);
        }
        if (r.done) ctrl.close();
        else ctrl.enqueue(r.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 }
  );
}

module.exports = { makeFetch };
