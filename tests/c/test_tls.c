/* TLS options and the body limit through the C ABI, against the test server
 * over TLS with a CA it makes itself (--tls-self-signed DIR), and NULL or
 * bad input for every TLS and body-limit function. */
#include "testutil.h"

static test_server srv;
static char dir[] = "/tmp/hsession-test-tls-XXXXXX";
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static char paths[8][300];
static const char *file(int slot, const char *name) {
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
    return paths[slot];
}

/* GET `path`; returns the result code, checks 200 on success. */
static hsession_result get(hsession *s, const char *path) {
    hsession_response *r = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, URL(path), &r, &err);
    if (rc == HSESSION_OK) {
        CHECK(hsession_response_status(r) == 200, "status %u", hsession_response_status(r));
        CHECK(err == NULL, "err written on success");
    } else {
        CHECK(err != NULL && hsession_error_code(err) == rc, "error object for %u", rc);
        CHECK(r == NULL, "response written on failure");
    }
    hsession_error_free(err);
    hsession_response_free(r);
    return rc;
}

#define EXPECT(call, want)                         \
    do {                                           \
        hsession_error *err = NULL;                \
        hsession_result rc_ = (call);              \
        CHECK_RC(rc_, (want), err);                \
        if ((want) != HSESSION_OK)                 \
            CHECK(err != NULL, "no error object"); \
        hsession_error_free(err);                  \
    } while (0)

