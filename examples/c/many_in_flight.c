/* Many requests in flight from one thread, as with a libcurl multi handle:
 * start them on a driven completion queue, then wait on the queue. While it
 * waits, this thread runs the sockets of all of them; each wait returns the
 * tags of the requests that have finished, and the loop starts the next
 * ones. No other thread is involved.
 * Usage: many_in_flight BASE_URL */
#include "common.h"

enum { TOTAL = 200, IN_FLIGHT = 16 };

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    hsession_queue *queue = NULL;
    die_on(hsession_queue_new_driven(&queue, &err), err, "hsession_queue_new_driven");
    hsession_request_builder *req = NULL;
    die_on(hsession_request_new("GET", at(base, "/delay/20"), &req, &err), err, "request_new");

    /* The tag of a request is its slot: the wait hands it back when done. */
    hsession_call *slots[IN_FLIGHT] = {0};
    int started = 0, finished = 0, ok = 0, waits = 0;
    for (int slot = 0; slot < IN_FLIGHT; slot++, started++)
        die_on(hsession_send_queued(session, req, queue, (uint64_t)slot, &slots[slot], &err), err, "send");
    while (finished < TOTAL) {
        uint64_t tags[IN_FLIGHT];
        size_t n = 0;
        die_on(hsession_queue_wait(queue, tags, IN_FLIGHT, 10000, &n, &err), err, "hsession_queue_wait");
        if (n == 0) {
            fprintf(stderr, "nothing finished in 10 s\n");
            return 1;
        }
        waits++;
        for (size_t i = 0; i < n; i++) {
            int slot = (int)tags[i];
            hsession_response *resp = NULL;
            if (hsession_call_take(slots[slot], &resp, &err) == HSESSION_OK && hsession_response_status(resp) == 200)
                ok++;
            hsession_error_free(err);
            err = NULL;
            hsession_response_free(resp);
            hsession_call_free(slots[slot]);
            slots[slot] = NULL;
            finished++;
            if (started < TOTAL) {
                die_on(hsession_send_queued(session, req, queue, (uint64_t)slot, &slots[slot], &err), err, "send");
                started++;
            }
        }
    }
    printf("%d requests, %d at a time: %d OK, collected in %d waits, over %llu connections\n", TOTAL,
           IN_FLIGHT, ok, waits, (unsigned long long)hsession_connections_opened(session));

    hsession_request_free(req);
    hsession_queue_free(queue);
    hsession_free(session);
    return ok == TOTAL ? 0 : 1;
}
