/* hsession through its C ABI against libcurl, same local server, same run.
 * Prints wall and client CPU time per request for:
 *   - sequential requests: one hsession session vs one reused curl easy handle
 *   - 8 threads: one shared hsession session vs 8 easy handles sharing a
 *     connection cache through a curl share handle, vs 8 independent easy
 *     handles (libcurl's usual one-handle-per-thread), and vs one curl multi
 *     handle with 8 transfers on one thread
 *   - 8 and 256 requests in flight: hsession_send (each completion callback
 *     starts the next request), hsession_send_queued with a socket-signalled
 *     completion queue (this thread polls it, as an event loop does), and
 *     with a driven queue (this thread waits in hsession_queue_wait, running
 *     the sockets itself), vs a curl multi handle with as many transfers
 *   - making sessions: 1000 hsession_new vs 1000 curl_easy_init (with the
 *     cookie engine on), time each and RSS added, idle and after one GET each
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
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

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

/* ---- requests in flight ---- */
/* hsession: k requests started; each completion callback starts the next
 * until n have been started. A callback never touches a call handle: it may
 * run before the hsession_send that started its request has returned and
 * written the handle. The handles are freed at the end. */
static hsession_call **calls;
static long inflight_started;
static long inflight_total;
static long inflight_done;
static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inflight_cond = PTHREAD_COND_INITIALIZER;
static hsession_request_builder *inflight_req;

static void inflight_start(void);

static void inflight_finished(void) {
    pthread_mutex_lock(&inflight_lock);
    inflight_done++;
    pthread_cond_signal(&inflight_cond);
    pthread_mutex_unlock(&inflight_lock);
}

static void inflight_done_cb(void *user_data, hsession_call *call, hsession_result result) {
    (void)user_data;
    hsession_response *r = NULL;
    if (result != HSESSION_OK || hsession_call_take(call, &r, NULL) != HSESSION_OK ||
        hsession_response_status(r) != 200)
        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    hsession_response_free(r);
    inflight_start();
    inflight_finished();
}

static void inflight_start(void) {
    long i = __atomic_fetch_add(&inflight_started, 1, __ATOMIC_RELAXED);
    if (i >= inflight_total) return;
    if (hsession_send(session, inflight_req, inflight_done_cb, NULL, &calls[i], NULL) != HSESSION_OK) {
        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        inflight_finished();
    }
}

static void hs_inflight(long n, int k) {
    hsession_request_new("GET", url, &inflight_req, NULL);
    calls = calloc((size_t)n, sizeof *calls);
    inflight_started = 0;
    inflight_total = n;
    inflight_done = 0;
    for (int i = 0; i < k; i++) inflight_start();
    pthread_mutex_lock(&inflight_lock);
    while (inflight_done < n) pthread_cond_wait(&inflight_cond, &inflight_lock);
    pthread_mutex_unlock(&inflight_lock);
    for (long i = 0; i < n; i++) hsession_call_free(calls[i]);
    free(calls);
    hsession_request_free(inflight_req);
}

/* hsession through a completion queue that signals on a socket (the path an
 * event loop uses, as the Node binding does): this thread waits in poll(),
 * takes the finished tags and starts the next requests itself. */
static void hs_inflight_fd(long n, int k) {
    hsession_queue *q = NULL;
    int fd = -1;
    hsession_request_builder *req = NULL;
    hsession_call *calls[256] = {0};
    if (hsession_queue_new_fd(&q, &fd, NULL) != HSESSION_OK || hsession_request_new("GET", url, &req, NULL) != HSESSION_OK) {
        failures++;
        return;
    }
    long started = 0, done = 0;
    for (int i = 0; i < k && started < n; i++, started++)
        if (hsession_send_queued(session, req, q, (uint64_t)i, &calls[i], NULL) != HSESSION_OK) failures++, done++;
    while (done < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) < 0) break;
        char drain[64];
        while (read(fd, drain, sizeof drain) == (ssize_t)sizeof drain) {
        }
        uint64_t tags[256];
        size_t got;
        while ((got = hsession_queue_poll(q, tags, 256)) > 0) {
            for (size_t t = 0; t < got; t++) {
                int slot = (int)tags[t];
                hsession_response *r = NULL;
                if (hsession_call_take(calls[slot], &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200)
                    failures++;
                hsession_response_free(r);
                hsession_call_free(calls[slot]);
                calls[slot] = NULL;
                done++;
                if (started < n) {
                    started++;
                    if (hsession_send_queued(session, req, q, (uint64_t)slot, &calls[slot], NULL) != HSESSION_OK)
                        failures++, done++;
                }
            }
        }
    }
    hsession_request_free(req);
    hsession_queue_free(q);
    close(fd);
}

/* hsession through a driven completion queue: this thread waits in
 * hsession_queue_wait, which runs the requests' sockets on it (as
 * curl_multi_poll does), takes the finished tags and starts the next. */
