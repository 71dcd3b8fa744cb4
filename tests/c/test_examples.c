/* The classic requests.Session examples 1-4 as C tests against the
 * test server: basic use, cookies across a login, default headers and a
 * timeout, connection reuse shown by the counters, and basic auth. */
#include "testutil.h"

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static hsession_response *send_ok(hsession *s, hsession_request_builder *req) {
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_request(s, req, &resp, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    hsession_error_free(err);
    return resp;
}

static hsession_response *get_ok(hsession *s, const char *url) {
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, url, &resp, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    hsession_error_free(err);
    return resp;
}

/* Basic use: a default User-Agent, a GET and a form POST. */
static void basic_use(void) {
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_header(s, "User-Agent", "MyApp/1.0", NULL), HSESSION_OK, NULL);

    hsession_response *r1 = get_ok(s, URL("/data"));
    CHECK(hsession_response_status(r1) == 200, "status %u", hsession_response_status(r1));
    CHECK(body_has(r1, "[\"user-agent\",\"MyApp/1.0\"]"), "User-Agent not sent");
    hsession_response_free(r1);

    hsession_request_builder *req = NULL;
    CHECK_RC(hsession_request_new("POST", URL("/submit"), &req, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_add_header(req, "Content-Type", "application/x-www-form-urlencoded", NULL),
             HSESSION_OK, NULL);
    const char *form = "key=value";
    CHECK_RC(hsession_request_set_body(req, (const uint8_t *)form, strlen(form), NULL), HSESSION_OK, NULL);
    hsession_response *r2 = send_ok(s, req);
    CHECK(body_has(r2, "\"form\":{\"key\":\"value\"}"), "form not echoed");
    CHECK(body_has(r2, "[\"user-agent\",\"MyApp/1.0\"]"), "User-Agent not kept");
    CHECK(strcmp(hsession_response_version(r2), "HTTP/1.1") == 0, "version %s", hsession_response_version(r2));
    CHECK(strcmp(hsession_response_reason(r2), "OK") == 0, "reason %s", hsession_response_reason(r2));
    CHECK(strstr(hsession_response_url(r2), "/submit") != NULL, "url %s", hsession_response_url(r2));
    CHECK(hsession_response_elapsed_us(r2) > 0, "elapsed 0");
    const char *ct = NULL;
    size_t ct_len = 0;
    CHECK_RC(hsession_response_header(r2, "CONTENT-TYPE", 0, &ct, &ct_len), HSESSION_OK, NULL);
    CHECK(ct_len == strlen("application/json") && memcmp(ct, "application/json", ct_len) == 0, "content-type");
    hsession_response_free(r2);
    hsession_request_free(req);
    hsession_free(s);
}

/* Cookies: a login sets a session cookie; the protected page gets it. */
static void cookies_across_login(void) {
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    hsession_response *denied = get_ok(s, URL("/protected"));
    CHECK(hsession_response_status(denied) == 401, "status %u", hsession_response_status(denied));
    hsession_response_free(denied);

    hsession_request_builder *login = NULL;
    CHECK_RC(hsession_request_new("POST", URL("/login"), &login, NULL), HSESSION_OK, NULL);
    hsession_request_add_header(login, "Content-Type", "application/x-www-form-urlencoded", NULL);
    const char *form = "username=user&password=pass";
    hsession_request_set_body(login, (const uint8_t *)form, strlen(form), NULL);
    hsession_response *r = send_ok(s, login);
    CHECK(hsession_response_status(r) == 200, "login status %u", hsession_response_status(r));
    const char *set_cookie = NULL;
    size_t len = 0;
    CHECK_RC(hsession_response_header(r, "set-cookie", 0, &set_cookie, &len), HSESSION_OK, NULL);
    CHECK(len > 8 && memcmp(set_cookie, "session=", 8) == 0, "Set-Cookie");
    hsession_response_free(r);
    hsession_request_free(login);

    hsession_response *page = get_ok(s, URL("/protected"));
    CHECK(hsession_response_status(page) == 200, "protected status %u", hsession_response_status(page));
    CHECK(body_has(page, "\"authenticated\":true"), "not authenticated");
    hsession_response_free(page);
    hsession_free(s);
}

/* Default headers and a default timeout apply to every request. */
static void default_headers_and_timeout(void) {
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_header(s, "Authorization", "Bearer my_token", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_header(s, "Accept", "application/json", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_total_timeout_ms(s, 5000), HSESSION_OK, NULL);
    const char *paths[] = {"/anything/endpoint1", "/anything/endpoint2"};
    for (int i = 0; i < 2; i++) {
        hsession_response *r = get_ok(s, URL(paths[i]));
        CHECK(body_has(r, "[\"authorization\",\"Bearer my_token\"]"), "Authorization on %s", paths[i]);
        CHECK(body_has(r, "[\"accept\",\"application/json\"]"), "Accept on %s", paths[i]);
        hsession_response_free(r);
    }
    hsession_response *bearer = get_ok(s, URL("/bearer"));
    CHECK(hsession_response_status(bearer) == 200, "bearer status %u", hsession_response_status(bearer));
    hsession_response_free(bearer);

    /* The default timeout is enforced: a 1 s total against a 3 s delay. */
    CHECK_RC(hsession_set_total_timeout_ms(s, 1000), HSESSION_OK, NULL);
    hsession_response *r = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, URL("/delay/3000"), &r, &err);
    CHECK_RC(rc, HSESSION_TIMEOUT, err);
    CHECK(r == NULL, "response written on failure");
    CHECK(err && hsession_error_code(err) == HSESSION_TIMEOUT, "error code");
    CHECK(err && strstr(hsession_error_url(err), "/delay/3000") != NULL, "error url");
    hsession_error_free(err);
    hsession_free(s);
}

/* Connection pooling: five requests on a session use one connection; five
 * sessions use five. */
static void connection_reuse(void) {
    uint64_t without = 0;
    for (int i = 0; i < 5; i++) {
        hsession *one = NULL;
        CHECK_RC(hsession_new(&one, NULL), HSESSION_OK, NULL);
        hsession_response_free(get_ok(one, URL("/data")));
        without += hsession_connections_opened(one);
        hsession_free(one);
    }
    CHECK(without == 5, "5 sessions opened %llu connections", (unsigned long long)without);

    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    for (int i = 0; i < 5; i++) hsession_response_free(get_ok(s, URL("/data")));
    CHECK(hsession_requests_sent(s) == 5, "requests %llu", (unsigned long long)hsession_requests_sent(s));
    CHECK(hsession_connections_opened(s) == 1, "one session opened %llu connections",
          (unsigned long long)hsession_connections_opened(s));
    hsession_free(s);
}

/* Basic auth set once on the session. */
static void basic_auth(void) {
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_basic_auth(s, "user", "pass", NULL), HSESSION_OK, NULL);
    hsession_response *r = get_ok(s, URL("/basic-auth/user/pass"));
    CHECK(hsession_response_status(r) == 200, "status %u", hsession_response_status(r));
    CHECK(body_has(r, "\"user\":\"user\""), "user");
    hsession_response_free(r);

    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/basic-auth/user/pass"), &req, NULL);
    hsession_request_set_no_auth(req);
    r = send_ok(s, req);
    CHECK(hsession_response_status(r) == 401, "status without auth %u", hsession_response_status(r));
    const char *www = NULL;
    size_t len = 0;
    CHECK_RC(hsession_response_header(r, "WWW-Authenticate", 0, &www, &len), HSESSION_OK, NULL);
    hsession_response_free(r);
    hsession_request_free(req);
    hsession_free(s);
}

