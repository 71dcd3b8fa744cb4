/* Digest auth through the C ABI: hsession_set_digest_auth and
 * hsession_request_set_digest_auth against the test server's
 * /digest-auth/..., and their NULL and invalid UTF-8 inputs. */
#include "testutil.h"

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static unsigned status_of(hsession *s, hsession_request_builder *req) {
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_request(s, req, &resp, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    hsession_error_free(err);
    unsigned status = resp ? hsession_response_status(resp) : 0;
    if (status == 200) CHECK(body_has(resp, "\"authenticated\":true"), "body of a 200");
    hsession_response_free(resp);
    return status;
}

static unsigned get_status(hsession *s, const char *path) {
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL(path), &req, NULL);
    unsigned status = status_of(s, req);
    hsession_request_free(req);
    return status;
}

static void session_digest(void) {
    hsession *s = NULL;
    hsession_error *err = NULL;
    hsession_new(&s, NULL);
    CHECK(get_status(s, "/digest-auth/auth/user/pass") == 401, "no credentials");

    hsession_result rc = hsession_set_digest_auth(s, "user", "pass", &err);
    CHECK_RC(rc, HSESSION_OK, err);
    uint64_t before = hsession_requests_sent(s);
    CHECK(get_status(s, "/digest-auth/auth/user/pass/SHA-256") == 200, "SHA-256");
    CHECK(hsession_requests_sent(s) - before == 2, "the 401 and the answer");
    before = hsession_requests_sent(s);
    CHECK(get_status(s, "/digest-auth/auth/user/pass/SHA-256") == 200, "again");
    CHECK(hsession_requests_sent(s) - before == 1, "the challenge reused");
    CHECK(get_status(s, "/digest-auth/none/user/pass") == 200, "MD5 without qop");

    rc = hsession_set_digest_auth(s, "user", "wrong", &err);
    CHECK_RC(rc, HSESSION_OK, err);
    before = hsession_requests_sent(s);
    CHECK(get_status(s, "/digest-auth/auth/user/pass") == 401, "wrong password");
    CHECK(hsession_requests_sent(s) - before == 2, "answered once");
    hsession_free(s);
}

static void request_digest(void) {
    hsession *s = NULL;
    hsession_error *err = NULL;
    hsession_new(&s, NULL);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/digest-auth/auth/user/pass/MD5"), &req, NULL);
    hsession_result rc = hsession_request_set_digest_auth(req, "user", "pass", &err);
    CHECK_RC(rc, HSESSION_OK, err);
    CHECK(status_of(s, req) == 200, "per-request digest");
    hsession_request_free(req);

    /* The session's digest, overridden by a request's other credentials. */
    hsession_set_digest_auth(s, "user", "pass", NULL);
    hsession_request_new("GET", URL("/digest-auth/auth/user/pass"), &req, NULL);
    hsession_request_set_digest_auth(req, "user", "nope", NULL);
    CHECK(status_of(s, req) == 401, "request's wrong password");
    hsession_request_free(req);
    hsession_free(s);
}

#define EXPECT(call, want, what)                                                      \
    do {                                                                              \
        hsession_error *err = NULL;                                                   \
        hsession_result rc_ = (call);                                                 \
        CHECK(rc_ == (want), "%s: got %u (%s)", what, rc_, hsession_result_str(rc_)); \
        CHECK(err && hsession_error_code(err) == (want), "%s: error object", what);   \
        hsession_error_free(err);                                                     \
    } while (0)

static void bad_input(void) {
    hsession *s = NULL;
    hsession_new(&s, NULL);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/digest-auth/auth/user/pass"), &req, NULL);
    const char bad_utf8[] = {'u', (char)0xff, (char)0xfe, 0};

    EXPECT(hsession_set_digest_auth(NULL, "u", "p", &err), HSESSION_NULL_ARGUMENT, "session NULL");
    EXPECT(hsession_set_digest_auth(s, NULL, "p", &err), HSESSION_NULL_ARGUMENT, "user NULL");
    EXPECT(hsession_set_digest_auth(s, "u", NULL, &err), HSESSION_NULL_ARGUMENT, "password NULL");
    EXPECT(hsession_set_digest_auth(s, bad_utf8, "p", &err), HSESSION_INVALID_UTF8, "user UTF-8");
    EXPECT(hsession_set_digest_auth(s, "u", bad_utf8, &err), HSESSION_INVALID_UTF8, "password UTF-8");
    EXPECT(hsession_set_digest_auth(s, "u\"x", "p", &err), HSESSION_INVALID_ARGUMENT, "quote in user");
    EXPECT(hsession_request_set_digest_auth(NULL, "u", "p", &err), HSESSION_NULL_ARGUMENT, "request NULL");
    EXPECT(hsession_request_set_digest_auth(req, NULL, "p", &err), HSESSION_NULL_ARGUMENT, "req user NULL");
    EXPECT(hsession_request_set_digest_auth(req, "u", NULL, &err), HSESSION_NULL_ARGUMENT, "req password NULL");
    EXPECT(hsession_request_set_digest_auth(req, bad_utf8, "p", &err), HSESSION_INVALID_UTF8, "req user UTF-8");
    EXPECT(hsession_request_set_digest_auth(req, "u", bad_utf8, &err), HSESSION_INVALID_UTF8, "req password UTF-8");
    EXPECT(hsession_request_set_digest_auth(req, "u\nx", "p", &err), HSESSION_INVALID_ARGUMENT, "control in user");
    /* NULL err_out is allowed; nothing changed on failure. */
    CHECK(hsession_set_digest_auth(s, NULL, "p", NULL) == HSESSION_NULL_ARGUMENT, "NULL err_out");
    CHECK(status_of(s, req) == 401, "no credentials were set by the failures");
    hsession_request_free(req);
    hsession_free(s);
}

int main(void) {
    server_start(&srv);
    session_digest();
    request_digest();
    bad_input();
    server_stop(&srv);
    return finish("test_digest");
}
