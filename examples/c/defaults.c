/* requests.Session example 2, "default parameters": default Authorization and
 * Accept headers and a default timeout for every request.
 * Usage: defaults BASE_URL */
#include "common.h"

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    die_on(hsession_set_header(session, "Authorization", "Bearer my_token", &err), err, "set_header");
    die_on(hsession_set_header(session, "Accept", "application/json", &err), err, "set_header");
    /* timeout=5 in requests is connect and read; here the whole request. */
    die_on(hsession_set_total_timeout_ms(session, 5000), NULL, "set_total_timeout_ms");

    hsession_response *response1 = NULL, *response2 = NULL;
    die_on(hsession_get(session, at(base, "/anything/endpoint1"), &response1, &err), err, "GET endpoint1");
    die_on(hsession_get(session, at(base, "/anything/endpoint2"), &response2, &err), err, "GET endpoint2");
    print_response("response1", response1);
    print_response("response2", response2);

    int ok = hsession_response_status(response1) == 200 && hsession_response_status(response2) == 200;
    hsession_response_free(response1);
    hsession_response_free(response2);
    hsession_free(session);
    return ok ? 0 : 1;
}
