/* Bad input through the C ABI: each case gets its documented result code
 * and a message, nothing invalid reaches the wire, and the session still
 * works afterwards. */
#include "testutil.h"

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

/* The server's request counter, read over a separate session. */
static long served(void) {
    hsession *probe = NULL;
    hsession_new(&probe, NULL);
    hsession_response *r = NULL;
    char url[256];
    snprintf(url, sizeof url, "%s/stats", srv.base);
    long n = -1;
    if (hsession_get(probe, url, &r, NULL) == HSESSION_OK) {
        char *body = body_text(r);
        const char *p = strstr(body, "\"requests_served\":");
        if (p) n = strtol(p + strlen("\"requests_served\":"), NULL, 10);
        free(body);
    }
    hsession_response_free(r);
    hsession_free(probe);
    return n; /* includes this /stats request itself */
}

/* Runs `call` (which writes `err`), then checks its result with expect(). */
#define EXPECT(call, want, what)          \
    do {                                  \
        err = NULL;                       \
        hsession_result rc_ = (call);     \
        expect(rc_, err, (want), (what)); \
    } while (0)

/* Checks code, a non-empty message and the error's own code. */
static void expect(hsession_result rc, hsession_error *err, hsession_result want, const char *what) {
    CHECK(rc == want, "%s: got %u (%s), want %u (%s)", what, rc, hsession_result_str(rc), want,
          hsession_result_str(want));
    if (want != HSESSION_OK) {
        CHECK(err != NULL, "%s: no error object", what);
        if (err) {
            CHECK(hsession_error_code(err) == want, "%s: error code %u", what, hsession_error_code(err));
            const char *msg = hsession_error_message(err);
            CHECK(msg && *msg, "%s: empty message", what);
        }
    }
    hsession_error_free(err);
}

