/* Completion queues (hsession_queue_*, hsession_send_packed_queued): every
 * request's tag comes back exactly once whatever the outcome (success,
 * cancel, session freed), a burst of completions needs few notifications,
 * and bad input is refused. */
#include "testutil.h"
#include <poll.h>
#include <stdatomic.h>
#include <time.h>

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

enum { N = 200 };
static atomic_int notifies;
static atomic_int seen[N];
static atomic_int polled;
static hsession_queue *queue;

/* Drains like a binding would: poll until fewer than asked for. */
static void drain(void) {
    uint64_t tags[16];
    size_t n;
    do {
        n = hsession_queue_poll(queue, tags, 16);
        for (size_t i = 0; i < n; i++) {
            if (tags[i] < N) atomic_fetch_add(&seen[tags[i]], 1);
            atomic_fetch_add(&polled, 1);
        }
    } while (n == 16);
}

/* Takes 1 ms, as a notify relayed to another thread does (koffi blocks the
 * callback thread until the JS thread has run it): completions meanwhile
 * wait in the queue and are drained together. */
static void on_notify(void *user_data) {
    CHECK(user_data == &srv, "user_data passed through");
    atomic_fetch_add(&notifies, 1);
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    drain();
}

static int wait_polled(int want) {
    for (int i = 0; i < 10000 && atomic_load(&polled) < want; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&polled) >= want;
}

/* A packed GET of `url` (tag, u32 length, bytes; little-endian). */
static size_t pack_get(uint8_t *buf, const char *url) {
    size_t len = 0;
    const char *fields[2] = {"GET", url};
    for (int f = 0; f < 2; f++) {
        uint32_t n = (uint32_t)strlen(fields[f]);
        buf[len++] = (uint8_t)(f + 1);
        for (int b = 0; b < 4; b++) buf[len++] = (uint8_t)(n >> (8 * b));
        memcpy(buf + len, fields[f], n);
        len += n;
    }
    return len;
}

