#define _POSIX_C_SOURCE 199309L
/* The non-blocking API: start requests without waiting, collect them in a
 * completion callback, cancel one that takes too long, and stream a body.
 * Usage: async_cancel BASE_URL */
#include <stdatomic.h>
#include <time.h>
#include "common.h"

typedef struct {
    const char *name;
    atomic_int done;
} job;

/* Runs on hsession's callback thread: it must return quickly. */
static void on_done(void *user_data, hsession_call *call, hsession_result result) {
    job *j = user_data;
    hsession_response *resp = NULL;
    if (result == HSESSION_OK && hsession_call_take(call, &resp, NULL) == HSESSION_OK)
        printf("%s: %u after %llu ms\n", j->name, hsession_response_status(resp),
               (unsigned long long)hsession_response_elapsed_us(resp) / 1000);
    else
        printf("%s: %s\n", j->name, hsession_result_str(result));
    hsession_response_free(resp);
    atomic_store(&j->done, 1);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");

    job fast = {"fast (200 ms)", 0}, slow = {"slow (10 s, cancelled)", 0};
    hsession_request_builder *fast_req = NULL, *slow_req = NULL;
    die_on(hsession_request_new("GET", at(base, "/delay/200"), &fast_req, &err), err, "request_new");
    die_on(hsession_request_new("GET", at(base, "/delay/10000"), &slow_req, &err), err, "request_new");
    hsession_call *fast_call = NULL, *slow_call = NULL;
    die_on(hsession_send(session, fast_req, on_done, &fast, &fast_call, &err), err, "send fast");
    die_on(hsession_send(session, slow_req, on_done, &slow, &slow_call, &err), err, "send slow");
    printf("both requests started; the main thread is free\n");

    sleep_ms(500);
    hsession_call_cancel(slow_call); /* from any thread; the callback still runs once */
    for (int i = 0; i < 500 && !(atomic_load(&fast.done) && atomic_load(&slow.done)); i++) sleep_ms(10);
    int ok = hsession_call_status(fast_call) == HSESSION_OK && hsession_call_status(slow_call) == HSESSION_CANCELLED;

    /* A streamed body, read in chunks as it arrives. */
    hsession_request_builder *big = NULL;
    die_on(hsession_request_new("GET", at(base, "/bytes/10000000"), &big, &err), err, "request_new");
    hsession_request_set_stream(big, 1);
    hsession_response *resp = NULL;
    die_on(hsession_request(session, big, &resp, &err), err, "GET /bytes");
    static uint8_t buf[65536];
    size_t n = 0, total = 0;
    do {
        die_on(hsession_response_read(resp, buf, sizeof buf, &n, &err), err, "read");
        total += n;
    } while (n > 0);
    printf("streamed %zu bytes in chunks of at most %zu\n", total, sizeof buf);
    ok = ok && total == 10000000;

    hsession_response_free(resp);
    hsession_request_free(big);
    hsession_call_free(fast_call);
    hsession_call_free(slow_call);
    hsession_request_free(fast_req);
    hsession_request_free(slow_req);
    hsession_free(session);
    return ok ? 0 : 1;
}