static void null_pointers(hsession *s) {
    hsession_error *err = NULL;
    hsession_request_builder *req = NULL;
    hsession_response *resp = NULL;
    hsession_request_new("GET", URL("/echo"), &req, NULL);
    hsession_response *ok = NULL;
    hsession_get(s, URL("/echo"), &ok, NULL);
    const uint8_t *data;
    size_t len;
    const char *str;
    size_t slen;

#define NULL_CASE(call, what) EXPECT(call, HSESSION_NULL_ARGUMENT, what)

    NULL_CASE(hsession_new(NULL, &err), "hsession_new(NULL)");
    NULL_CASE(hsession_set_header(NULL, "A", "b", &err), "set_header session");
    NULL_CASE(hsession_set_header(s, NULL, "b", &err), "set_header name");
    NULL_CASE(hsession_set_header(s, "A", NULL, &err), "set_header value");
    NULL_CASE(hsession_append_header(s, NULL, "b", &err), "append_header name");
    NULL_CASE(hsession_remove_header(s, NULL, &err), "remove_header name");
    NULL_CASE(hsession_remove_header(NULL, "A", &err), "remove_header session");
    NULL_CASE(hsession_set_basic_auth(s, NULL, "p", &err), "basic user");
    NULL_CASE(hsession_set_basic_auth(s, "u", NULL, &err), "basic password");
    NULL_CASE(hsession_set_bearer_auth(s, NULL, &err), "bearer token");
    NULL_CASE(hsession_add_query_param(s, NULL, "v", &err), "query key");
    NULL_CASE(hsession_add_query_param(s, "k", NULL, &err), "query value");
    NULL_CASE(hsession_set_pool_idle_timeout_ms(NULL, 1, &err), "pool idle session");
    NULL_CASE(hsession_set_pool_max_idle_per_host(NULL, 1, &err), "pool max session");
    NULL_CASE(hsession_request_new(NULL, URL("/"), &req, &err), "request_new method");
    NULL_CASE(hsession_request_new("GET", NULL, &req, &err), "request_new url");
    NULL_CASE(hsession_request_new("GET", URL("/"), NULL, &err), "request_new out");
    NULL_CASE(hsession_request_add_header(NULL, "A", "b", &err), "req header request");
    NULL_CASE(hsession_request_add_header(req, NULL, "b", &err), "req header name");
    NULL_CASE(hsession_request_add_header(req, "A", NULL, &err), "req header value");
    NULL_CASE(hsession_request_remove_header(req, NULL, &err), "req remove name");
    NULL_CASE(hsession_request_add_query_param(req, NULL, "v", &err), "req query key");
    NULL_CASE(hsession_request_set_body(req, NULL, 5, &err), "req body NULL with length");
    NULL_CASE(hsession_request_set_body(NULL, (const uint8_t *)"x", 1, &err), "req body request");
    NULL_CASE(hsession_request_set_basic_auth(req, NULL, "p", &err), "req basic user");
    NULL_CASE(hsession_request_set_bearer_auth(req, NULL, &err), "req bearer");
    NULL_CASE(hsession_request(NULL, req, &resp, &err), "request session");
    NULL_CASE(hsession_request(s, NULL, &resp, &err), "request request");
    NULL_CASE(hsession_request(s, req, NULL, &err), "request out");
    NULL_CASE(hsession_get(s, NULL, &resp, &err), "get url");
    NULL_CASE(hsession_get(NULL, URL("/"), &resp, &err), "get session");
    NULL_CASE(hsession_get(s, URL("/"), NULL, &err), "get out");
    EXPECT(hsession_set_worker_threads(0, &err), HSESSION_INVALID_ARGUMENT, "0 worker threads");
    EXPECT(hsession_set_worker_threads(2, &err), HSESSION_RUNTIME, "worker threads after start");

    /* Functions without err_out. */
    CHECK(hsession_clear_auth(NULL) == HSESSION_NULL_ARGUMENT, "clear_auth(NULL)");
    CHECK(hsession_clear_query_params(NULL) == HSESSION_NULL_ARGUMENT, "clear_query(NULL)");
    CHECK(hsession_set_connect_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "connect timeout NULL");
    CHECK(hsession_set_read_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "read timeout NULL");
    CHECK(hsession_set_total_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "total timeout NULL");
    CHECK(hsession_request_set_no_auth(NULL) == HSESSION_NULL_ARGUMENT, "no_auth NULL");
    CHECK(hsession_set_max_redirects(NULL, 1) == HSESSION_NULL_ARGUMENT, "max_redirects NULL");
    CHECK(hsession_request_set_max_redirects(NULL, 1) == HSESSION_NULL_ARGUMENT, "req max_redirects NULL");
    uint16_t st;
    CHECK(hsession_response_history_at(NULL, 0, &st, &str) == HSESSION_NULL_ARGUMENT, "history resp NULL");
    CHECK(hsession_response_history_at(ok, 0, NULL, &str) == HSESSION_NULL_ARGUMENT, "history status NULL");
    CHECK(hsession_response_history_at(ok, 0, &st, NULL) == HSESSION_NULL_ARGUMENT, "history url NULL");
    CHECK(hsession_response_history_count(NULL) == 0, "history_count(NULL)");
    CHECK(hsession_request_set_connect_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "req connect NULL");
    CHECK(hsession_request_set_read_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "req read NULL");
    CHECK(hsession_request_set_total_timeout_ms(NULL, 1) == HSESSION_NULL_ARGUMENT, "req total NULL");
    CHECK(hsession_response_body(NULL, &data, &len) == HSESSION_NULL_ARGUMENT, "body resp NULL");
    CHECK(hsession_response_body(ok, NULL, &len) == HSESSION_NULL_ARGUMENT, "body data NULL");
    CHECK(hsession_response_body(ok, &data, NULL) == HSESSION_NULL_ARGUMENT, "body len NULL");
    CHECK(hsession_response_header(ok, NULL, 0, &str, &slen) == HSESSION_NULL_ARGUMENT, "header name NULL");
    CHECK(hsession_response_header(ok, "a", 0, NULL, &slen) == HSESSION_NULL_ARGUMENT, "header out NULL");
    CHECK(hsession_response_header(NULL, "a", 0, &str, &slen) == HSESSION_NULL_ARGUMENT, "header resp NULL");
    CHECK(hsession_response_header_at(ok, 0, NULL, &slen, &str, &slen) == HSESSION_NULL_ARGUMENT, "at NULL");
    CHECK(hsession_response_header_at(NULL, 0, &str, &slen, &str, &slen) == HSESSION_NULL_ARGUMENT, "at resp");

    /* Getters and frees take NULL quietly. */
    CHECK(hsession_response_status(NULL) == 0, "status(NULL)");
    CHECK(hsession_response_reason(NULL) == NULL, "reason(NULL)");
    CHECK(hsession_response_url(NULL) == NULL, "url(NULL)");
    CHECK(hsession_response_version(NULL) == NULL, "version(NULL)");
    CHECK(hsession_response_elapsed_us(NULL) == 0, "elapsed(NULL)");
    CHECK(hsession_response_header_count(NULL) == 0, "count(NULL)");
    CHECK(hsession_requests_sent(NULL) == 0, "requests_sent(NULL)");
    CHECK(hsession_connections_opened(NULL) == 0, "connections_opened(NULL)");
    CHECK(hsession_error_code(NULL) == HSESSION_NULL_ARGUMENT, "error_code(NULL)");
    CHECK(hsession_error_message(NULL) == NULL, "error_message(NULL)");
    CHECK(hsession_error_url(NULL) == NULL, "error_url(NULL)");
    hsession_free(NULL);
    hsession_request_free(NULL);
    hsession_response_free(NULL);
    hsession_error_free(NULL);

    /* An empty body may be NULL. */
    CHECK(hsession_request_set_body(req, NULL, 0, NULL) == HSESSION_OK, "empty body NULL");
    CHECK(resp == NULL, "response written on failure");
    hsession_response_free(ok);
    hsession_request_free(req);
}

