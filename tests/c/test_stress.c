/* Stress: many threads share one session while other threads keep changing
 * its settings (headers, timeouts, retries, cookies, and proxy/no_proxy
 * changes that build a new connection pool under the requests in flight);
 * then sessions are freed with async calls in flight. Every request must
 * succeed, every callback run exactly once, and the sanitizer (ASan here,
 * TSan with `make tsan`, valgrind with `make test-c-valgrind`) stay silent.
 *
 * Counts come from the environment so one program serves `make test`
 * (small), `make stress` (64 threads x 10,000 requests) and the slow
 * checkers: HSESSION_STRESS_THREADS, HSESSION_STRESS_REQUESTS (per thread),
 * HSESSION_STRESS_INFLIGHT (async calls outstanding when a session is freed). */
#include "testutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static test_server srv;
static hsession *shared;
static atomic_int stop_setters;
static atomic_long failures, done_requests;

static long env_long(const char *name, long dflt) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, hsession_result rc, hsession_error *err) {
    if (atomic_fetch_add(&failures, 1) < 10)
        fprintf(stderr, "%s: %s (%s)\n", what, hsession_result_str(rc), err ? hsession_error_message(err) : "");
}

/* One packed GET of `path` (tag 1 method, tag 2 URL). */
static size_t pack_get(uint8_t *buf, const char *url) {
    size_t n = 0;
    const char *fields[2] = {"GET", url};
    for (int i = 0; i < 2; i++) {
        uint32_t len = (uint32_t)strlen(fields[i]);
        buf[n++] = (uint8_t)(i + 1);
        memcpy(buf + n, &len, 4); /* little-endian host */
        n += 4;
        memcpy(buf + n, fields[i], len);
        n += len;
    }
    return n;
}

static void on_done(void *user_data, hsession_call *call, hsession_result result) {
    (void)call;
    (void)result;
    atomic_fetch_add((atomic_int *)user_data, 1);
}

static void *worker(void *arg) {
    long n = (long)(intptr_t)arg;
    char url[256];
    uint8_t packed[512];
    for (long i = 0; i < n; i++) {
        hsession_response *resp = NULL;
        hsession_error *err = NULL;
        hsession_result rc;
        switch (i % 4) {
        case 0: /* blocking GET */
            rc = hsession_get(shared, url_of(&srv, "/echo", url, sizeof url), &resp, &err);
            break;
        case 1: /* a cookie from the server, into the shared jar */
            snprintf(url, sizeof url, "%s/cookies/set?c%ld=%ld", srv.base, i % 7, i);
            rc = hsession_get(shared, url, &resp, &err);
            break;
        case 2: { /* packed */
            size_t len = pack_get(packed, url_of(&srv, "/json", url, sizeof url));
            rc = hsession_request_packed(shared, packed, len, &resp, &err);
            break;
        }
        default: { /* async, waited for */
            atomic_int called = 0;
            hsession_request_builder *req = NULL;
            hsession_call *call = NULL;
            rc = hsession_request_new("GET", url_of(&srv, "/echo", url, sizeof url), &req, &err);
            if (rc == HSESSION_OK) rc = hsession_send(shared, req, on_done, &called, &call, &err);
            hsession_request_free(req);
            if (rc == HSESSION_OK) {
                rc = hsession_call_wait(call, &resp, &err);
                hsession_call_free(call);
                /* The callback may run just after the wait returns. */
                for (int spin = 0; atomic_load(&called) == 0 && spin < 10000; spin++) usleep(100);
                if (atomic_load(&called) != 1) fail("async callback count", HSESSION_INTERNAL, NULL);
            }
        }
        }
        if (rc != HSESSION_OK)
            fail("request", rc, err);
        else if (hsession_response_status(resp) != 200)
            fail("status not 200", HSESSION_INTERNAL, NULL);
        hsession_response_free(resp);
        hsession_error_free(err);
        atomic_fetch_add(&done_requests, 1);
    }
    return NULL;
}

/* Changes every kind of setting while the workers run. Requests must not
 * notice: the proxies are dead ports, but no_proxy always covers 127.0.0.1.
 * Settings that build a new pool (proxy, no_proxy, pool size) change every
 * 500 ms, so a long run does not use up the ephemeral ports with the
 * TIME_WAIT of every dropped pool's connections; the others every 1 ms. */
static void *setter(void *arg) {
    int id = (int)(intptr_t)arg;
    char value[64], proxy[64];
    double next_pool = now_s() + 0.5;
    for (long i = 0; !atomic_load(&stop_setters); i++) {
        snprintf(value, sizeof value, "v%d-%ld", id, i);
        hsession_result rc = HSESSION_OK;
        if (id == 0 && now_s() >= next_pool) {
            next_pool += 0.5;
            switch ((i / 7) % 3) {
            case 0:
                snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", 1 + (int)(i % 2));
                rc = hsession_set_proxy(shared, "http", proxy, NULL);
                break;
            case 1: rc = hsession_set_no_proxy(shared, i % 2 ? "127.0.0.1" : "localhost, 127.0.0.1", NULL); break;
            default: rc = hsession_set_pool_max_idle_per_host(shared, 8 + (size_t)(i % 64), NULL); break;
            }
            if (rc != HSESSION_OK) fail("pool setter", rc, NULL);
        }
        switch (i % 7) {
        case 0: rc = hsession_set_header(shared, "X-Stress", value, NULL); break;
        case 1: rc = hsession_set_read_timeout_ms(shared, 10000 + (uint64_t)(i % 3) * 1000); break;
        case 2: rc = hsession_set_total_timeout_ms(shared, 60000 + (uint64_t)(i % 5)); break;
        case 3: rc = hsession_set_retry(shared, 2, -1, -1, -1, 0.0, 0.0, 0.0, NULL); break;
        case 4: rc = hsession_cookies_set(shared, srv.base, "stress=1; Path=/", NULL); break;
        case 5: rc = hsession_cookies_clear(shared); break;
        default:
            rc = hsession_append_header(shared, "X-Stress-List", value, NULL);
            if (rc == HSESSION_OK) rc = hsession_remove_header(shared, "X-Stress-List", NULL);
            break;
        }
        if (rc != HSESSION_OK) fail("setter", rc, NULL);
        usleep(1000);
    }
    return NULL;
}

