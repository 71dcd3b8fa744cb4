/* Retries through the C ABI (requests.Session example 5: Retry(total=3,
 * backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])), counted on
 * the server, and bad input for the retry calls. */
#include "testutil.h"

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static long attempts(hsession *s, const char *key) {
    char path[64];
    snprintf(path, sizeof path, "/attempts/%s", key);
    hsession_response *r = NULL;
    long n = -1;
    if (hsession_get(s, URL(path), &r, NULL) == HSESSION_OK) {
        char *body = body_text(r);
        const char *p = strstr(body, "\"attempts\":");
        if (p) n = strtol(p + 11, NULL, 10);
        free(body);
    }
    hsession_response_free(r);
    return n;
}

int main(void) {
    server_start(&srv);
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    hsession_error *err = NULL;
    /* Named setters: a count or a time cannot be put in the wrong place. */
    CHECK_RC(hsession_set_retry_count(s, HSESSION_RETRY_TOTAL, 3, &err), HSESSION_OK, err);
    CHECK_RC(hsession_set_retry_seconds(s, HSESSION_RETRY_BACKOFF_FACTOR, 0.1, &err), HSESSION_OK, err);
    const uint16_t forcelist[] = {500, 502, 503, 504};
    CHECK_RC(hsession_set_retry_statuses(s, forcelist, 4, &err), HSESSION_OK, err);

    hsession_response *r = NULL;
    CHECK_RC(hsession_get(s, URL("/flaky/unstable/2"), &r, &err), HSESSION_OK, err);
    CHECK(hsession_response_status(r) == 200, "status %u", hsession_response_status(r));
    CHECK(hsession_response_retries(r) == 2, "retries %u", hsession_response_retries(r));
    CHECK(attempts(s, "unstable") == 3, "server saw %ld attempts", attempts(s, "unstable"));
    hsession_response_free(r);

    r = NULL;
    hsession_result rc = hsession_get(s, URL("/flaky/down/10"), &r, &err);
    CHECK_RC(rc, HSESSION_TOO_MANY_RETRIES, err);
    CHECK(r == NULL, "response written on failure");
    hsession_error_free(err);
    err = NULL;
    CHECK(attempts(s, "down") == 4, "down: %ld attempts", attempts(s, "down"));

    CHECK_RC(hsession_set_retry_flags(s, 1, 0), HSESSION_OK, NULL);
    CHECK_RC(hsession_get(s, URL("/flaky/down2/10"), &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 503 && hsession_response_retries(r) == 3, "last response returned");
    hsession_response_free(r);

    /* POST is not retried until the caller allows it. */
    hsession_request_builder *post = NULL;
    hsession_request_new("POST", URL("/flaky/post/1"), &post, NULL);
    CHECK_RC(hsession_request(s, post, &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 503 && hsession_response_retries(r) == 0, "POST retried");
    hsession_response_free(r);
    hsession_request_free(post);
    CHECK_RC(hsession_set_retry_methods(s, "*", NULL), HSESSION_OK, NULL);
    hsession_request_new("POST", URL("/flaky/post2/1"), &post, NULL);
    CHECK_RC(hsession_request(s, post, &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 200 && hsession_response_retries(r) == 1, "POST with \"*\"");
    hsession_response_free(r);
    hsession_request_free(post);
    CHECK_RC(hsession_set_retry_methods(s, "GET, PUT", NULL), HSESSION_OK, NULL);

    /* A request's own policy replaces the session's: none on a session that
     * retries, and retries on a session that does not. */
    hsession_request_builder *own = NULL;
    hsession_request_new("GET", URL("/flaky/own0/1"), &own, NULL);
    CHECK_RC(hsession_request_set_retry_count(own, HSESSION_RETRY_TOTAL, 0, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request(s, own, &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 503 && hsession_response_retries(r) == 0, "request policy: none");
    hsession_response_free(r);
    hsession_request_free(own);
    hsession *plain = NULL;
    CHECK_RC(hsession_new(&plain, NULL), HSESSION_OK, NULL);
    hsession_request_new("GET", URL("/flaky/own2/2"), &own, NULL);
    CHECK_RC(hsession_request_set_retry_count(own, HSESSION_RETRY_TOTAL, 3, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_set_retry_seconds(own, HSESSION_RETRY_BACKOFF_FACTOR, 0.01, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_set_retry_statuses(own, forcelist, 4, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_set_retry_methods(own, "GET", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_set_retry_flags(own, 1, 1), HSESSION_OK, NULL);
    CHECK_RC(hsession_request(plain, own, &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 200 && hsession_response_retries(r) == 2, "request policy: 3 retries");
    hsession_response_free(r);
    CHECK(hsession_request_set_retry_count(own, HSESSION_RETRY_BACKOFF_MAX, 1, NULL) == HSESSION_INVALID_ARGUMENT,
          "request: a time option to the count setter");
    CHECK(hsession_request_set_retry_count(NULL, HSESSION_RETRY_TOTAL, 1, NULL) == HSESSION_NULL_ARGUMENT,
          "request NULL");
    CHECK(hsession_request_set_retry_methods(own, NULL, NULL) == HSESSION_NULL_ARGUMENT, "request methods NULL");
    hsession_request_free(own);
    hsession_free(plain);

    /* Bad input leaves the policy as it was. */
    CHECK(hsession_set_retry(NULL, 1, 1, 1, 1, 0, 0, 0, NULL) == HSESSION_NULL_ARGUMENT, "session NULL");
    CHECK(hsession_set_retry(s, -2, 1, 1, 1, 0, 0, 0, &err) == HSESSION_INVALID_ARGUMENT, "total -2");
    hsession_error_free(err);
    err = NULL;
    CHECK(hsession_set_retry(s, 1, 1, 1, 1, -0.5, 0, 0, NULL) == HSESSION_INVALID_ARGUMENT, "negative backoff");
    CHECK(hsession_set_retry(s, 1, 1, 1, 1, 1.0 / 0.0, 0, 0, NULL) == HSESSION_INVALID_ARGUMENT, "infinite");
    CHECK(hsession_set_retry_count(NULL, HSESSION_RETRY_TOTAL, 1, NULL) == HSESSION_NULL_ARGUMENT, "count NULL");
    CHECK(hsession_set_retry_count(s, HSESSION_RETRY_READ, -2, NULL) == HSESSION_INVALID_ARGUMENT, "read -2");
    CHECK(hsession_set_retry_count(s, HSESSION_RETRY_BACKOFF_MAX, 1, &err) == HSESSION_INVALID_ARGUMENT,
          "a time option given to the count setter");
    CHECK(err && strstr(hsession_error_message(err), "_retry_seconds"), "message names the right setter");
    hsession_error_free(err);
    err = NULL;
    CHECK(hsession_set_retry_count(s, 99, 1, NULL) == HSESSION_INVALID_ARGUMENT, "unknown option");
    CHECK(hsession_set_retry_seconds(NULL, HSESSION_RETRY_BACKOFF_MAX, 1, NULL) == HSESSION_NULL_ARGUMENT, "seconds NULL");
    CHECK(hsession_set_retry_seconds(s, HSESSION_RETRY_STATUS, 1, NULL) == HSESSION_INVALID_ARGUMENT,
          "a count option given to the time setter");
    CHECK(hsession_set_retry_seconds(s, HSESSION_RETRY_BACKOFF_JITTER, -1, NULL) == HSESSION_INVALID_ARGUMENT,
          "negative jitter");
    CHECK(hsession_set_retry_seconds(s, HSESSION_RETRY_BACKOFF_MAX, 0.0 / 0.0, NULL) == HSESSION_INVALID_ARGUMENT,
          "NaN max");
    CHECK(hsession_set_retry_statuses(s, NULL, 2, NULL) == HSESSION_NULL_ARGUMENT, "statuses NULL");
    const uint16_t bad[] = {503, 700};
    CHECK(hsession_set_retry_statuses(s, bad, 2, NULL) == HSESSION_INVALID_ARGUMENT, "status 700");
    CHECK(hsession_set_retry_methods(s, NULL, NULL) == HSESSION_NULL_ARGUMENT, "methods NULL");
    CHECK(hsession_set_retry_methods(s, "GET,P O S T", NULL) == HSESSION_INVALID_METHOD, "bad method");
    CHECK(hsession_set_retry_flags(NULL, 1, 1) == HSESSION_NULL_ARGUMENT, "flags NULL");
    CHECK(hsession_response_retries(NULL) == 0, "retries(NULL)");
    CHECK_RC(hsession_get(s, URL("/flaky/after/1"), &r, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(r) == 200 && hsession_response_retries(r) == 1, "policy kept");
    hsession_response_free(r);

    hsession_free(s);
    server_stop(&srv);
    return finish("test_retry");
}
