/* The log callback: lines arrive on hsession's logging thread (not the
 * caller's) while 8 threads send requests, without deadlock even when the
 * callback itself calls hsession; a retry logs its reason, a redirect its
 * hops; credentials (URL userinfo, proxy credentials, Authorization,
 * Proxy-Authorization and Cookie values) appear in no line; removing the
 * callback stops delivery. */
#include "testutil.h"

#include <pthread.h>

static test_server srv;

#define MAX_LINES 20000
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *lines[MAX_LINES];
static int levels[MAX_LINES];
static int nlines, foreign_thread_lines, bad_levels;
static pthread_t main_thread;
static pthread_t request_threads[8];
static int nested_ok = 1;
/* Set by main: the callback then sends one request on it, from the logging
 * thread, and installs itself again (both must return). */
static hsession *nested_session;
static char nested_url[256];
static int nested_status;

static void on_line(void *user_data, int level, const char *message) {
    int *calls = user_data;
    pthread_t self = pthread_self();
    int foreign = pthread_equal(self, main_thread);
    for (int i = 0; i < 8; i++) foreign |= pthread_equal(self, request_threads[i]);
    /* The callback may call hsession: the version, and a level change. */
    if (hsession_version() == NULL || hsession_set_log_level(HSESSION_LOG_OFF, NULL) != HSESSION_OK)
        nested_ok = 0;
    hsession *nested = __atomic_exchange_n(&nested_session, NULL, __ATOMIC_SEQ_CST);
    if (nested) {
        hsession_response *r = NULL;
        if (hsession_get(nested, nested_url, &r, NULL) == HSESSION_OK)
            __atomic_store_n(&nested_status, (int)hsession_response_status(r), __ATOMIC_SEQ_CST);
        hsession_response_free(r);
        if (hsession_set_log_callback(on_line, user_data, HSESSION_LOG_TRACE, NULL) != HSESSION_OK)
            nested_ok = 0;
    }
    pthread_mutex_lock(&lock);
    (*calls)++;
    if (foreign) foreign_thread_lines++;
    if (level < HSESSION_LOG_ERROR || level > HSESSION_LOG_TRACE) bad_levels++;
    if (nlines < MAX_LINES) {
        levels[nlines] = level;
        lines[nlines++] = strdup(message);
    }
    pthread_mutex_unlock(&lock);
}

static void clear_lines(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nlines; i++) free(lines[i]);
    nlines = 0;
    pthread_mutex_unlock(&lock);
}

/* Waits (up to 5 s) for a line containing every non-NULL needle. */
static int wait_line(const char *a, const char *b, const char *c) {
    for (int tries = 0; tries < 500; tries++) {
        pthread_mutex_lock(&lock);
        for (int i = 0; i < nlines; i++) {
            if (strstr(lines[i], a) && (!b || strstr(lines[i], b)) && (!c || strstr(lines[i], c))) {
                pthread_mutex_unlock(&lock);
                return 1;
            }
        }
        pthread_mutex_unlock(&lock);
        usleep(10000);
    }
    return 0;
}

static void *worker(void *arg) {
    hsession *s = arg;
    char u[256];
    int failures = 0;
    for (int i = 0; i < 25; i++) {
        hsession_response *r = NULL;
        if (hsession_get(s, url_of(&srv, "/redirect/1", u, sizeof u), &r, NULL) != HSESSION_OK ||
            hsession_response_status(r) != 200)
            failures++;
        hsession_response_free(r);
    }
    return (void *)(intptr_t)failures;
}

static const char *secrets[] = {"s3cret", "alice", "pr0xypw", "proxyuser", "tok3n", "c00kie", "b4sicpw"};