/* Frees a session while `n` async calls to a slow endpoint are in flight:
 * each callback runs once, with HSESSION_CANCELLED (or OK if it finished).
 * Returns the number of problems (called from several threads: no CHECK). */
static int free_with_calls_in_flight(int n, int verbose) {
    hsession *s = NULL;
    if (hsession_new(&s, NULL) != HSESSION_OK) return 1;
    atomic_int *called = calloc((size_t)n, sizeof *called);
    hsession_call **calls = calloc((size_t)n, sizeof *calls);
    char url[256];
    url_of(&srv, "/delay/2000", url, sizeof url);
    for (int i = 0; i < n; i++) {
        hsession_request_builder *req = NULL;
        hsession_request_new("GET", url, &req, NULL);
        if (hsession_send(s, req, on_done, &called[i], &calls[i], NULL) != HSESSION_OK) {
            /* Counted as "never ran" below. */
            calls[i] = NULL;
        }
        hsession_request_free(req);
    }
    usleep(20000);
    double t = now_s();
    hsession_free(s);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        hsession_response *resp = NULL;
        if (!calls[i]) continue;
        hsession_result rc = hsession_call_wait(calls[i], &resp, NULL);
        if (rc != HSESSION_CANCELLED && rc != HSESSION_OK) bad++;
        hsession_response_free(resp);
        hsession_call_free(calls[i]);
    }
    double waited = now_s() - t;
    for (int spin = 0; spin < 20000; spin++) {
        int all = 1;
        for (int i = 0; i < n; i++) all &= atomic_load(&called[i]) == 1;
        if (all) break;
        usleep(100);
    }
    int twice = 0, never = 0;
    for (int i = 0; i < n; i++) {
        never += atomic_load(&called[i]) == 0;
        twice += atomic_load(&called[i]) > 1;
    }
    double bound = 1.5 * time_scale();
    if (bad || never || twice || waited >= bound)
        fprintf(stderr, "free with %d in flight: %d other results, %d callbacks never ran, %d twice, ended after %.3f s\n",
                n, bad, never, twice, waited);
    if (verbose) printf("freed a session with %d calls in flight: all ended in %.1f ms\n", n, waited * 1e3);
    free(called);
    free(calls);
    return bad + never + twice + (waited >= bound);
}

/* Threads that each make, use and free sessions with calls in flight, at once. */
static void *session_churn(void *arg) {
    (void)arg;
    intptr_t problems = 0;
    for (int round = 0; round < 5; round++) problems += free_with_calls_in_flight(8, 0);
    return (void *)problems;
}

int main(void) {
    long threads = env_long("HSESSION_STRESS_THREADS", 64);
    long per_thread = env_long("HSESSION_STRESS_REQUESTS", 100);
    int inflight = (int)env_long("HSESSION_STRESS_INFLIGHT", 200);
    server_start(&srv);
    CHECK_RC(hsession_new(&shared, NULL), HSESSION_OK, NULL);
    /* Before any setter thread sets a (dead) proxy. */
    CHECK_RC(hsession_set_no_proxy(shared, "127.0.0.1, localhost", NULL), HSESSION_OK, NULL);

    pthread_t *th = calloc((size_t)threads, sizeof *th);
    pthread_t setters[2];
    double t = now_s();
    for (int i = 0; i < 2; i++) pthread_create(&setters[i], NULL, setter, (void *)(intptr_t)i);
    for (long i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)per_thread);
    for (long i = 0; i < threads; i++) pthread_join(th[i], NULL);
    atomic_store(&stop_setters, 1);
    for (int i = 0; i < 2; i++) pthread_join(setters[i], NULL);
    double took = now_s() - t;
    long total = atomic_load(&done_requests);
    printf("%ld threads x %ld requests with setters running: %ld done, %ld failed, %.1f s, %.0f req/s, %llu connections\n",
           threads, per_thread, total, atomic_load(&failures), took, total / took,
           (unsigned long long)hsession_connections_opened(shared));
    CHECK(total == threads * per_thread, "%ld of %ld requests done", total, threads * per_thread);
    CHECK(atomic_load(&failures) == 0, "%ld failures", atomic_load(&failures));
    hsession_free(shared);
    free(th);

    CHECK(free_with_calls_in_flight(inflight, 1) == 0, "freeing a session with calls in flight");
    pthread_t churn[4];
    intptr_t problems = 0;
    for (int i = 0; i < 4; i++) pthread_create(&churn[i], NULL, session_churn, NULL);
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(churn[i], &ret);
        problems += (intptr_t)ret;
    }
    CHECK(problems == 0, "4 threads freeing sessions with calls in flight: %ld problems", (long)problems);

    server_stop(&srv);
    return finish("test_stress");
}