static void hs_inflight_wait(long n, int k) {
    hsession_queue *q = NULL;
    hsession_request_builder *req = NULL;
    hsession_call *calls[256] = {0};
    if (hsession_queue_new_driven(&q, NULL) != HSESSION_OK || hsession_request_new("GET", url, &req, NULL) != HSESSION_OK) {
        failures++;
        return;
    }
    long started = 0, done = 0;
    for (int i = 0; i < k && started < n; i++, started++)
        if (hsession_send_queued(session, req, q, (uint64_t)i, &calls[i], NULL) != HSESSION_OK) failures++, done++;
    while (done < n) {
        uint64_t tags[256];
        size_t got = 0;
        if (hsession_queue_wait(q, tags, 256, 1000, &got, NULL) != HSESSION_OK || got == 0) {
            failures++;
            break;
        }
        for (size_t t = 0; t < got; t++) {
            int slot = (int)tags[t];
            hsession_response *r = NULL;
            if (hsession_call_take(calls[slot], &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200)
                failures++;
            hsession_response_free(r);
            hsession_call_free(calls[slot]);
            calls[slot] = NULL;
            done++;
            if (started < n) {
                started++;
                if (hsession_send_queued(session, req, q, (uint64_t)slot, &calls[slot], NULL) != HSESSION_OK)
                    failures++, done++;
            }
        }
    }
    hsession_request_free(req);
    hsession_queue_free(q);
}

/* libcurl: one multi handle on this thread with k easy handles; each one
 * finished is started again until n are done. */
static void curl_inflight(long n, int k) {
    CURLM *m = curl_multi_init();
    CURL *easy[256];
    size_t got = 0;
    long started = 0, done = 0;
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)k);
    for (int i = 0; i < k && started < n; i++, started++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &got);
        curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(m, easy[i]);
    }
    while (done < n) {
        int running = 0, left = 0;
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            long code = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
            if (msg->data.result != CURLE_OK || code != 200) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            long opened = 0;
            curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &opened);
            curl_conns += opened;
            done++;
            curl_multi_remove_handle(m, e);
            if (started < n) {
                started++;
                curl_multi_add_handle(m, e);
            } else {
                curl_easy_cleanup(e);
            }
        }
        if (done < n) curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    curl_multi_cleanup(m);
}

/* ---- making sessions ---- */
static long rss_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#define SESSIONS 1000
static void session_costs(void) {
    static hsession *many[SESSIONS];
    static CURL *easies[SESSIONS];
    size_t got = 0;
    long r0 = rss_kib();
    double w = wall();
    for (int i = 0; i < SESSIONS; i++) {
        easies[i] = curl_easy_init();
        curl_easy_setopt(easies[i], CURLOPT_COOKIEFILE, ""); /* the cookie engine, like a session's jar */
    }
    double curl_new = wall() - w;
    long r1 = rss_kib();
    for (int i = 0; i < SESSIONS; i++) {
        curl_easy_setopt(easies[i], CURLOPT_URL, url);
        curl_easy_setopt(easies[i], CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(easies[i], CURLOPT_WRITEDATA, &got);
        curl_easy_setopt(easies[i], CURLOPT_NOSIGNAL, 1L);
        if (curl_easy_perform(easies[i]) != CURLE_OK) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    }
    long r2 = rss_kib();
    printf("%-44s %8.1f us each  RSS +%5.1f KiB each idle, +%5.1f KiB after one GET\n",
           "libcurl, 1000 curl_easy_init + cookie engine", curl_new * 1e6 / SESSIONS, (r1 - r0) / (double)SESSIONS,
           (r2 - r0) / (double)SESSIONS);
    for (int i = 0; i < SESSIONS; i++) curl_easy_cleanup(easies[i]);

    r0 = rss_kib();
    w = wall();
    for (int i = 0; i < SESSIONS; i++)
        if (hsession_new(&many[i], NULL) != HSESSION_OK) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    double hs_new = wall() - w;
    r1 = rss_kib();
    for (int i = 0; i < SESSIONS; i++) {
        hsession_response *r = NULL;
        if (hsession_get(many[i], url, &r, NULL) != HSESSION_OK) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        hsession_response_free(r);
    }
    r2 = rss_kib();
    printf("%-44s %8.1f us each  RSS +%5.1f KiB each idle, +%5.1f KiB after one GET\n", "hsession, 1000 hsession_new",
           hs_new * 1e6 / SESSIONS, (r1 - r0) / (double)SESSIONS, (r2 - r0) / (double)SESSIONS);
    for (int i = 0; i < SESSIONS; i++) hsession_free(many[i]);
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

    curl_conns = 0;
    w = wall(), c = cpu();
    curl_inflight(per * threads, threads);
    snprintf(label, sizeof label, "libcurl, multi, %d transfers, 1 thread", threads);
    report(label, per * threads, wall() - w, cpu() - c, curl_conns);

    int inflight[] = {8, 256};
    for (int i = 0; i < 2; i++) {
        int k = inflight[i];
        curl_conns = 0;
        w = wall(), c = cpu();
        curl_inflight(requests, k);
        snprintf(label, sizeof label, "libcurl, multi, %d in flight", k);
        report(label, requests, wall() - w, cpu() - c, curl_conns);
        before = hsession_connections_opened(session);
        w = wall(), c = cpu();
        hs_inflight(requests, k);
        snprintf(label, sizeof label, "hsession_send, %d in flight", k);
        report(label, requests, wall() - w, cpu() - c, hsession_connections_opened(session) - before);
        before = hsession_connections_opened(session);
        w = wall(), c = cpu();
        hs_inflight_fd(requests, k);
        snprintf(label, sizeof label, "hsession fd queue, %d in flight", k);
        report(label, requests, wall() - w, cpu() - c, hsession_connections_opened(session) - before);
        before = hsession_connections_opened(session);
        w = wall(), c = cpu();
        hs_inflight_wait(requests, k);
        snprintf(label, sizeof label, "hsession driven queue, %d in flight", k);
        report(label, requests, wall() - w, cpu() - c, hsession_connections_opened(session) - before);
    }

    session_costs();

    curl_share_cleanup(share);
    hsession_free(session);
    curl_global_cleanup();
    if (failures) fprintf(stderr, "%d requests failed\n", failures);
    return failures ? 1 : 0;
}