int main(void) {
    server_start(&srv);
    hsession *s = NULL;
    hsession_error *err = NULL;
    CHECK_RC(hsession_new(&s, &err), HSESSION_OK, err);
    CHECK_RC(hsession_queue_new(on_notify, &srv, &queue), HSESSION_OK, NULL);

    /* N requests: the first half succeed, the rest are cancelled. */
    static hsession_call *calls[N];
    uint8_t buf[512];
    for (int i = 0; i < N; i++) {
        size_t len = pack_get(buf, URL(i < N / 2 ? "/delay/100" : "/delay/10000"));
        CHECK_RC(hsession_send_packed_queued(s, buf, len, queue, (uint64_t)i, &calls[i], &err),
                 HSESSION_OK, err);
    }
    for (int i = N / 2; i < N; i++) hsession_call_cancel(calls[i]);
    CHECK(wait_polled(N), "all tags polled: %d of %d", atomic_load(&polled), N);
    int once = 1, ok = 0, cancelled = 0;
    for (int i = 0; i < N; i++) {
        if (atomic_load(&seen[i]) != 1) once = 0;
        hsession_response *r = NULL;
        hsession_result rc = hsession_call_take(calls[i], &r, NULL);
        if (rc == HSESSION_OK && hsession_response_status(r) == 200) ok++;
        if (rc == HSESSION_CANCELLED) cancelled++;
        hsession_response_free(r);
        hsession_call_free(calls[i]);
    }
    CHECK(once, "every tag exactly once");
    CHECK(ok == N / 2 && cancelled == N / 2, "ok %d, cancelled %d", ok, cancelled);
    /* Two bursts of 100 (the cancels, the 100 ms delays): batched. */
    printf("test_queue: %d completions, %d notifications\n", N, atomic_load(&notifies));
    CHECK(atomic_load(&notifies) >= 1 && atomic_load(&notifies) < N / 2, "notifies %d", atomic_load(&notifies));

    /* Freeing the session with requests in flight: their tags still come. */
    memset(seen, 0, sizeof seen);
    atomic_store(&polled, 0);
    hsession_call *c[10];
    for (int i = 0; i < 10; i++) {
        size_t len = pack_get(buf, URL("/delay/10000"));
        CHECK_RC(hsession_send_packed_queued(s, buf, len, queue, (uint64_t)i, &c[i], NULL), HSESSION_OK, NULL);
    }
    hsession_free(s);
    CHECK(wait_polled(10), "tags after hsession_free: %d", atomic_load(&polled));
    for (int i = 0; i < 10; i++) {
        CHECK_RC(hsession_call_take(c[i], &(hsession_response *){NULL}, NULL), HSESSION_CANCELLED, NULL);
        hsession_call_free(c[i]);
    }

    /* A request builder, queued the same way. */
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    memset(seen, 0, sizeof seen);
    atomic_store(&polled, 0);
    hsession_request_builder *req = NULL;
    CHECK_RC(hsession_request_new("GET", URL("/json"), &req, NULL), HSESSION_OK, NULL);
    hsession_call *qc = NULL;
    CHECK_RC(hsession_send_queued(s, req, queue, 7, &qc, &err), HSESSION_OK, err);
    hsession_request_free(req); /* the call keeps what it needs */
    CHECK(wait_polled(1) && atomic_load(&seen[7]) == 1, "the builder's tag");
    hsession_response *qr = NULL;
    CHECK_RC(hsession_call_take(qc, &qr, NULL), HSESSION_OK, NULL);
    CHECK(qr && hsession_response_status(qr) == 200, "the builder's response");
    hsession_response_free(qr);
    hsession_call_free(qc);
    hsession_call *qbad = (hsession_call *)0x1;
    CHECK_RC(hsession_send_queued(s, NULL, queue, 1, &qbad, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK(qbad == (hsession_call *)0x1, "call_out untouched on failure");

    /* Bad input. */
    hsession_call *bad = (hsession_call *)0x1;
    CHECK_RC(hsession_send_packed_queued(s, buf, pack_get(buf, URL("/echo")), NULL, 1, &bad, NULL),
             HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_send_packed_queued(s, (const uint8_t *)"\x01", 1, queue, 1, &bad, &err),
             HSESSION_INVALID_ARGUMENT, err);
    hsession_error_free(err);
    CHECK(bad == (hsession_call *)0x1, "out-param untouched on failure");
    hsession_queue *q2 = (hsession_queue *)0x1;
    CHECK_RC(hsession_queue_new(NULL, NULL, &q2), HSESSION_NULL_ARGUMENT, NULL);
    CHECK(q2 == (hsession_queue *)0x1, "out-param untouched on failure");
    CHECK(hsession_queue_poll(NULL, NULL, 4) == 0, "poll of NULL");

    /* After hsession_queue_free no notification runs; the request still ends. */
    int before = atomic_load(&notifies);
    hsession_call *last = NULL;
    CHECK_RC(hsession_send_packed_queued(s, buf, pack_get(buf, URL("/delay/50")), queue, 7, &last, NULL),
             HSESSION_OK, NULL);
    hsession_queue_free(queue);
    hsession_queue_free(NULL);
    hsession_response *r = NULL;
    CHECK_RC(hsession_call_wait(last, &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
    hsession_call_free(last);
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    CHECK(atomic_load(&notifies) == before, "no notification after free");

    /* The socket variant: an event loop waits on the descriptor. */
    hsession_queue *fq = NULL;
    int fd = -1;
    CHECK_RC(hsession_queue_new_fd(&fq, &fd, &err), HSESSION_OK, err);
    CHECK(fd >= 0, "fd %d", fd);
    enum { M = 50 };
    hsession_call *fc[M];
    int fseen[M] = {0};
    for (int i = 0; i < M; i++) {
        size_t len = pack_get(buf, URL("/delay/50"));
        CHECK_RC(hsession_send_packed_queued(s, buf, len, fq, (uint64_t)i, &fc[i], NULL), HSESSION_OK, NULL);
    }
    int fgot = 0, wakeups = 0;
    for (int round = 0; round < 200 && fgot < M; round++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) continue;
        char junk[64];
        if (read(fd, junk, sizeof junk) > 0) wakeups++;
        uint64_t tags[8];
        size_t n;
        do {
            n = hsession_queue_poll(fq, tags, 8);
            for (size_t i = 0; i < n; i++) {
                if (tags[i] < M) fseen[tags[i]]++;
                fgot++;
            }
        } while (n == 8);
    }
    int fonce = 1;
    for (int i = 0; i < M; i++) {
        if (fseen[i] != 1) fonce = 0;
        hsession_call_free(fc[i]);
    }
    CHECK(fgot == M && fonce, "socket queue: %d tags, each once: %d", fgot, fonce);
    printf("test_queue: %d completions through the socket, %d wake-ups\n", M, wakeups);
    CHECK(wakeups >= 1 && wakeups <= M, "wake-ups %d", wakeups);
    /* Closing our end first must not raise SIGPIPE when the next request ends. */
    close(fd);
    hsession_call *after_close = NULL;
    CHECK_RC(hsession_send_packed_queued(s, buf, pack_get(buf, URL("/echo")), fq, 1, &after_close, NULL),
             HSESSION_OK, NULL);
    r = NULL;
    CHECK_RC(hsession_call_wait(after_close, &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
    hsession_call_free(after_close);
    nanosleep(&ts, NULL);
    hsession_queue_free(fq);
    CHECK_RC(hsession_queue_new_fd(NULL, &fd, NULL), HSESSION_NULL_ARGUMENT, NULL);

    /* The driven variant: this thread waits in hsession_queue_wait, which
     * runs the requests while it waits; each tag comes back once. */
    hsession_queue *dq = NULL;
    CHECK_RC(hsession_queue_new_driven(&dq, &err), HSESSION_OK, err);
    hsession_call *dc[M];
    int dseen[M] = {0};
    for (int i = 0; i < M; i++) {
        size_t len = pack_get(buf, URL("/delay/20"));
        CHECK_RC(hsession_send_packed_queued(s, buf, len, dq, (uint64_t)i, &dc[i], NULL), HSESSION_OK, NULL);
    }
    int dgot = 0, waits = 0;
    for (int round = 0; round < 100 && dgot < M; round++) {
        uint64_t tags[16];
        size_t n = 0;
        CHECK_RC(hsession_queue_wait(dq, tags, 16, 1000, &n, &err), HSESSION_OK, err);
        waits++;
        for (size_t i = 0; i < n; i++) {
            if (tags[i] < M) dseen[tags[i]]++;
            dgot++;
        }
    }
    int donce = 1;
    for (int i = 0; i < M; i++) {
        if (dseen[i] != 1) donce = 0;
        r = NULL;
        CHECK_RC(hsession_call_take(dc[i], &r, NULL), HSESSION_OK, NULL);
        CHECK(hsession_response_status(r) == 200, "driven status %d", hsession_response_status(r));
        hsession_response_free(r);
        hsession_call_free(dc[i]);
    }
    CHECK(dgot == M && donce, "driven queue: %d tags, each once: %d", dgot, donce);
    printf("test_queue: %d completions through the driven queue in %d waits\n", M, waits);
    /* Nothing in flight: the time runs out, nothing is written but the count. */
    uint64_t none[4] = {99, 99, 99, 99};
    size_t count = 42;
    CHECK_RC(hsession_queue_wait(dq, none, 4, 20, &count, &err), HSESSION_OK, err);
    CHECK(count == 0 && none[0] == 99, "timed out: count %zu", count);
    /* hsession_call_wait runs a driven call too. */
    hsession_call *dw = NULL;
    CHECK_RC(hsession_send_packed_queued(s, buf, pack_get(buf, URL("/echo")), dq, 5, &dw, NULL), HSESSION_OK, NULL);
    r = NULL;
    CHECK_RC(hsession_call_wait(dw, &r, &err), HSESSION_OK, err);
    CHECK(hsession_response_status(r) == 200, "call_wait on a driven call");
    hsession_response_free(r);
    hsession_call_free(dw);
    /* Bad input: refused, out-params untouched. */
    count = 42;
    CHECK_RC(hsession_queue_wait(NULL, none, 4, 0, &count, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_queue_wait(dq, none, 4, 0, NULL, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_queue_wait(dq, NULL, 4, 0, &count, NULL), HSESSION_INVALID_ARGUMENT, NULL);
    CHECK_RC(hsession_queue_wait(dq, none, 0, 0, &count, NULL), HSESSION_INVALID_ARGUMENT, NULL);
    CHECK(count == 42, "count untouched on failure");
    CHECK_RC(hsession_queue_new_driven(NULL, NULL), HSESSION_NULL_ARGUMENT, NULL);
    /* Freed with a request in flight and nobody waiting: it still ends. */
    hsession_call *orphan = NULL;
    CHECK_RC(hsession_send_packed_queued(s, buf, pack_get(buf, URL("/delay/50")), dq, 9, &orphan, NULL),
             HSESSION_OK, NULL);
    hsession_queue_free(dq);
    int status = 0;
    for (int i = 0; i < 5000 && hsession_call_status(orphan) == HSESSION_PENDING; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    status = hsession_call_status(orphan);
    CHECK(status == HSESSION_OK, "orphaned driven call ended: %d", status);
    hsession_call_free(orphan);

    hsession_free(s);
    server_stop(&srv);
    return finish("test_queue");
}
