/* 8 pthreads share one session: every response matches its own request,
 * connections stay at or below the thread count, and a header changed by
 * one thread reaches the others. Under a cap of 2 connections per host the
 * 8 threads open at most 2. */
#include "testutil.h"
#include <pthread.h>

#define THREADS 8
#define PER_THREAD 200

static test_server srv;
static hsession *shared;
static int mismatches[THREADS];

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    char url[256], want[64];
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(url, sizeof url, "%s/nonce/t%d-r%d", srv.base, t, i);
        snprintf(want, sizeof want, "\"nonce\":\"t%d-r%d\"", t, i);
        hsession_response *r = NULL;
        hsession_error *err = NULL;
        if (hsession_get(shared, url, &r, &err) != HSESSION_OK) {
            fprintf(stderr, "thread %d: %s\n", t, hsession_error_message(err));
            mismatches[t]++;
        } else if (hsession_response_status(r) != 200 || !body_has(r, want)) {
            mismatches[t]++;
        }
        hsession_response_free(r);
        hsession_error_free(err);
    }
    return NULL;
}

static void *header_reader(void *arg) {
    const char *want = arg;
    char url[256];
    snprintf(url, sizeof url, "%s/headers", srv.base);
    int bad = 0;
    for (int i = 0; i < 20; i++) {
        hsession_response *r = NULL;
        if (hsession_get(shared, url, &r, NULL) != HSESSION_OK || !body_has(r, want)) bad++;
        hsession_response_free(r);
    }
    return (void *)(intptr_t)bad;
}

static int run_readers(const char *want) {
    pthread_t th[THREADS];
    int bad = 0;
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, header_reader, (void *)want);
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        bad += (int)(intptr_t)ret;
    }
    return bad;
}

static void *set_v2(void *arg) {
    (void)arg;
    hsession_set_header(shared, "X-Version", "2", NULL);
    return NULL;
}

int main(void) {
    server_start(&srv);
    CHECK_RC(hsession_new(&shared, NULL), HSESSION_OK, NULL);

    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++) CHECK(mismatches[t] == 0, "thread %d: %d bad responses", t, mismatches[t]);
    uint64_t sent = hsession_requests_sent(shared), opened = hsession_connections_opened(shared);
    printf("%d threads x %d requests: %llu sent, %llu connections opened\n", THREADS, PER_THREAD,
           (unsigned long long)sent, (unsigned long long)opened);
    CHECK(sent == THREADS * PER_THREAD, "sent %llu", (unsigned long long)sent);
    CHECK(opened >= 1 && opened <= THREADS, "opened %llu connections", (unsigned long long)opened);

    hsession_set_header(shared, "X-Version", "1", NULL);
    CHECK(run_readers("[\"x-version\",\"1\"]") == 0, "X-Version 1 not seen by every thread");
    pthread_t setter;
    pthread_create(&setter, NULL, set_v2, NULL);
    pthread_join(setter, NULL);
    CHECK(run_readers("[\"x-version\",\"2\"]") == 0, "X-Version 2 not seen by every thread");

    /* A cap of 2: a new pool, and the 8 threads take turns on 2 connections. */
    CHECK_RC(hsession_set_max_connections_per_host(NULL, 2, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_set_max_connections_per_host(shared, 2, NULL), HSESSION_OK, NULL);
    memset(mismatches, 0, sizeof mismatches);
    uint64_t before = hsession_connections_opened(shared);
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++) CHECK(mismatches[t] == 0, "capped: thread %d: %d bad responses", t, mismatches[t]);
    opened = hsession_connections_opened(shared) - before;
    CHECK(opened >= 1 && opened <= 2, "capped at 2: opened %llu connections", (unsigned long long)opened);
    CHECK_RC(hsession_set_max_connections_per_host(shared, 0, NULL), HSESSION_OK, NULL);

    hsession_free(shared);
    server_stop(&srv);
    return finish("test_threads");
}
