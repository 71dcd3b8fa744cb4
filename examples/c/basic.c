/* requests.Session example, "basic use": a session with a default
 * User-Agent, a GET, then a form POST that reuses headers and cookies.
 * Usage: basic BASE_URL */
#include "common.h"

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    die_on(hsession_set_header(session, "User-Agent", "MyApp/1.0", &err), err, "set_header");

    hsession_response *response1 = NULL;
    die_on(hsession_get(session, at(base, "/data"), &response1, &err), err, "GET /data");
    print_response("response1", response1);

    hsession_request_builder *post = NULL;
    die_on(hsession_request_new("POST", at(base, "/submit"), &post, &err), err, "request_new");
    die_on(hsession_request_add_header(post, "Content-Type", "application/x-www-form-urlencoded", &err), err,
           "add_header");
    const char *form = "key=value";
    die_on(hsession_request_set_body(post, (const uint8_t *)form, strlen(form), &err), err, "set_body");
    hsession_response *response2 = NULL;
    die_on(hsession_request(session, post, &response2, &err), err, "POST /submit");
    print_response("response2", response2);

    int ok = hsession_response_status(response1) == 200 && hsession_response_status(response2) == 200;
    hsession_response_free(response1);
    hsession_response_free(response2);
    hsession_request_free(post);
    hsession_free(session); /* closes the session's connections */
    return ok ? 0 : 1;
}
