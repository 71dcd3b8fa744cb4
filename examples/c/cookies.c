/* requests.Session example 1, "keeping cookies": log in, then reach a protected
 * page; the session sends the login cookie by itself.
 * Usage: cookies BASE_URL */
#include "common.h"

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");

    hsession_request_builder *login = NULL;
    die_on(hsession_request_new("POST", at(base, "/login"), &login, &err), err, "request_new");
    die_on(hsession_request_add_header(login, "Content-Type", "application/x-www-form-urlencoded", &err), err,
           "add_header");
    const char *login_data = "username=user&password=pass";
    die_on(hsession_request_set_body(login, (const uint8_t *)login_data, strlen(login_data), &err), err,
           "set_body");
    hsession_response *response = NULL;
    die_on(hsession_request(session, login, &response, &err), err, "POST /login");
    print_response("login", response);

    hsession_response *protected_page = NULL;
    die_on(hsession_get(session, at(base, "/protected"), &protected_page, &err), err, "GET /protected");
    print_response("protected_page", protected_page);

    int ok = hsession_response_status(protected_page) == 200;
    hsession_response_free(response);
    hsession_response_free(protected_page);
    hsession_request_free(login);
    hsession_free(session);
    return ok ? 0 : 1;
}