int main(void) {
    server_start(&srv);
    main_thread = pthread_self();
    char u[256];
    int calls = 0;
    hsession_error *err = NULL;

    CHECK(hsession_set_log_callback(on_line, &calls, 6, &err) == HSESSION_INVALID_ARGUMENT, "level 6");
    hsession_error_free(err);
    err = NULL;
    CHECK(hsession_set_log_level(-1, NULL) == HSESSION_INVALID_ARGUMENT, "level -1");
    CHECK_RC(hsession_set_log_callback(on_line, &calls, HSESSION_LOG_TRACE, &err), HSESSION_OK, err);

    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);

    /* 8 threads x 25 requests on one session, each redirected once. */
    for (int i = 0; i < 8; i++) pthread_create(&request_threads[i], NULL, worker, s);
    int failures = 0;
    for (int i = 0; i < 8; i++) {
        void *ret = NULL;
        pthread_join(request_threads[i], &ret);
        failures += (int)(intptr_t)ret;
    }
    CHECK(failures == 0, "%d requests failed", failures);
    CHECK(wait_line("redirect 302 from=", "/redirect/1 to=", "/echo"), "no redirect line");
    CHECK(wait_line("done 200 GET", "/redirect/1", "redirects=1"), "no done line");
    CHECK(wait_line("new connection to 127.0.0.1:", "local=127.0.0.1:", NULL), "no new-connection line");
    pthread_mutex_lock(&lock);
    CHECK(foreign_thread_lines == 0, "%d lines delivered on a caller's thread", foreign_thread_lines);
    CHECK(bad_levels == 0, "%d lines with a level out of range", bad_levels);
    CHECK(nested_ok, "a hsession call from the callback failed");
    pthread_mutex_unlock(&lock);

    /* From inside the callback: a request on this session, and the callback
     * installed again. */
    url_of(&srv, "/echo?from=callback", nested_url, sizeof nested_url);
    __atomic_store_n(&nested_session, s, __ATOMIC_SEQ_CST);
    hsession_response *r0 = NULL;
    CHECK_RC(hsession_get(s, url_of(&srv, "/echo", u, sizeof u), &r0, NULL), HSESSION_OK, NULL);
    hsession_response_free(r0);
    for (int i = 0; i < 500 && __atomic_load_n(&nested_status, __ATOMIC_SEQ_CST) == 0; i++) usleep(10000);
    CHECK(nested_status == 200, "request from the callback: status %d", nested_status);
    CHECK(wait_line("done 200 GET", "/echo?from=callback", NULL), "the callback's own request not logged");

    /* A retried status logs its reason and wait. */
    CHECK_RC(hsession_set_retry_count(s, HSESSION_RETRY_TOTAL, 2, NULL), HSESSION_OK, NULL);
    const uint16_t forcelist[] = {503};
    CHECK_RC(hsession_set_retry_statuses(s, forcelist, 1, NULL), HSESSION_OK, NULL);
    hsession_response *r = NULL;
    CHECK_RC(hsession_get(s, url_of(&srv, "/flaky/logc/1", u, sizeof u), &r, &err), HSESSION_OK, err);
    hsession_response_free(r);
    CHECK(wait_line("retry GET", "reason=\"status 503\"", "wait_ms="), "no retry line");
    /* A refused connect is retried, with its kind. */
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/x", free_port());
    r = NULL;
    CHECK(hsession_get(s, dead, &r, NULL) == HSESSION_CONNECT, "connect to a closed port");
    CHECK(wait_line("retry GET", "kind=Connect", NULL), "no connect retry line");
    CHECK(wait_line("request failed GET", dead, "kind=Connect"), "no failure line");
    hsession_free(s);

    /* Credentials everywhere: none may reach a line. */
    clear_lines();
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_basic_auth(s, "bob", "b4sicpw", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_header(s, "Cookie", "jar=c00kie", NULL), HSESSION_OK, NULL);
    char with_user[256];
    snprintf(with_user, sizeof with_user, "http://alice:s3cret@%s/redirect/2", srv.base + 7);
    hsession_request_builder *req = NULL;
    CHECK_RC(hsession_request_new("GET", with_user, &req, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_add_header(req, "Authorization", "Bearer tok3n", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_add_header(req, "Proxy-Authorization", "Basic pr0xypw", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request(s, req, &r, &err), HSESSION_OK, err);
    hsession_response_free(r);
    /* Through a proxy with credentials: the test server answers as one. */
    char proxy[128];
    snprintf(proxy, sizeof proxy, "http://proxyuser:pr0xypw@%s", srv.base + 7);
    CHECK_RC(hsession_set_proxy(s, "http", proxy, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_set_no_proxy(s, "", NULL), HSESSION_OK, NULL);
    r = NULL;
    hsession_request(s, req, &r, NULL);
    hsession_response_free(r);
    /* And through one that cannot be reached: the failure is logged. */
    snprintf(proxy, sizeof proxy, "http://proxyuser:pr0xypw@127.0.0.1:%d", free_port());
    CHECK_RC(hsession_set_proxy(s, "http", proxy, NULL), HSESSION_OK, NULL);
    r = NULL;
    CHECK(hsession_request(s, req, &r, NULL) != HSESSION_OK, "unreachable proxy");
    CHECK(wait_line("request failed GET", "kind=Proxy", NULL), "no failure line");
    hsession_request_free(req);
    hsession_free(s);
    pthread_mutex_lock(&lock);
    CHECK(nlines >= 10, "only %d lines", nlines);
    for (int i = 0; i < nlines; i++)
        for (size_t k = 0; k < sizeof secrets / sizeof *secrets; k++)
            CHECK(strstr(lines[i], secrets[k]) == NULL, "\"%s\" in line: %s", secrets[k], lines[i]);
    pthread_mutex_unlock(&lock);

    /* Removed: no more lines. The callback may be gone when this returns. */
    CHECK_RC(hsession_set_log_callback(NULL, NULL, HSESSION_LOG_OFF, &err), HSESSION_OK, err);
    pthread_mutex_lock(&lock);
    int before = calls;
    pthread_mutex_unlock(&lock);
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    r = NULL;
    CHECK_RC(hsession_get(s, url_of(&srv, "/echo", u, sizeof u), &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
    hsession_free(s);
    usleep(100000);
    pthread_mutex_lock(&lock);
    CHECK(calls == before, "%d lines after removal", calls - before);
    pthread_mutex_unlock(&lock);
    CHECK(hsession_log_dropped() == 0, "%llu lines dropped", (unsigned long long)hsession_log_dropped());

    clear_lines();
    server_stop(&srv);
    return finish("test_log");
}
