/* hsession through its C ABI against libcurl, same local server, same run.
 * Prints wall and client CPU time per request for:
 *   - sequential requests: one hsession session vs one reused curl easy handle
 *   - 8 threads: one shared hsession session vs 8 easy handles sharing a
 *     connection cache through a curl share handle, and vs 8 independent
 *     easy handles (libcurl's usual one-handle-per-thread)
 * Usage: bench_vs_curl BASE_URL [REQUESTS] [THREADS]
 * A benchmark, not a test: it prints figures and fails only if a request does. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <hsession.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *url;
static long requests;
static int failures;

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void report(const char *what, long n, double w, double c, unsigned long long conns) {
    printf("%-44s %8ld req  %8.1f us/req wall  %8.1f us/req CPU  %9.0f req/s  %llu conn\n", what, n, w * 1e6 / n,
           c * 1e6 / n, n / w, conns);
}

/* ---- hsession ---- */
static hsession *session;

static void hs_run(long n) {
    for (long i = 0; i < n; i++) {
        hsession_response *r = NULL;
        if (hsession_get(session, url, &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200)
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        hsession_response_free(r);
    }
}

static void *hs_thread(void *arg) {
    hs_run((long)(intptr_t)arg);
    return NULL;
}

/* ---- libcurl ---- */
static size_t sink(char *p, size_t s, size_t n, void *ud) {
    (void)p;
    *(size_t *)ud += s * n;
    return s * n;
}

static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void lock_cb(CURL *h, curl_lock_data d, curl_lock_access a, void *u) {
    (void)h, (void)a, (void)u;
    pthread_mutex_lock(&share_locks[d]);
}

static void unlock_cb(CURL *h, curl_lock_data d, void *u) {
    (void)h, (void)u;
    pthread_mutex_unlock(&share_locks[d]);
}

static long curl_conns;

static void curl_run(long n, CURLSH *sh) {
    CURL *c = curl_easy_init();
    size_t got = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (sh) curl_easy_setopt(c, CURLOPT_SHARE, sh);
    for (long i = 0; i < n; i++) {
        long code = 0;
        if (curl_easy_perform(c) != CURLE_OK) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (code != 200) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        long opened = 0;
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened);
        __atomic_add_fetch(&curl_conns, opened, __ATOMIC_RELAXED);
    }
    curl_easy_cleanup(c);
}

static void *curl_thread(void *arg) {
    curl_run((long)(intptr_t)arg, share);
    return NULL;
}

static void *curl_thread_alone(void *arg) {
    curl_run((long)(intptr_t)arg, NULL);
    return NULL;
}

static void run_threads(void *(*fn)(void *), int threads, long per) {
    pthread_t th[64];
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, fn, (void *)(intptr_t)per);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [REQUESTS] [THREADS]\n", argv[0]);
        return 2;
    }
    static char u[512];
    snprintf(u, sizeof u, "%s/bytes/100", argv[1]);
    url = u;
    requests = argc > 2 ? atol(argv[2]) : 20000;
    int threads = argc > 3 ? atoi(argv[3]) : 8;
    if (threads < 1 || threads > 64) threads = 8;
    long per = requests / threads;

    curl_global_init(CURL_GLOBAL_ALL);
    if (hsession_new(&session, NULL) != HSESSION_OK) return 1;
    printf("hsession %s (runtime workers: env HSESSION_WORKER_THREADS=%s), %s, GET %s\n", hsession_version(),
           getenv("HSESSION_WORKER_THREADS") ? getenv("HSESSION_WORKER_THREADS") : "default", curl_version(), url);

    /* Warm both up: connections, allocator, runtime threads. */
    hs_run(200);
    curl_run(200, NULL);
    curl_conns = 0;

    double w, c;
    unsigned long long before = hsession_connections_opened(session);
    w = wall(), c = cpu();
    curl_run(requests, NULL);
    report("libcurl, one easy handle, sequential", requests, wall() - w, cpu() - c, curl_conns);

    w = wall(), c = cpu();
    hs_run(requests);
    report("hsession, one session, sequential", requests, wall() - w, cpu() - c,
           hsession_connections_opened(session) - before);

    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&share_locks[i], NULL);
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_cb);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_cb);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_conns = 0;
    char label[64];
    w = wall(), c = cpu();
    run_threads(curl_thread, threads, per);
    snprintf(label, sizeof label, "libcurl, %d threads, share handle", threads);
    report(label, per * threads, wall() - w, cpu() - c, curl_conns);

    curl_conns = 0;
    w = wall(), c = cpu();
    run_threads(curl_thread_alone, threads, per);
    snprintf(label, sizeof label, "libcurl, %d threads, an easy handle each", threads);
    report(label, per * threads, wall() - w, cpu() - c, curl_conns);

    before = hsession_connections_opened(session);
    w = wall(), c = cpu();
    run_threads(hs_thread, threads, per);
    snprintf(label, sizeof label, "hsession, %d threads, one shared session", threads);
    report(label, per * threads, wall() - w, cpu() - c, hsession_connections_opened(session) - before);

    curl_share_cleanup(share);
    hsession_free(session);
    curl_global_cleanup();
    if (failures) fprintf(stderr, "%d requests failed\n", failures);
    return failures ? 1 : 0;
}
