/* The cookie jar through the C ABI, under ASan/UBSan: listing, setting,
 * deleting, clearing, saving and loading, per-request cookies; NULL
 * pointers and bad input for every cookie function (a clear code, no
 * out-param written, the session still usable); and a login that survives
 * a restart, in two more processes of this program. */
#include "testutil.h"

#include <sys/stat.h>

/* Runs `call` (which uses `err`), checks its code and that an error object
 * came back exactly on failure, frees it. */
#define EXPECT(call, want)                                                           \
    do {                                                                             \
        hsession_error *err = NULL;                                                  \
        hsession_result rc_ = (call);                                                \
        CHECK_RC(rc_, want, err);                                                    \
        CHECK((rc_ == HSESSION_OK) == (err == NULL), "error object on %s", #call);   \
        CHECK(err == NULL || hsession_error_code(err) == rc_, "error code differs"); \
        hsession_error_free(err);                                                    \
    } while (0)

static void *const SENTINEL = (void *)0x1;

static hsession *new_session(void) {
    hsession *s = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_new(&s, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    hsession_error_free(err);
    return s;
}

static int status_of_get(hsession *s, const char *url) {
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_get(s, url, &resp, &err);
    CHECK_RC(rc, HSESSION_OK, err);
    hsession_error_free(err);
    int status = resp ? hsession_response_status(resp) : -1;
    hsession_response_free(resp);
    return status;
}

/* The child processes of the persistence test. */
static int child(const char *mode, const char *file, const char *base) {
    hsession *s = new_session();
    hsession_error *err = NULL;
    char url[256];
    int ok = 0;
    if (hsession_set_cookie_file(s, file, HSESSION_COOKIE_FILE_NETSCAPE, NULL, &err) != HSESSION_OK) {
        fprintf(stderr, "child %s: %s\n", mode, hsession_error_message(err));
        hsession_error_free(err);
        hsession_free(s);
        return 3;
    }
    if (strcmp(mode, "login") == 0) {
        hsession_request_builder *req = NULL;
        snprintf(url, sizeof url, "%s/login", base);
        hsession_request_new("POST", url, &req, NULL);
        hsession_request_add_header(req, "Content-Type", "application/x-www-form-urlencoded", NULL);
        const char *form = "username=user&password=pass";
        hsession_request_set_body(req, (const uint8_t *)form, strlen(form), NULL);
        hsession_response *resp = NULL;
        if (hsession_request(s, req, &resp, NULL) == HSESSION_OK) ok = hsession_response_status(resp) == 200;
        hsession_response_free(resp);
        hsession_request_free(req);
    } else {
        snprintf(url, sizeof url, "%s/protected", base);
        ok = status_of_get(s, url) == 200;
    }
    hsession_free(s); /* the login child saves the jar here */
    return ok ? 0 : 1;
}

static int run_child(const char *mode, const char *file, const char *base) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* The binary's own path, not /proc/self/exe: under valgrind that
         * names valgrind's tool. */
        char self[4096];
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        if (k <= 0) _exit(127);
        self[k] = '\0';
        execl(self, "test_cookies", "--child", mode, file, base, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_null_and_bad_input(test_server *srv) {
    hsession *s = new_session();
    char url[256];
    url_of(srv, "/", url, sizeof url);
    hsession_cookie_list *list = SENTINEL;
    size_t n = 77;

    /* list / for_url */
    EXPECT(hsession_cookies_list(NULL, &list, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_list(s, NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_for_url(NULL, url, &list, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_for_url(s, NULL, &list, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_for_url(s, url, NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_for_url(s, "not a url", &list, &err), HSESSION_INVALID_URL);
    EXPECT(hsession_cookies_for_url(s, "ftp://example.com/", &list, &err), HSESSION_UNSUPPORTED_SCHEME);
    EXPECT(hsession_cookies_for_url(s, "http://\xff/", &list, &err), HSESSION_INVALID_UTF8);
    CHECK(list == SENTINEL, "list_out written on failure");

    /* list accessors */
    CHECK(hsession_cookie_list_count(NULL) == 0, "count(NULL)");
    const char *name = SENTINEL, *value = SENTINEL, *domain = SENTINEL, *path = SENTINEL;
    int64_t expires = 5;
    uint32_t flags = 5;
    CHECK_RC(hsession_cookie_list_at(NULL, 0, &name, &value, &domain, &path, &expires, &flags),
             HSESSION_NULL_ARGUMENT, NULL);
    hsession_cookie_list *empty = NULL;
    EXPECT(hsession_cookies_list(s, &empty, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(empty) == 0, "new jar not empty");
    CHECK_RC(hsession_cookie_list_at(empty, 0, &name, &value, &domain, &path, &expires, &flags),
             HSESSION_NOT_FOUND, NULL);
    CHECK_RC(hsession_cookie_list_at(empty, 0, NULL, &value, &domain, &path, &expires, &flags),
             HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_cookie_list_at(empty, 0, &name, &value, &domain, &path, &expires, NULL),
             HSESSION_NULL_ARGUMENT, NULL);
    CHECK(name == SENTINEL && expires == 5 && flags == 5, "out-params written on failure");
    CHECK_RC(hsession_cookie_list_find(NULL, "a", &n), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_cookie_list_find(empty, NULL, &n), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_cookie_list_find(empty, "a", NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_cookie_list_find(empty, "a", &n), HSESSION_NOT_FOUND, NULL);
    CHECK_RC(hsession_cookie_list_find(empty, "\xc3", &n), HSESSION_INVALID_UTF8, NULL);
    CHECK(n == 77, "index_out written on failure");
    hsession_cookie_list_free(empty);
    hsession_cookie_list_free(NULL);

    /* set from a Set-Cookie string */
    EXPECT(hsession_cookies_set(NULL, url, "a=1", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set(s, NULL, "a=1", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, "a=\xff", &err), HSESSION_INVALID_UTF8);
    EXPECT(hsession_cookies_set(s, "mailto:x@example.com", "a=1", &err), HSESSION_UNSUPPORTED_SCHEME);
    EXPECT(hsession_cookies_set(s, url, "a=b\x01", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, "a=b\r\nX: y", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, "novalue", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, "=x", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, url, "s=1; Secure", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, "https://a.example.co.uk/", "x=1; Domain=co.uk", &err),
           HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set(s, "https://example.com/", "__Host-x=1; Secure; Path=/a", &err),
           HSESSION_INVALID_ARGUMENT);
    {
        /* The error names the rule. */
        hsession_error *err = NULL;
        hsession_cookies_set(s, "https://example.com/", "x=1; Domain=com", &err);
        CHECK(err && strstr(hsession_error_message(err), "public suffix"), "message: %s",
              err ? hsession_error_message(err) : "(none)");
        hsession_error_free(err);
    }

    /* set from fields */
    EXPECT(hsession_cookies_set_fields(NULL, url, "a", "1", NULL, NULL, 0, 0, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, NULL, "a", "1", NULL, NULL, 0, 0, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, NULL, "1", NULL, NULL, 0, 0, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", NULL, NULL, NULL, 0, 0, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", NULL, NULL, 0, 64, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a b", "1", NULL, NULL, 0, 0, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1\t2", NULL, NULL, 0, 0, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", NULL, "rel", 0, 0, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", "", NULL, 0, 0, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", "example.com", NULL, 0, 0, &err),
           HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", NULL, NULL, 0, HSESSION_COOKIE_SECURE, &err),
           HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_set_fields(s, url, "a", "1", NULL, "/\xfe", 0, 0, &err), HSESSION_INVALID_UTF8);
    /* Extreme expiries: INT64_MIN is in the past (deletes nothing), INT64_MAX is clamped to 9999. */
    EXPECT(hsession_cookies_set_fields(s, url, "old", "1", NULL, NULL, INT64_MIN, 0, &err), HSESSION_OK);
    EXPECT(hsession_cookies_set_fields(s, url, "far", "1", NULL, NULL, INT64_MAX, 0, &err), HSESSION_OK);
    {
        hsession_cookie_list *l = NULL;
        EXPECT(hsession_cookies_list(s, &l, &err), HSESSION_OK);
        size_t i = 0;
        int64_t exp = 0;
        const char *a, *b, *c, *d;
        uint32_t fl;
        CHECK(hsession_cookie_list_count(l) == 1, "extreme expiries: %zu", hsession_cookie_list_count(l));
        CHECK_RC(hsession_cookie_list_find(l, "far", &i), HSESSION_OK, NULL);
        hsession_cookie_list_at(l, i, &a, &b, &c, &d, &exp, &fl);
        CHECK(exp == 253402300799LL, "far expiry %lld", (long long)exp);
        hsession_cookie_list_free(l);
        EXPECT(hsession_cookies_delete(s, "127.0.0.1", NULL, "far", &err), HSESSION_OK);
    }

    /* delete and clear */
    EXPECT(hsession_cookies_delete(NULL, "127.0.0.1", NULL, "a", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_delete(s, NULL, NULL, "a", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_delete(s, "127.0.0.1", NULL, NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_delete(s, "127.0.0.1", NULL, "absent", &err), HSESSION_NOT_FOUND);
    CHECK_RC(hsession_cookies_clear(NULL), HSESSION_NULL_ARGUMENT, NULL);
    n = 77;
    EXPECT(hsession_cookies_clear_domain(NULL, "example.com", &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_clear_domain(s, NULL, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_clear_domain(s, "", &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_clear_domain(s, ".", &n, &err), HSESSION_INVALID_ARGUMENT);
    CHECK(n == 77, "removed_out written on failure");
    CHECK_RC(hsession_cookies_clear_session(NULL, &n), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_cookies_clear_session(s, NULL), HSESSION_OK, NULL);

    /* files */
    char tmpl[] = "/tmp/hsession-test-cookies-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL, "mkdtemp");
    char file[256], bad[256], nodir[256];
    snprintf(file, sizeof file, "%s/missing.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/jar.txt", dir);
    FILE *f = fopen(bad, "w");
    fputs("example.com\tMAYBE\t/\tFALSE\t0\ta\tb\n", f);
    fclose(f);
    n = 77;
    EXPECT(hsession_cookies_save(NULL, file, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_save(s, NULL, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_save(s, "", HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_save(s, file, 0, &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_save(s, file, 3, &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_save(s, nodir, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_IO);
    EXPECT(hsession_cookies_save(s, dir, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_IO);
    EXPECT(hsession_cookies_load(NULL, file, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_load(s, NULL, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_cookies_load(s, file, 99, &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_cookies_load(s, file, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_IO);
    EXPECT(hsession_cookies_load(s, bad, HSESSION_COOKIE_FILE_NETSCAPE, &n, &err), HSESSION_PARSE);
    EXPECT(hsession_cookies_load(s, bad, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_PARSE);
    EXPECT(hsession_set_cookie_file(NULL, file, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_cookie_file(s, NULL, HSESSION_COOKIE_FILE_JSON, &n, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_set_cookie_file(s, file, 0, &n, &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_set_cookie_file(s, bad, HSESSION_COOKIE_FILE_NETSCAPE, &n, &err), HSESSION_PARSE);
    CHECK(n == 77, "count_out written on failure");
    CHECK(strcmp(hsession_result_str(HSESSION_IO), "unknown result code") != 0, "HSESSION_IO text");
    CHECK(strcmp(hsession_result_str(HSESSION_PARSE), "unknown result code") != 0, "HSESSION_PARSE text");

    /* per-request cookies */
    hsession_request_builder *req = NULL;
    EXPECT(hsession_request_new("GET", url, &req, &err), HSESSION_OK);
    EXPECT(hsession_request_add_cookie(NULL, "a", "1", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_request_add_cookie(req, NULL, "1", &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_request_add_cookie(req, "a", NULL, &err), HSESSION_NULL_ARGUMENT);
    EXPECT(hsession_request_add_cookie(req, "a=b", "1", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_request_add_cookie(req, "a", "x;y", &err), HSESSION_INVALID_ARGUMENT);
    EXPECT(hsession_request_add_cookie(req, "a", "\xff", &err), HSESSION_INVALID_UTF8);
    hsession_request_free(req);

    /* Nothing bad entered the jar, and the session still works. */
    hsession_cookie_list *all = NULL;
    EXPECT(hsession_cookies_list(s, &all, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(all) == 0, "jar has %zu cookies", hsession_cookie_list_count(all));
    hsession_cookie_list_free(all);
    CHECK(status_of_get(s, url_of(srv, "/cookies", url, sizeof url)) == 200, "session unusable");
    CHECK(access(file, F_OK) != 0, "a failed set_cookie_file created a file");
    remove(bad);
    rmdir(dir);
    hsession_free(s);
}

static void test_jar_through_the_abi(test_server *srv) {
    hsession *s = new_session();
    char url[512];
    /* From the server: Set-Cookie on 127.0.0.1. */
    CHECK(status_of_get(s, url_of(srv, "/cookies/set-raw?c=srv%3D1%3B%20Path%3D%2F%3B%20HttpOnly", url,
                                  sizeof url)) == 200,
          "set-raw");
    EXPECT(hsession_cookies_set(s, "https://www.example.com/", "dom=d; Domain=example.com; Max-Age=600", &err),
           HSESSION_OK);
    EXPECT(hsession_cookies_set_fields(s, "https://example.com/a/b", "f", "v", NULL, NULL, 0,
                                       HSESSION_COOKIE_SECURE, &err),
           HSESSION_OK);

    hsession_cookie_list *list = NULL;
    EXPECT(hsession_cookies_list(s, &list, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(list) == 3, "count %zu", hsession_cookie_list_count(list));
    const char *name, *value, *domain, *path;
    int64_t expires;
    uint32_t flags;
    size_t i = 99;
    CHECK_RC(hsession_cookie_list_find(list, "srv", &i), HSESSION_OK, NULL);
    CHECK_RC(hsession_cookie_list_at(list, i, &name, &value, &domain, &path, &expires, &flags), HSESSION_OK,
             NULL);
    CHECK(strcmp(value, "1") == 0 && strcmp(domain, "127.0.0.1") == 0 && strcmp(path, "/") == 0, "srv %s %s %s",
          value, domain, path);
    CHECK(expires == 0 && flags == (HSESSION_COOKIE_HTTP_ONLY | HSESSION_COOKIE_HOST_ONLY), "srv flags %u",
          flags);
    CHECK_RC(hsession_cookie_list_find(list, "dom", &i), HSESSION_OK, NULL);
    hsession_cookie_list_at(list, i, &name, &value, &domain, &path, &expires, &flags);
    CHECK(strcmp(domain, "example.com") == 0 && flags == 0 && expires > 1700000000, "dom %s %u %lld", domain,
          flags, (long long)expires);
    CHECK_RC(hsession_cookie_list_find(list, "f", &i), HSESSION_OK, NULL);
    hsession_cookie_list_at(list, i, &name, &value, &domain, &path, &expires, &flags);
    CHECK(strcmp(path, "/a") == 0 && flags == (HSESSION_COOKIE_SECURE | HSESSION_COOKIE_HOST_ONLY), "f %s %u",
          path, flags);

    /* What a URL would get. */
    hsession_cookie_list *for_url = NULL;
    EXPECT(hsession_cookies_for_url(s, "http://www.example.com/a", &for_url, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(for_url) == 1, "http www: %zu", hsession_cookie_list_count(for_url));
    hsession_cookie_list_free(for_url);
    EXPECT(hsession_cookies_for_url(s, "https://example.com/a/x", &for_url, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(for_url) == 2, "https: %zu", hsession_cookie_list_count(for_url));
    hsession_cookie_list_at(for_url, 0, &name, &value, &domain, &path, &expires, &flags);
    CHECK(strcmp(name, "f") == 0, "longest path first, got %s", name);
    hsession_cookie_list_free(for_url);

    /* Per-request cookie: sent, wins over the jar, never stored. */
    hsession_request_builder *req = NULL;
    EXPECT(hsession_request_new("GET", url_of(srv, "/cookies", url, sizeof url), &req, &err), HSESSION_OK);
    EXPECT(hsession_request_add_cookie(req, "srv", "override", &err), HSESSION_OK);
    EXPECT(hsession_request_add_cookie(req, "once", "yes", &err), HSESSION_OK);
    hsession_response *resp = NULL;
    EXPECT(hsession_request(s, req, &resp, &err), HSESSION_OK);
    CHECK(resp && body_has(resp, "\"srv\":\"override\"") && body_has(resp, "\"once\":\"yes\""), "per-request");
    hsession_response_free(resp);
    hsession_request_free(req);

    /* Save both formats, load into new sessions: same cookies. */
    char tmpl[] = "/tmp/hsession-test-cookies-XXXXXX";
    char *dir = mkdtemp(tmpl);
    char txt[256], js[256];
    snprintf(txt, sizeof txt, "%s/cookies.txt", dir);
    snprintf(js, sizeof js, "%s/cookies.json", dir);
    size_t n = 0;
    EXPECT(hsession_cookies_save(s, txt, HSESSION_COOKIE_FILE_NETSCAPE, &n, &err), HSESSION_OK);
    CHECK(n == 3, "saved %zu", n);
    EXPECT(hsession_cookies_save(s, js, HSESSION_COOKIE_FILE_JSON, NULL, &err), HSESSION_OK);
    struct stat st;
    CHECK(stat(txt, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o", (unsigned)(st.st_mode & 0777));
    const char *files[] = {txt, js};
    hsession_cookie_format formats[] = {HSESSION_COOKIE_FILE_NETSCAPE, HSESSION_COOKIE_FILE_JSON};
    for (int k = 0; k < 2; k++) {
        hsession *copy = new_session();
        n = 0;
        EXPECT(hsession_cookies_load(copy, files[k], formats[k], &n, &err), HSESSION_OK);
        CHECK(n == 3, "loaded %zu from %s", n, files[k]);
        hsession_cookie_list *got = NULL;
        EXPECT(hsession_cookies_list(copy, &got, &err), HSESSION_OK);
        for (size_t j = 0; j < 3; j++) {
            const char *a[4], *b[4];
            int64_t ea, eb;
            uint32_t fa, fb;
            hsession_cookie_list_at(list, j, &a[0], &a[1], &a[2], &a[3], &ea, &fa);
            hsession_cookie_list_at(got, j, &b[0], &b[1], &b[2], &b[3], &eb, &fb);
            for (int m = 0; m < 4; m++) CHECK(strcmp(a[m], b[m]) == 0, "%s: %s != %s", files[k], a[m], b[m]);
            CHECK(ea == eb && fa == fb, "%s: expiry/flags differ", files[k]);
        }
        hsession_cookie_list_free(got);
        hsession_free(copy);
    }
    hsession_cookie_list_free(list);

    /* Delete one, clear a domain, session cookies, everything. */
    EXPECT(hsession_cookies_delete(s, "example.com", "/a", "f", &err), HSESSION_OK);
    EXPECT(hsession_cookies_delete(s, "example.com", "/a", "f", &err), HSESSION_NOT_FOUND);
    n = 0;
    EXPECT(hsession_cookies_clear_domain(s, "example.com", &n, &err), HSESSION_OK);
    CHECK(n == 1, "cleared %zu", n);
    CHECK_RC(hsession_cookies_clear_session(s, &n), HSESSION_OK, NULL);
    CHECK(n == 1, "session cookies cleared %zu", n);
    EXPECT(hsession_cookies_load(s, js, HSESSION_COOKIE_FILE_JSON, NULL, &err), HSESSION_OK);
    CHECK_RC(hsession_cookies_clear(s), HSESSION_OK, NULL);
    EXPECT(hsession_cookies_list(s, &list, &err), HSESSION_OK);
    CHECK(hsession_cookie_list_count(list) == 0, "after clear: %zu", hsession_cookie_list_count(list));
    hsession_cookie_list_free(list);
    remove(txt);
    remove(js);
    rmdir(dir);
    hsession_free(s);
}

static void test_login_survives_a_restart(test_server *srv) {
    char tmpl[] = "/tmp/hsession-test-cookies-XXXXXX";
    char *dir = mkdtemp(tmpl);
    char file[256], url[256];
    snprintf(file, sizeof file, "%s/login.txt", dir);
    CHECK(run_child("login", file, srv->base) == 0, "login child failed");
    struct stat st;
    CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600, "jar file missing or not 0600");
    CHECK(run_child("protected", file, srv->base) == 0, "protected child did not get 200");
    /* Without the file, /protected refuses: it is the jar that logged in. */
    hsession *s = new_session();
    CHECK(status_of_get(s, url_of(srv, "/protected", url, sizeof url)) == 401, "protected without login");
    hsession_free(s);
    remove(file);
    rmdir(dir);
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "--child") == 0) return child(argv[2], argv[3], argv[4]);
    test_server srv;
    server_start(&srv);
    test_null_and_bad_input(&srv);
    test_jar_through_the_abi(&srv);
    test_login_survives_a_restart(&srv);
    server_stop(&srv);
    return finish("test_cookies");
}
