/* requests.Session example 5, "custom adapters": retries like
 * Retry(total=3, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])
 * mounted on the session, against an endpoint that fails twice first.
 * Usage: retries BASE_URL */
#include "common.h"

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    die_on(hsession_set_retry_count(session, HSESSION_RETRY_TOTAL, 3, &err), err, "retry total");
    die_on(hsession_set_retry_seconds(session, HSESSION_RETRY_BACKOFF_FACTOR, 0.1, &err), err, "retry backoff");
    const uint16_t status_forcelist[] = {500, 502, 503, 504};
    die_on(hsession_set_retry_statuses(session, status_forcelist, 4, &err), err, "set_retry_statuses");

    hsession_response *response = NULL;
    die_on(hsession_get(session, at(base, "/flaky/unstable_endpoint/2"), &response, &err), err, "GET");
    print_response("response", response);
    printf("retries: %u\n", hsession_response_retries(response));

    int ok = hsession_response_status(response) == 200 && hsession_response_retries(response) == 2;
    hsession_response_free(response);
    hsession_free(session);
    return ok ? 0 : 1;
}
