"""hsession against requests, httpx (and primp, when installed) on the same
local server in the same run: GET of a 100-byte body, sequential on one
session, then 8 threads sharing one session. Prints µs per request (wall
and CPU of this whole process, every thread included) and requests/s.

Usage: bench.py BASE_URL [REQUESTS]
A benchmark prints figures; it asserts nothing about speed.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import hsession  # noqa: E402

THREADS = 8


class _AbiOnly:
    """The floor under the binding: the same packed request sent through
    ctypes and the response freed, with no Response object built."""

    def __init__(self):
        import ctypes
        from hsession import _lib
        self.s = hsession.Session()
        self.lib = _lib
        self.buf = None
        self.out = ctypes.c_void_p()
        self.ref = ctypes.byref(self.out)
        self.tls = threading.local()

    def get(self, url):
        import ctypes
        if self.buf is None:
            self.buf = self.s._pack("GET", url, None, None, None, None, None, None, None, True, None,
                                    False, None, None, None)
        try:
            ref = self.tls.ref
        except AttributeError:
            out = ctypes.c_void_p()
            self.tls.out, self.tls.ref = out, ctypes.byref(out)
            ref = self.tls.ref
        rc = self.lib.request_packed(self.s._h, self.buf, len(self.buf), ref, None)
        assert rc == 0, rc
        self.lib.response_free(self.tls.out)

    def close(self):
        self.s.close()


def clients():
    out = [("hsession", hsession.Session, lambda s, u: s.get(u).content),
           ("(C ABI)", _AbiOnly, lambda s, u: s.get(u))]
    try:
        import requests
        out.append(("requests", requests.Session, lambda s, u: s.get(u).content))
    except ImportError:
        print("(requests not installed: skipped)")
    try:
        import httpx
        out.append(("httpx", httpx.Client, lambda s, u: s.get(u).content))
    except ImportError:
        print("(httpx not installed: skipped)")
    try:
        import primp
        out.append(("primp", primp.Client, lambda s, u: s.get(u).content))
    except ImportError:
        pass
    return out


def run(get, session, url, n, threads):
    per = n // threads

    def loop():
        for _ in range(per):
            get(session, url)

    w0, c0 = time.perf_counter(), time.process_time()
    if threads == 1:
        loop()
    else:
        ts = [threading.Thread(target=loop) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    done = per * threads
    return wall / done * 1e6, cpu / done * 1e6, done / wall


def main():
    base = sys.argv[1].rstrip("/")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    url = base + "/bytes/100"
    print(f"GET {url}: {n} requests per row, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"hsession library {hsession.library_version}")
    print(f"{'client':<10} {'mode':<22} {'µs/req wall':>12} {'µs/req CPU':>11} {'req/s':>9}")
    for name, make, get in clients():
        session = make()
        try:
            for _ in range(min(200, n)):  # warm up: connection, caches
                get(session, url)
            for mode, threads in (("sequential", 1), (f"{THREADS} threads, 1 session", THREADS)):
                wall, cpu, rate = run(get, session, url, n, threads)
                print(f"{name:<10} {mode:<22} {wall:>12.1f} {cpu:>11.1f} {rate:>9,.0f}", flush=True)
        finally:
            getattr(session, "close", lambda: None)()


if __name__ == "__main__":
    main()
