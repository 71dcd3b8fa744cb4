/* requests.Session example 4, "authentication": HTTP basic auth set once on the
 * session applies to every request.
 * Usage: auth BASE_URL */
#include "common.h"

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    die_on(hsession_set_basic_auth(session, "user", "pass", &err), err, "set_basic_auth");

    hsession_response *response = NULL;
    die_on(hsession_get(session, at(base, "/basic-auth/user/pass"), &response, &err), err, "GET");
    print_response("response", response);

    int ok = hsession_response_status(response) == 200;
    hsession_response_free(response);
    hsession_free(session);
    return ok ? 0 : 1;
}