static void ca_bundle_and_verify(void) {
    hsession *s = NULL;
    EXPECT(hsession_new(&s, &err), HSESSION_OK);
    /* Default verification: the test CA is unknown. */
    CHECK_RC(get(s, "/echo"), HSESSION_TLS, NULL);
    EXPECT(hsession_set_ca_file(s, file(0, "ca.pem"), &err), HSESSION_OK);
    CHECK_RC(get(s, "/echo"), HSESSION_OK, NULL);
    CHECK_RC(get(s, "/echo"), HSESSION_OK, NULL);
    CHECK(hsession_connections_opened(s) == 1, "%llu connections",
          (unsigned long long)hsession_connections_opened(s));
    /* NULL path: back to the platform roots. */
    EXPECT(hsession_set_ca_file(s, NULL, &err), HSESSION_OK);
    CHECK_RC(get(s, "/echo"), HSESSION_TLS, NULL);
    hsession_free(s);

    /* Verification off, then on again: never the unverified connection. */
    EXPECT(hsession_new(&s, &err), HSESSION_OK);
    EXPECT(hsession_set_verify(s, 0, &err), HSESSION_OK);
    CHECK_RC(get(s, "/echo"), HSESSION_OK, NULL);
    EXPECT(hsession_set_verify(s, 1, &err), HSESSION_OK);
    /* Reusing the pooled unverified connection would have succeeded: the
     * failure shows a new connection was opened and verified. */
    CHECK_RC(get(s, "/echo"), HSESSION_TLS, NULL);

    /* Per request: verification off on a verifying session, and a CA file;
     * the session's own requests still verify. */
    hsession_request_builder *req = NULL;
    hsession_response *resp = NULL;
    char url[256];
    snprintf(url, sizeof url, "%s/echo", srv.base);
    hsession_request_new("GET", url, &req, NULL);
    CHECK_RC(hsession_request_set_verify(req, 0), HSESSION_OK, NULL);
    CHECK_RC(hsession_request(s, req, &resp, NULL), HSESSION_OK, NULL);
    hsession_response_free(resp);
    hsession_request_free(req);
    CHECK_RC(get(s, "/echo"), HSESSION_TLS, NULL);
    hsession_request_new("GET", url, &req, NULL);
    EXPECT(hsession_request_set_ca_file(req, file(0, "ca.pem"), &err), HSESSION_OK);
    resp = NULL;
    CHECK_RC(hsession_request(s, req, &resp, NULL), HSESSION_OK, NULL);
    hsession_response_free(resp);
    EXPECT(hsession_request_set_ca_file(req, "/nonexistent/ca.pem", &err), HSESSION_IO);
    EXPECT(hsession_request_set_client_cert(req, file(1, "client.pem"), NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_request_set_client_cert(req, NULL, NULL, &err), HSESSION_OK);
    hsession_request_free(req);

    /* Client certificate and minimum version (the server allows 1.3). */
    EXPECT(hsession_set_ca_file(s, file(0, "ca.pem"), &err), HSESSION_OK);
    EXPECT(hsession_set_client_cert(s, file(1, "client.pem"), file(2, "client-key.pem"), &err),
           HSESSION_OK);
    EXPECT(hsession_set_min_tls_version(s, HSESSION_TLS_1_3, &err), HSESSION_OK);
    CHECK_RC(get(s, "/echo"), HSESSION_OK, NULL);
    EXPECT(hsession_set_client_cert(s, NULL, NULL, &err), HSESSION_OK);
    EXPECT(hsession_set_min_tls_version(s, HSESSION_TLS_1_2, &err), HSESSION_OK);
    CHECK_RC(get(s, "/echo"), HSESSION_OK, NULL);
    hsession_free(s);
}

static void body_limit(void) {
    hsession *s = NULL;
    EXPECT(hsession_new(&s, &err), HSESSION_OK);
    EXPECT(hsession_set_ca_file(s, file(0, "ca.pem"), &err), HSESSION_OK);
    CHECK_RC(hsession_set_max_body_size(s, 1 << 20), HSESSION_OK, NULL);

    hsession_response *r = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, URL("/gzip-bomb/10"), &r, &err);
    CHECK_RC(rc, HSESSION_BODY_TOO_LARGE, err);
    CHECK(r == NULL, "response written on failure");
    CHECK(err && strstr(hsession_error_message(err), "1048576"), "message: %s",
          err ? hsession_error_message(err) : "(none)");
    CHECK(err && hsession_error_url(err) && strstr(hsession_error_url(err), "/gzip-bomb/10"),
          "url");
    CHECK(strcmp(hsession_result_str(HSESSION_BODY_TOO_LARGE), "unknown result code") != 0,
          "no text for 27");
    CHECK(HSESSION_BODY_TOO_LARGE == 27, "code %u", HSESSION_BODY_TOO_LARGE);
    hsession_error_free(err);

    /* The request's own limit wins: 0 = none. */
    hsession_request_builder *req = NULL;
    err = NULL;
    CHECK_RC(hsession_request_new("GET", URL("/gzip-bomb/10"), &req, &err), HSESSION_OK, err);
    CHECK_RC(hsession_request_set_max_body_size(req, 0), HSESSION_OK, NULL);
    rc = hsession_request(s, req, &r, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    if (rc == HSESSION_OK) {
        const uint8_t *data = NULL;
        size_t len = 0;
        CHECK_RC(hsession_response_body(r, &data, &len), HSESSION_OK, NULL);
        CHECK(len == 10u << 20, "len %zu", len);
        hsession_response_free(r);
    }
    hsession_error_free(err);
    err = NULL;
    CHECK_RC(hsession_request_set_max_body_size(req, 100), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_max_body_size(s, 0), HSESSION_OK, NULL);
    r = NULL;
    CHECK_RC(hsession_request(s, req, &r, &err), HSESSION_BODY_TOO_LARGE, err);
    hsession_error_free(err);
    hsession_request_free(req);
    hsession_free(s);
}

static void bad_input(void) {
    hsession *s = NULL;
    EXPECT(hsession_new(&s, &err), HSESSION_OK);
    /* NULL handles. */
    EXPECT(hsession_set_verify(NULL, 1, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_ca_file(NULL, file(0, "ca.pem"), &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_client_cert(NULL, file(1, "client.pem"), file(2, "client-key.pem"), &err),
           HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_min_tls_version(NULL, HSESSION_TLS_1_2, &err), HSESSION_NULL_ARGUMENT);
    CHECK_RC(hsession_set_max_body_size(NULL, 1), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_request_set_max_body_size(NULL, 1), HSESSION_NULL_ARGUMENT, NULL);
    /* err_out may be NULL. */
    CHECK_RC(hsession_set_verify(NULL, 1, NULL), HSESSION_NULL_ARGUMENT, NULL);
    /* One of cert/key NULL. */
    EXPECT(hsession_set_client_cert(s, file(1, "client.pem"), NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_client_cert(s, NULL, file(2, "client-key.pem"), &err),
           HSESSION_NULL_ARGUMENT);
    /* Missing files, not PEM, key of another certificate, not UTF-8. */
    EXPECT(hsession_set_ca_file(s, file(3, "missing.pem"), &err), HSESSION_IO);
    EXPECT(hsession_set_ca_file(s, file(2, "client-key.pem"), &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_set_client_cert(s, file(1, "client.pem"), file(3, "missing.pem"), &err),
           HSESSION_IO);
    EXPECT(hsession_set_client_cert(s, file(2, "client-key.pem"), file(2, "client-key.pem"), &err),
           HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_set_client_cert(s, file(1, "client.pem"), file(4, "key.pem"), &err),
           HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_set_ca_file(s, "/tmp/\xff\xfe.pem", &err), HSESSION_INVALID_UTF8);
    EXPECT(hsession_set_min_tls_version(s, 0x0301, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_set_min_tls_version(s, 13, &err), HSESSION_INVALID_ARGUMENT);
    /* Nothing changed: verification against the platform roots. */
    CHECK_RC(get(s, "/echo"), HSESSION_TLS, NULL);
    hsession_free(s);
}

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    server_start_with(&srv, dir);
    ca_bundle_and_verify();
    body_limit();
    bad_input();
    server_stop(&srv);
    const char *names[] = {"ca.pem", "cert.pem", "key.pem", "client.pem", "client-key.pem"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(file(5, names[i]));
    rmdir(dir);
    return finish("test_tls");
}
