/* Soak: one session, many requests from 8 threads with cookies and retries
 * on, against the test server. Every second it samples the process's RSS
 * and open file descriptors; at the end it prints start/end/max RSS, fds,
 * errors and requests per second. Exits non-zero on any failed request or
 * if RSS grows: after warm-up (the first 10% of requests) the maximum may
 * not exceed the warm-up RSS by more than 25% + 8 MiB.
 *
 * Usage: soak BASE_URL [REQUESTS] [THREADS]   (defaults 1000000, 8) */
#define _GNU_SOURCE
#include <dirent.h>
#include <hsession.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static hsession *s;
static const char *base;
static long total_requests;
static int threads;
static atomic_long next_request, completed, errors, retried, cookie_hits;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own fd */
}

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    char url[512];
    long i;
    while ((i = atomic_fetch_add(&next_request, 1)) < total_requests) {
        /* Mostly /cookies (the jar's cookies echoed back); every 50th sets a
         * cookie; every 100th hits a URL that fails once with 503 and is
         * retried by the session's policy. */
        if (i % 100 == 7)
            snprintf(url, sizeof url, "%s/flaky/soak-%d-%ld/1?status=503", base, t, i);
        else if (i % 50 == 3)
            snprintf(url, sizeof url, "%s/cookies/set?soak%d=%ld", base, t, i);
        else
            snprintf(url, sizeof url, "%s/cookies", base);
        hsession_response *r = NULL;
        hsession_error *err = NULL;
        hsession_result rc = hsession_get(s, url, &r, &err);
        if (rc != HSESSION_OK || hsession_response_status(r) != 200) {
            if (atomic_fetch_add(&errors, 1) < 5)
                fprintf(stderr, "request %ld: %s %s\n", i, hsession_result_str(rc),
                        err ? hsession_error_message(err) : "(status)");
        } else {
            atomic_fetch_add(&retried, hsession_response_retries(r));
            const uint8_t *body;
            size_t len;
            char name[16];
            snprintf(name, sizeof name, "soak%d", t);
            if (hsession_response_body(r, &body, &len) == HSESSION_OK && memmem(body, len, name, strlen(name)))
                atomic_fetch_add(&cookie_hits, 1);
        }
        hsession_response_free(r);
        hsession_error_free(err);
        atomic_fetch_add(&completed, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [REQUESTS] [THREADS]\n", argv[0]);
        return 2;
    }
    base = argv[1];
    total_requests = argc > 2 ? atol(argv[2]) : 1000000;
    threads = argc > 3 ? atoi(argv[3]) : 8;
    hsession_error *err = NULL;
    if (hsession_new(&s, &err) != HSESSION_OK) {
        fprintf(stderr, "hsession_new: %s\n", hsession_error_message(err));
        return 1;
    }
    uint16_t statuses[] = {503};
    hsession_set_retry(s, 3, -1, -1, -1, 0.0, 0.0, 0.0, NULL);
    hsession_set_retry_statuses(s, statuses, 1, NULL);

    long rss_start = rss_kib(), rss_max = rss_start, rss_warm = -1;
    int fds_start = open_fds(), fds_max = fds_start;
    printf("soak: %ld requests, %d threads, one session, cookies and retries on\n", total_requests, threads);
    printf("%6s %10s %9s %8s %5s\n", "t(s)", "requests", "req/s", "RSS KiB", "fds");
    pthread_t th[64];
    if (threads > 64) threads = 64;
    double t0 = now_s(), last_t = t0;
    long last_n = 0;
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    while (atomic_load(&completed) < total_requests) {
        usleep(1000000);
        long n = atomic_load(&completed), rss = rss_kib();
        int fds = open_fds();
        double t = now_s();
        if (rss_warm < 0 && n >= total_requests / 10) rss_warm = rss;
        if (rss > rss_max) rss_max = rss;
        if (fds > fds_max) fds_max = fds;
        printf("%6.0f %10ld %9.0f %8ld %5d\n", t - t0, n, (n - last_n) / (t - last_t), rss, fds);
        fflush(stdout);
        last_n = n;
        last_t = t;
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    double took = now_s() - t0;
    long rss_end = rss_kib();
    int fds_end = open_fds();
    if (rss_warm < 0) rss_warm = rss_end;
    printf("requests %ld in %.1f s: %.0f req/s; errors %ld; retries %ld; cookie round trips %ld; connections %llu\n",
           atomic_load(&completed), took, atomic_load(&completed) / took, atomic_load(&errors),
           atomic_load(&retried), atomic_load(&cookie_hits), (unsigned long long)hsession_connections_opened(s));
    printf("RSS KiB: start %ld, after warm-up %ld, end %ld, max %ld; fds: start %d, end %d, max %d\n", rss_start,
           rss_warm, rss_end, rss_max, fds_start, fds_end, fds_max);
    hsession_free(s);
    int grew = rss_max > rss_warm + rss_warm / 4 + 8192;
    if (grew) fprintf(stderr, "soak: RSS grew from %ld to %ld KiB after warm-up\n", rss_warm, rss_max);
    if (fds_max > fds_start + 2 * threads + 8) fprintf(stderr, "soak: %d fds open at most\n", fds_max);
    return (atomic_load(&errors) || grew || fds_max > fds_start + 2 * threads + 8) ? 1 : 0;
}
