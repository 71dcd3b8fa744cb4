"""One session shared by threads and by forked processes; closing a session
while requests are in flight; the GIL released during network calls."""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import hsession



def _wait_child(pid, hung_message, seconds=20):
    """waitpid with a deadline: a hung child is killed and fails the test."""
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail(hung_message)
        time.sleep(0.02)

def test_32_threads_share_one_session(base):
    with hsession.Session() as s:
        s.headers["X-Shared"] = "yes"
        s.get(base + "/cookies/set?shared=1")

        def work(i):
            out = []
            for j in range(20):
                r = s.get(base + "/echo", params={"t": str(i), "j": str(j)})
                body = r.json()
                assert ["x-shared", "yes"] in body["headers"]
                assert body["cookies"] == {"shared": "1"}
                out.append(r.url)
            return out

        with ThreadPoolExecutor(32) as ex:
            urls = [u for us in ex.map(work, range(32)) for u in us]
        assert len(urls) == 640 and len(set(urls)) == 640
        assert s.requests_sent == 641
        # One pool: far fewer connections than requests (at most one per thread).
        assert s.connections_opened <= 33


def test_gil_is_released_during_requests(s, base):
    done = threading.Event()
    ticks = 0

    def slow():
        s.get(base + "/delay/300")
        done.set()

    t = threading.Thread(target=slow)
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    # Python code ran the whole time the request waited.
    assert ticks > 10000


def test_os_fork_child_uses_the_parents_session(s, base):
    s.headers["X-From"] = "parent"
    s.get(base + "/cookies/set?forked=1")
    # A request in flight in another thread while we fork.
    t = threading.Thread(target=lambda: s.get(base + "/delay/300"))
    t.start()
    time.sleep(0.05)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must not hang, must keep cookies and headers
        os.close(r)
        code = 1
        try:
            body = s.get(base + "/echo", timeout=5).json()
            ok = ["x-from", "parent"] in body["headers"] and body["cookies"] == {"forked": "1"}
            os.write(w, b"ok" if ok else repr(body).encode()[:500])
            code = 0
        except BaseException as e:  # noqa: BLE001 (report anything to the parent)
            os.write(w, repr(e).encode()[:500])
        finally:
            os._exit(code)
    os.close(w)
    status = _wait_child(pid, "the forked child hung")
    msg = os.read(r, 1000)
    os.close(r)
    t.join()
    assert msg == b"ok" and os.waitstatus_to_exitcode(status) == 0, msg
    assert s.get(base + "/echo").ok  # the parent goes on too


_POOL_SESSION = None


def _pool_work(args):
    base, i = args
    r = _POOL_SESSION.get(base + "/echo", params={"i": str(i)}, timeout=5)
    return os.getpid(), r.json()["cookies"], r.url


def test_multiprocessing_fork_pool(base):
    global _POOL_SESSION
    _POOL_SESSION = hsession.Session()
    try:
        _POOL_SESSION.get(base + "/cookies/set?pool=1")
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(3) as pool:
            results = pool.map_async(_pool_work, [(base, i) for i in range(24)]).get(timeout=60)
        assert len(results) == 24
        assert all(c == {"pool": "1"} for _, c, _ in results)
        assert os.getpid() not in {p for p, _, _ in results}
        assert sorted(u for _, _, u in results) == sorted(f"{base}/echo?i={i}" for i in range(24))
        assert _POOL_SESSION.get(base + "/echo").ok
    finally:
        _POOL_SESSION.close()
        _POOL_SESSION = None


def test_close_from_another_thread_with_32_requests_in_flight(base):
    for _ in range(3):
        s = hsession.Session()
        outcomes = []
        lock = threading.Lock()
        started = threading.Barrier(33)

        def work(i):
            started.wait()
            try:
                path = "/delay/200" if i % 2 else "/bytes/20000"
                r = s.get(base + path, stream=(i % 4 == 0))
                data = r.content
                out = ("done", r.status_code, len(data))
            except hsession.RequestException as e:
                out = ("raised", type(e).__name__, str(e))
            with lock:
                outcomes.append(out)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        started.wait()
        time.sleep(0.02)
        s.close()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads)
        assert len(outcomes) == 32
        for o in outcomes:
            assert o[0] == "raised" or o[1] == 200, o
        with pytest.raises(hsession.SessionClosed):
            s.get(base + "/echo")


def test_fork_while_another_thread_holds_the_session_lock(s, base):
    # A fork at the moment another thread is inside the session's own
    # bookkeeping must not leave the child locked out.
    s._guard.acquire()
    try:
        pid = os.fork()
        if pid == 0:
            try:
                ok = s.get(base + "/json", timeout=5).ok
                os._exit(0 if ok else 1)
            except BaseException:
                os._exit(2)
    finally:
        s._guard.release()
    status = _wait_child(pid, "the forked child hung on the session lock")
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_blocking_pool_caps_connections_per_host(base):
    # requests' HTTPAdapter(pool_maxsize=2, pool_block=True): 16 threads
    # take turns on at most 2 connections.
    from hsession.adapters import HTTPAdapter
    with hsession.Session() as s:
        s.mount("http://", HTTPAdapter(pool_maxsize=2, pool_block=True))
        assert s.max_connections_per_host == 2
        with ThreadPoolExecutor(16) as ex:
            codes = list(ex.map(lambda i: s.get(f"{base}/delay/20?i={i}").status_code, range(64)))
        assert codes == [200] * 64
        assert 1 <= s.connections_opened <= 2
    with hsession.Session() as s:
        with pytest.raises(ValueError):
            s.max_connections_per_host = 0
        with ThreadPoolExecutor(16) as ex:
            list(ex.map(lambda i: s.get(f"{base}/delay/20?i={i}"), range(64)))
        assert s.connections_opened > 2  # the control: this load needs more
