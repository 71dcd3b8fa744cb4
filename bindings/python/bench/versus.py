"""hsession against primp (Rust via PyO3, one Client) on one server in one
run (make bench-bindings-python): GET of a 100-byte body, read whole,
sequentially and from 8 threads sharing one session. Runs alternate between
the clients and repeat; the table gives each client's medians and the ratio
hsession ÷ primp of those medians. CPU is this process's user+sys time
(every thread, the library's included) per request. "C floor" is the same
packed request through ctypes with no Response built (bench.py's _AbiOnly):
what the library costs under the binding.

Usage: versus.py BASE_URL [REQUESTS_PER_RUN] [ROUNDS]
A benchmark prints figures; it asserts nothing about speed.
"""

import statistics
import sys

from bench import THREADS, _AbiOnly, hsession, run

import primp


def main():
    base = sys.argv[1].rstrip("/")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    url = base + "/bytes/100"
    clients = [("hsession", hsession.Session(), lambda s: s.get(url).content),
               (f"primp {primp.__version__}", primp.Client(), lambda s: s.get(url).content),
               ("C floor (ctypes)", _AbiOnly(), lambda s: s.get(url))]
    print(f"Python {sys.version.split()[0]}: GET {url}, {n} requests per run, {rounds} runs per client "
          f"and mode, alternating")
    print(f"{'mode':<12} {'client':<18} {'CPU µs/req':>11} {'req/s':>8}   ratio ÷ peer")
    try:
        for mode, threads in (("sequential", 1), (f"{THREADS} threads", THREADS)):
            for _, session, get in clients:  # warm: connections open for every thread
                run(lambda s, u: get(s), session, url, 50 * threads, threads)
            cpu = [[] for _ in clients]
            rps = [[] for _ in clients]
            for _ in range(rounds):
                for i, (_, session, get) in enumerate(clients):
                    _, c, r = run(lambda s, u: get(s), session, url, n, threads)
                    cpu[i].append(c)
                    rps[i].append(r)
            med_cpu = [statistics.median(v) for v in cpu]
            med_rps = [statistics.median(v) for v in rps]
            for i, (name, _, _) in enumerate(clients):
                ratio = (f"CPU {med_cpu[0] / med_cpu[1]:.2f}× req/s {med_rps[0] / med_rps[1]:.2f}×"
                         if i == 0 else "")
                print(f"{mode:<12} {name:<18} {med_cpu[i]:>11.1f} {med_rps[i]:>8,.0f}   {ratio}", flush=True)
    finally:
        for _, session, _ in clients:
            getattr(session, "close", lambda: None)()


if __name__ == "__main__":
    main()
