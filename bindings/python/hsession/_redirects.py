"""Redirects as requests derives them: SessionRedirectMixin (requests'
redirect methods, which Session inherits), the proxies of a redirected
request, and hop_requests, the PreparedRequest of each hop that the library
followed (a redirect hop's Response.request). It imports neither models nor
sessions, so both import it; sessions re-exports its public names."""

from http.cookiejar import CookieJar
from urllib.parse import urljoin, urlparse
from urllib.request import getproxies_environment, proxy_bypass_environment

from ._prepare import get_auth_from_url, requote_uri
from .auth import _basic_auth_str
from .cookies import RequestsCookieJar, SessionCookies, cookiejar_from_dict, extract_cookies_to_jar, merge_cookies
from .exceptions import ChunkedEncodingError, ContentDecodingError, SessionClosed, TooManyRedirects
from .utils import rewind_body

DEFAULT_PORTS = {"http": 80, "https": 443}


class SessionRedirectMixin:
    """requests' redirect methods. The library follows redirects itself with
    the same rules; when a Session subclass overrides one of these, send()
    follows redirects here instead, one hop per library call, so the
    override decides (see _python_redirects)."""

    def get_redirect_target(self, resp):
        """The Location of a redirect response (None otherwise)."""
        if resp.is_redirect:
            location = resp.headers["location"]
            if isinstance(location, str):
                # Location bytes arrive as latin-1 text; they were UTF-8.
                try:
                    location = location.encode("latin1").decode("utf8")
                except UnicodeError:
                    pass
            return location
        return None

    def should_strip_auth(self, old_url, new_url):
        """Whether Authorization must go when a redirect goes old_url -> new_url."""
        old, new = urlparse(old_url), urlparse(new_url)
        if old.hostname != new.hostname:
            return True
        # http -> https on the standard ports keeps it (RFC 7235 allows the upgrade).
        if old.scheme == "http" and old.port in (80, None) and new.scheme == "https" and new.port in (443, None):
            return False
        changed_port = old.port != new.port
        changed_scheme = old.scheme != new.scheme
        default_port = (DEFAULT_PORTS.get(old.scheme, None), None)
        if not changed_scheme and old.port in default_port and new.port in default_port:
            return False
        return changed_port or changed_scheme

    def rebuild_method(self, prepared_request, response):
        """303 (and 302, as browsers do) become GET, 301 POST too."""
        method = prepared_request.method
        if response.status_code == 303 and method != "HEAD":
            method = "GET"
        if response.status_code == 302 and method != "HEAD":
            method = "GET"
        if response.status_code == 301 and method == "POST":
            method = "GET"
        prepared_request.method = method

    def rebuild_auth(self, prepared_request, response):
        """Drops Authorization when the redirect leaves the origin (should_strip_auth)."""
        headers = prepared_request.headers
        strip = self.should_strip_auth(response.request.url, prepared_request.url)
        if "Authorization" in headers and strip:
            del headers["Authorization"]
        if strip:
            prepared_request._hs_digest = None  # digest credentials stay with their origin

    def rebuild_proxies(self, prepared_request, proxies):
        """The proxies for a (redirected) request: those given, plus the
        environment's for its scheme (trust_env); sets Proxy-Authorization
        for an http proxy with credentials, as requests does."""
        headers = prepared_request.headers
        scheme = urlparse(prepared_request.url).scheme
        new_proxies = resolve_proxies(prepared_request, proxies, self.trust_env)
        headers.pop("Proxy-Authorization", None)
        proxy = new_proxies.get(scheme)
        username, password = get_auth_from_url(proxy) if proxy else (None, None)
        if not scheme.startswith("https") and username and password:
            headers["Proxy-Authorization"] = _basic_auth_str(username, password)
        return new_proxies

    def resolve_redirects(self, resp, req, stream=False, timeout=None, verify=True, cert=None, proxies=None,
                          yield_requests=False, **adapter_kwargs):
        """Follows the redirects of resp, yielding each response (or, with
        yield_requests, each next request without sending it)."""
        hist = []
        url = self.get_redirect_target(resp)
        previous_fragment = urlparse(req.url).fragment
        while url:
            prepared_request = req.copy()
            hist.append(resp)
            resp.history = hist[1:]
            try:
                resp.content  # noqa: B018 (read, so the connection can be reused)
            except (ChunkedEncodingError, ContentDecodingError, RuntimeError):
                pass
            if len(resp.history) >= self.max_redirects:
                raise TooManyRedirects(f"Exceeded {self.max_redirects} redirects.", response=resp)
            resp.close()
            if url.startswith("//"):
                url = urlparse(resp.url).scheme + ":" + url
            parsed = urlparse(url)
            if parsed.fragment == "" and previous_fragment:
                parsed = parsed._replace(fragment=previous_fragment)
            elif parsed.fragment:
                previous_fragment = parsed.fragment
            url = parsed.geturl()
            url = urljoin(resp.url, requote_uri(url)) if not parsed.netloc else requote_uri(url)
            prepared_request.url = url
            self.rebuild_method(prepared_request, resp)
            if resp.status_code not in (307, 308):
                for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                    prepared_request.headers.pop(header, None)
                prepared_request.body = None
            headers = prepared_request.headers
            headers.pop("Cookie", None)
            if prepared_request._cookies is None:
                prepared_request._cookies = RequestsCookieJar()
            extract_cookies_to_jar(prepared_request._cookies, req, resp)
            merge_cookies(prepared_request._cookies, _session_jar(self))
            prepared_request.prepare_cookies(prepared_request._cookies)
            proxies = self.rebuild_proxies(prepared_request, proxies)
            self.rebuild_auth(prepared_request, resp)
            # A file body read for the first hop is read again from where it began.
            rewindable = prepared_request._body_position is not None and (
                "Content-Length" in headers or "Transfer-Encoding" in headers)
            if rewindable:
                rewind_body(prepared_request)
            req = prepared_request
            if yield_requests:
                yield req
            else:
                resp = self.send(req, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies,
                                 allow_redirects=False, **adapter_kwargs)
                url = self.get_redirect_target(resp)
                yield resp


