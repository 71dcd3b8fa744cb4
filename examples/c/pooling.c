#define _POSIX_C_SOURCE 199309L
/* requests.Session example 3, "connection pooling": five requests without a session
 * (a new session each) against five on one session; the counters show the
 * connections each way opened.
 * Usage: pooling BASE_URL */
#include <time.h>
#include "common.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void get(hsession *s, const char *url) {
    hsession_response *r = NULL;
    hsession_error *err = NULL;
    die_on(hsession_get(s, url, &r, &err), err, "GET /data");
    hsession_response_free(r);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession_error *err = NULL;

    double start = now();
    unsigned long long without = 0;
    for (int i = 0; i < 5; i++) {
        hsession *one = NULL;
        die_on(hsession_new(&one, &err), err, "hsession_new");
        get(one, at(base, "/data"));
        without += hsession_connections_opened(one);
        hsession_free(one);
    }
    printf("Without session: %f seconds, %llu connections\n", now() - start, without);

    hsession *session = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    start = now();
    for (int i = 0; i < 5; i++) get(session, at(base, "/data"));
    unsigned long long with = hsession_connections_opened(session);
    printf("With session: %f seconds, %llu connection(s) for %llu requests\n", now() - start, with,
           (unsigned long long)hsession_requests_sent(session));
    hsession_free(session);
    return with == 1 && without == 5 ? 0 : 1;
}