struct header_case {
    const char *name, *value;
    hsession_result want;
    const char *what;
};

static void invalid_requests(hsession *s) {
    const char bad_utf8[] = {'X', '-', (char)0xff, (char)0xfe, 0};
    const char bad_utf8_value[] = {'a', (char)0xc3, (char)0x28, 0};
    const struct header_case headers[] = {
        {"X Y", "v", HSESSION_INVALID_HEADER_NAME, "space in name"},
        {"X:Y", "v", HSESSION_INVALID_HEADER_NAME, "colon in name"},
        {"", "v", HSESSION_INVALID_HEADER_NAME, "empty name"},
        {"X\r\nInjected", "v", HSESSION_INVALID_HEADER_NAME, "CRLF in name"},
        {"X-A", "v\r\nInjected: 1", HSESSION_INVALID_HEADER_VALUE, "CRLF in value"},
        {"X-A", "v\nInjected: 1", HSESSION_INVALID_HEADER_VALUE, "LF in value"},
        {"X-A", "v\rx", HSESSION_INVALID_HEADER_VALUE, "CR in value"},
        {"X-A", "v\x01x", HSESSION_INVALID_HEADER_VALUE, "control byte in value"},
        {bad_utf8, "v", HSESSION_INVALID_UTF8, "invalid UTF-8 name"},
        {"X-A", bad_utf8_value, HSESSION_INVALID_UTF8, "invalid UTF-8 value"},
    };
    hsession_request_builder *req = NULL;
    CHECK_RC(hsession_request_new("GET", URL("/echo"), &req, NULL), HSESSION_OK, NULL);
    hsession_error *err = NULL;
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        EXPECT(hsession_set_header(s, headers[i].name, headers[i].value, &err), headers[i].want, headers[i].what);
        EXPECT(hsession_request_add_header(req, headers[i].name, headers[i].value, &err), headers[i].want,
               headers[i].what);
    }

    struct {
        const char *method, *url;
        hsession_result want;
        const char *what;
    } requests[] = {
        {"GE T", "http://127.0.0.1:1/", HSESSION_INVALID_METHOD, "space in method"},
        {"", "http://127.0.0.1:1/", HSESSION_INVALID_METHOD, "empty method"},
        {"GET\r\n", "http://127.0.0.1:1/", HSESSION_INVALID_METHOD, "CRLF in method"},
        {"GET", "ftp://127.0.0.1/file", HSESSION_UNSUPPORTED_SCHEME, "ftp URL"},
        {"GET", "file:///etc/passwd", HSESSION_UNSUPPORTED_SCHEME, "file URL"},
        {"GET", "http://", HSESSION_INVALID_URL, "no host"},
        {"GET", "http://:80/path", HSESSION_INVALID_URL, "empty host"},
        {"GET", "not a url", HSESSION_INVALID_URL, "not a URL"},
        {"GET", "/relative/path", HSESSION_INVALID_URL, "relative URL"},
        {"GET", "http://127.0.0.1:99999/", HSESSION_INVALID_URL, "port out of range"},
        {"GET", "http://127.0.0.1/a\r\nX-Injected: 1", HSESSION_INVALID_URL, "CRLF in URL"},
        {"GET", "http://127.0.0.1/a\tb", HSESSION_INVALID_URL, "tab in URL"},
        {"GET", bad_utf8, HSESSION_INVALID_UTF8, "invalid UTF-8 URL"},
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        hsession_request_builder *bad = NULL;
        EXPECT(hsession_request_new(requests[i].method, requests[i].url, &bad, &err), requests[i].want,
               requests[i].what);
        CHECK(bad == NULL, "%s: request written on failure", requests[i].what);
        hsession_response *resp = NULL;
        if (strcmp(requests[i].method, "GET") == 0) {
            EXPECT(hsession_get(s, requests[i].url, &resp, &err), requests[i].want, requests[i].what);
            CHECK(resp == NULL, "%s: response written on failure", requests[i].what);
        }
    }

    EXPECT(hsession_set_basic_auth(s, "us:er", "p", &err), HSESSION_INVALID_ARGUMENT, "colon in user");
    EXPECT(hsession_set_bearer_auth(s, "tok\r\nen", &err), HSESSION_INVALID_HEADER_VALUE, "CRLF in token");
    hsession_request_free(req);
}