/* Headers by index and repeated headers by name. */
static void response_headers(void) {
    hsession *s = NULL;
    hsession_new(&s, NULL);
    hsession_response *r = get_ok(s, URL("/cookies/set?a=1&b=2"));
    size_t n = hsession_response_header_count(r);
    int set_cookies = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        size_t name_len, value_len;
        CHECK_RC(hsession_response_header_at(r, i, &name, &name_len, &value, &value_len), HSESSION_OK, NULL);
        if (name_len == 10 && memcmp(name, "set-cookie", 10) == 0) set_cookies++;
    }
    CHECK(set_cookies == 2, "set-cookie lines by index: %d", set_cookies);
    const char *v;
    size_t vlen;
    CHECK_RC(hsession_response_header(r, "Set-Cookie", 1, &v, &vlen), HSESSION_OK, NULL);
    CHECK(vlen >= 3 && memcmp(v, "b=2", 3) == 0, "second Set-Cookie");
    CHECK_RC(hsession_response_header(r, "Set-Cookie", 2, &v, &vlen), HSESSION_NOT_FOUND, NULL);
    const char *nm;
    size_t nlen;
    CHECK_RC(hsession_response_header_at(r, n, &nm, &nlen, &v, &vlen), HSESSION_NOT_FOUND, NULL);
    hsession_response_free(r);
    hsession_free(s);
}

/* Redirects: the history through the C ABI, and the limit. */
static void redirects(void) {
    hsession *s = NULL;
    hsession_new(&s, NULL);
    hsession_response *r = get_ok(s, URL("/redirect/2"));
    CHECK(hsession_response_status(r) == 200, "status %u", hsession_response_status(r));
    CHECK(hsession_response_history_count(r) == 2, "history %zu", hsession_response_history_count(r));
    uint16_t status = 0;
    const char *hop = NULL;
    CHECK_RC(hsession_response_history_at(r, 1, &status, &hop), HSESSION_OK, NULL);
    CHECK(status == 302 && hop && strstr(hop, "/redirect/1") != NULL, "hop 1: %u %s", status, hop ? hop : "");
    CHECK_RC(hsession_response_history_at(r, 2, &status, &hop), HSESSION_NOT_FOUND, NULL);
    hsession_response_free(r);

    CHECK_RC(hsession_set_max_redirects(s, 1), HSESSION_OK, NULL);
    hsession_error *err = NULL;
    r = NULL;
    hsession_result rc = hsession_get(s, URL("/redirect/2"), &r, &err);
    CHECK_RC(rc, HSESSION_TOO_MANY_REDIRECTS, err);
    hsession_error_free(err);

    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/redirect/2"), &req, NULL);
    CHECK_RC(hsession_request_set_return_at_redirect_limit(req, 1), HSESSION_OK, NULL);
    r = send_ok(s, req);
    CHECK(hsession_response_status(r) == 302 && hsession_response_history_count(r) == 1, "returned at the limit");
    hsession_response_free(r);
    hsession_request_free(req);
    CHECK(hsession_request_set_return_at_redirect_limit(NULL, 1) == HSESSION_NULL_ARGUMENT, "return at limit NULL");

    hsession_request_new("GET", URL("/redirect/2"), &req, NULL);
    CHECK_RC(hsession_request_set_max_redirects(req, 0), HSESSION_OK, NULL);
    r = send_ok(s, req);
    CHECK(hsession_response_status(r) == 302 && hsession_response_history_count(r) == 0, "not followed");
    hsession_response_free(r);
    hsession_request_free(req);
    hsession_free(s);
}

int main(void) {
    server_start(&srv);
    basic_use();
    cookies_across_login();
    default_headers_and_timeout();
    connection_reuse();
    basic_auth();
    response_headers();
    redirects();
    server_stop(&srv);
    return finish("test_examples");
}