def resolve_proxies(request, proxies, trust_env=True):
    """proxies plus the environment's proxy for the request's scheme (unless
    no_proxy / NO_PROXY bypasses it), as requests.utils.resolve_proxies."""
    proxies = proxies if proxies is not None else {}
    url = request.url
    scheme = urlparse(url).scheme
    new_proxies = proxies.copy()
    if trust_env:
        env = _environ_proxies(url, proxies.get("no_proxy"))
        proxy = env.get(scheme, env.get("all"))
        if proxy:
            new_proxies.setdefault(scheme, proxy)
    return new_proxies


def _session_jar(session):
    """The session's cookies as a RequestsCookieJar (a snapshot of the library's jar)."""
    cookies = getattr(session, "cookies", None)
    if isinstance(cookies, SessionCookies):
        try:
            return cookies.to_jar()
        except SessionClosed:
            return RequestsCookieJar()  # a closed session's jar is gone
    if isinstance(cookies, CookieJar):
        return cookies
    return cookiejar_from_dict(cookies or {})


def hop_requests(session, prep, history, final_url):
    """The PreparedRequest of each redirect hop and of the final request,
    derived from the first as requests' resolve_redirects would have made
    them (the library followed the redirects; it reports each hop's URL)."""
    mixin = session if session is not None else SessionRedirectMixin()
    preps = [prep]
    for i, hop in enumerate(history):
        nxt = prep.copy()
        nxt.url = history[i + 1].url if i + 1 < len(history) else final_url
        mixin.rebuild_method(nxt, hop)
        if hop.status_code not in (307, 308):
            for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                nxt.headers.pop(header, None)
            nxt.body = None
        if nxt.headers.pop("Cookie", None) is not None or nxt._cookies is not None:
            jar = nxt._cookies if nxt._cookies is not None else RequestsCookieJar()
            extract_cookies_to_jar(jar, prep, hop)
            if session is not None:
                merge_cookies(jar, _session_jar(session))
            nxt.prepare_cookies(jar)
        if "Authorization" in nxt.headers and mixin.should_strip_auth(prep.url, nxt.url):
            del nxt.headers["Authorization"]
        preps.append(nxt)
        prep = nxt
    return preps


def _environ_proxies(url, no_proxy=None):
    """The environment's proxies for url ({} when no_proxy or NO_PROXY bypasses it)."""
    env = getproxies_environment()
    bypass = env.pop("no", None) if no_proxy is None else no_proxy
    if not env:
        return {}
    if bypass:
        host = urlparse(url).netloc.rpartition("@")[2]
        if bypass.strip() == "*" or proxy_bypass_environment(host, {"no": bypass}):
            return {}
    return env