static void transport_failures(hsession *s) {
    /* An unreachable port: bind nothing there (port 1 needs root to listen). */
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, "http://user:secret@127.0.0.1:1/x", &resp, &err);
    CHECK_RC(rc, HSESSION_CONNECT, err);
    CHECK(err && hsession_error_url(err) && strstr(hsession_error_url(err), "secret") == NULL, "URL not redacted: %s",
          err ? hsession_error_url(err) : "");
    CHECK(err && strstr(hsession_error_message(err), "secret") == NULL, "message leaks the password");
    hsession_error_free(err);

    err = NULL;
    rc = hsession_get(s, URL("/close-mid-body"), &resp, &err);
    CHECK_RC(rc, HSESSION_CONNECTION_CLOSED, err);
    CHECK(resp == NULL, "response written on failure");
    hsession_error_free(err);

    err = NULL;
    rc = hsession_get(s, URL("/close-no-response"), &resp, &err);
    CHECK_RC(rc, HSESSION_CONNECTION_CLOSED, err);
    hsession_error_free(err);

    /* Failures without err_out still return their code. */
    CHECK(hsession_get(s, URL("/close-mid-body"), &resp, NULL) == HSESSION_CONNECTION_CLOSED, "no err_out");
}

int main(void) {
    server_start(&srv);
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);

    long before = served();
    null_pointers(s);
    long mid = served();
    /* null_pointers sends one valid request; nothing else reaches the server. */
    CHECK(mid == before + 2, "server saw %ld requests, want %ld", mid, before + 2);
    invalid_requests(s);
    long after = served();
    CHECK(after == mid + 1, "invalid requests reached the server: %ld -> %ld", mid, after);
    transport_failures(s);

    /* The session still works, with every setting intact. */
    hsession_response *r = NULL;
    hsession_error *err = NULL;
    CHECK_RC(hsession_get(s, URL("/echo"), &r, &err), HSESSION_OK, err);
    CHECK(hsession_response_status(r) == 200, "status after bad input");
    hsession_response_free(r);
    hsession_error_free(err);

    for (hsession_result code = 0; code <= HSESSION_TOO_MANY_RETRIES; code++)
        CHECK(strcmp(hsession_result_str(code), "unknown result code") != 0, "no text for %u", code);
    CHECK(strcmp(hsession_result_str(9999), "unknown result code") == 0, "unknown code");
    CHECK(strcmp(hsession_result_name(HSESSION_CONNECT), "HSESSION_CONNECT") == 0, "name of CONNECT");
    CHECK(strcmp(hsession_result_name(HSESSION_OK), "HSESSION_OK") == 0, "name of OK");
    CHECK(hsession_result_name(9999) == NULL, "no name for an unknown code");

    hsession_free(s);
    server_stop(&srv);
    return finish("test_bad_input");
}
