/* Streamed bodies through the C ABI: downloads read in chunks while they
 * arrive, blocking and asynchronously, with their peak memory measured;
 * uploads from a file, from a read callback, from a pipe the caller writes
 * frames into, and as multipart/form-data.
 * The download is 1 GiB in a build without sanitizers, where the peak RSS
 * is meaningful and must stay under 64 MiB, and 64 MiB under ASan;
 * HSESSION_STREAM_BYTES overrides the size. */
#include "testutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <time.h>

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static long peak_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void blocking_download(hsession *s, unsigned long long size) {
    char path[64];
    snprintf(path, sizeof path, "/bytes/%llu", size);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL(path), &req, NULL);
    CHECK_RC(hsession_request_set_stream(req, 1), HSESSION_OK, NULL);
    long rss_before = peak_rss_kib();
    double t = now_s();
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    CHECK_RC(hsession_request(s, req, &resp, &err), HSESSION_OK, err);
    hsession_error_free(err);
    if (!resp) return;
    CHECK(hsession_response_status(resp) == 200, "status");
    const uint8_t *data;
    size_t len;
    CHECK(hsession_response_body(resp, &data, &len) == HSESSION_INVALID_ARGUMENT, "body of a streamed response");
    static uint8_t buf[64 * 1024];
    unsigned long long total = 0;
    int pattern_ok = 1;
    for (;;) {
        size_t n = 0;
        err = NULL;
        hsession_result rc = hsession_response_read(resp, buf, sizeof buf, &n, &err);
        if (rc != HSESSION_OK) {
            CHECK_RC(rc, HSESSION_OK, err);
            hsession_error_free(err);
            break;
        }
        if (n == 0) break;
        for (size_t i = 0; i < n; i += 4093) /* a sample of every chunk */
            if (buf[i] != (uint8_t)((total + i) % 251)) pattern_ok = 0;
        total += n;
    }
    double took = now_s() - t;
    long rss_after = peak_rss_kib();
    printf("streamed %llu MiB in %.2f s (%.0f MiB/s); peak RSS %ld KiB before, %ld KiB after\n", size >> 20, took,
           (size >> 20) / took, rss_before, rss_after);
    CHECK(total == size, "read %llu of %llu bytes", total, size);
    CHECK(pattern_ok, "body bytes differ from the pattern");
#ifndef __SANITIZE_ADDRESS__
    /* valgrind's own memory counts too: no bound under it. */
    if (!getenv("HSESSION_NO_RSS_BOUND")) CHECK(rss_after < 64 * 1024, "peak RSS %ld KiB", rss_after);
#endif
    size_t n = 1;
    CHECK(hsession_response_read(resp, buf, sizeof buf, &n, NULL) == HSESSION_OK && n == 0, "end stays the end");
    CHECK(hsession_response_read(resp, buf, 0, &n, NULL) == HSESSION_INVALID_ARGUMENT, "cap 0");
    CHECK(hsession_response_read(resp, NULL, 10, &n, NULL) == HSESSION_NULL_ARGUMENT, "buf NULL");
    CHECK(hsession_response_read(resp, buf, 10, NULL, NULL) == HSESSION_NULL_ARGUMENT, "n NULL");
    CHECK(hsession_response_read(NULL, buf, 10, &n, NULL) == HSESSION_NULL_ARGUMENT, "resp NULL");
    hsession_response_free(resp);
    hsession_request_free(req);
}

/* Asynchronous reads, each started from the previous one's callback. */
typedef struct {
    hsession_response *resp;
    uint8_t buf[16 * 1024];
    unsigned long long total;
    atomic_int done;
    atomic_int result;
    int pattern_ok;
} async_reader;

static void on_read(void *user_data, hsession_result result, size_t n) {
    async_reader *r = user_data;
    if (result != HSESSION_OK || n == 0) {
        atomic_store(&r->result, (int)result);
        atomic_store(&r->done, 1);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (r->buf[i] != (uint8_t)((r->total + i) % 251)) r->pattern_ok = 0;
    r->total += n;
    hsession_result rc = hsession_response_read_async(r->resp, r->buf, sizeof r->buf, on_read, r, NULL);
    if (rc != HSESSION_OK) {
        atomic_store(&r->result, (int)rc);
        atomic_store(&r->done, 1);
    }
}

static void wait_done(atomic_int *flag) {
    for (int i = 0; i < 20000 && !atomic_load(flag); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static void async_download(hsession *s, int streamed) {
    static async_reader r;
    memset(&r, 0, sizeof r);
    r.pattern_ok = 1;
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/bytes/3000000"), &req, NULL);
    hsession_request_set_stream(req, streamed);
    CHECK_RC(hsession_request(s, req, &r.resp, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_response_read_async(r.resp, r.buf, sizeof r.buf, on_read, &r, NULL), HSESSION_OK, NULL);
    wait_done(&r.done);
    CHECK(atomic_load(&r.done), "async reads did not finish");
    CHECK(atomic_load(&r.result) == HSESSION_OK, "async read ended with %d", atomic_load(&r.result));
    CHECK(r.total == 3000000, "async read %llu bytes (streamed %d)", r.total, streamed);
    CHECK(r.pattern_ok, "async bytes differ (streamed %d)", streamed);
    CHECK(hsession_response_read_async(r.resp, r.buf, sizeof r.buf, NULL, &r, NULL) == HSESSION_NULL_ARGUMENT,
          "callback NULL");
    hsession_response_free(r.resp);
    hsession_request_free(req);
}

/* A streamed body cancelled through its token ends with CANCELLED, and
 * freeing a response mid-download is safe. */
static void cancel_and_free_mid_body(hsession *s) {
    hsession_cancel_token *token = NULL;
    hsession_cancel_token_new(&token);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/drip?bytes=100&delay_ms=50"), &req, NULL);
    hsession_request_set_stream(req, 1);
    hsession_request_set_cancel_token(req, token);
    hsession_response *resp = NULL;
    CHECK_RC(hsession_request(s, req, &resp, NULL), HSESSION_OK, NULL);
    uint8_t buf[8];
    size_t n = 0;
    CHECK_RC(hsession_response_read(resp, buf, sizeof buf, &n, NULL), HSESSION_OK, NULL);
    hsession_cancel_token_cancel(token);
    hsession_result rc = HSESSION_OK;
    for (int i = 0; i < 200 && rc == HSESSION_OK; i++) {
        rc = hsession_response_read(resp, buf, sizeof buf, &n, NULL);
        CHECK(rc != HSESSION_OK || n > 0, "a cancelled body ended cleanly");
        if (n == 0) break;
    }
    CHECK(rc == HSESSION_CANCELLED, "read after cancel: %u", rc);
    hsession_response_free(resp);
    hsession_cancel_token_free(token);

    /* Freed with most of a large body unread: the download stops. */
    hsession_request_free(req);
    hsession_request_new("GET", URL("/bytes/500000000"), &req, NULL);
    hsession_request_set_stream(req, 1);
    CHECK_RC(hsession_request(s, req, &resp, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_response_read(resp, buf, sizeof buf, &n, NULL), HSESSION_OK, NULL);
    hsession_response_free(resp);
    hsession_request_free(req);
    hsession_response *r = NULL;
    CHECK_RC(hsession_get(s, URL("/echo"), &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
}

/* ---- uploads: a file, a read callback, multipart ---- */
static char tmpdir[64];

static const char *write_temp(const char *name, size_t size) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    for (size_t i = 0; i < size; i++) fputc((int)(i % 251), f);
    fclose(f);
    return path;
}

typedef struct {
    size_t pos, size;
    int fail_at;
} body_source;

static int64_t read_body(void *user_data, uint8_t *buf, size_t cap) {
    body_source *src = user_data;
    if (src->fail_at >= 0 && src->pos >= (size_t)src->fail_at) return -1;
    size_t n = src->size - src->pos;
    if (n > cap) n = cap;
    if (n > 10000) n = 10000;
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)((src->pos + i) % 251);
    src->pos += n;
    return (int64_t)n;
}

static hsession_response *post(hsession *s, hsession_request_builder *req, hsession_result want) {
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_request(s, req, &resp, &err);
    CHECK_RC(rc, want, err);
    hsession_error_free(err);
    return resp;
}

static void uploads(hsession *s) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hsession-upload-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp");
    char big[128];
    snprintf(big, sizeof big, "%s", write_temp("big.bin", 2000000));

    hsession_request_builder *req = NULL;
    hsession_request_new("PUT", URL("/echo"), &req, NULL);
    CHECK_RC(hsession_request_set_body_file(req, big, NULL), HSESSION_OK, NULL);
    hsession_response *r = post(s, req, HSESSION_OK);
    CHECK(r && body_has(r, "\"body_len\":2000000"), "file upload length");
    CHECK(r && body_has(r, "[\"content-length\",\"2000000\"]"), "file upload Content-Length");
    hsession_response_free(r);
    hsession_request_free(req);

    body_source src = {0, 123457, -1};
    hsession_request_new("POST", URL("/echo"), &req, NULL);
    CHECK_RC(hsession_request_set_body_callback(req, read_body, &src, -1, NULL), HSESSION_OK, NULL);
    r = post(s, req, HSESSION_OK);
    CHECK(r && body_has(r, "\"body_len\":123457"), "callback upload length");
    CHECK(r && body_has(r, "[\"transfer-encoding\",\"chunked\"]"), "unknown length is chunked");
    hsession_response_free(r);
    src = (body_source){0, 50000, -1};
    CHECK_RC(hsession_request_set_body_callback(req, read_body, &src, 50000, NULL), HSESSION_OK, NULL);
    r = post(s, req, HSESSION_OK);
    CHECK(r && body_has(r, "[\"content-length\",\"50000\"]"), "known length");
    hsession_response_free(r);
    src = (body_source){0, 50000, 20000};
    r = post(s, req, HSESSION_IO); /* the callback returned -1 */
    hsession_response_free(r);
    hsession_request_free(req);

    hsession_request_new("POST", URL("/echo"), &req, NULL);
    CHECK_RC(hsession_request_add_form_field(req, "key", "value", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_add_form_file(req, "doc", big, NULL, NULL, NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_request_add_form_file(req, "pic", write_temp("p.raw", 777), "me.png", "image/png", NULL),
             HSESSION_OK, NULL);
    r = post(s, req, HSESSION_OK);
    CHECK(r && body_has(r, "\"key\":\"value\""), "multipart field");
    CHECK(r && body_has(r, "\"filename\":\"big.bin\""), "multipart file name");
    CHECK(r && body_has(r, "\"size\":2000000"), "multipart file size");
    CHECK(r && body_has(r, "\"filename\":\"me.png\""), "multipart given file name");
    CHECK(r && body_has(r, "\"content_type\":\"image/png\""), "multipart content type");
    CHECK(r && body_has(r, "\"size\":777"), "multipart small file");
    /* Every part's size is known: a Content-Length, not chunked (many
     * servers refuse a chunked upload). */
    CHECK(r && body_has(r, "[\"content-length\",\""), "multipart Content-Length");
    CHECK(r && !body_has(r, "\"transfer-encoding\""), "multipart not chunked");
    hsession_response_free(r);
    hsession_request_free(req);

    /* A file part from memory. */
    hsession_request_new("POST", URL("/echo"), &req, NULL);
    CHECK_RC(hsession_request_add_form_bytes(req, "note", (const uint8_t *)"hello", 5, "note.txt", "text/plain", NULL),
             HSESSION_OK, NULL);
    CHECK(hsession_request_add_form_bytes(req, "x", NULL, 3, NULL, NULL, NULL) == HSESSION_NULL_ARGUMENT,
          "form bytes NULL data");
    CHECK(hsession_request_add_form_bytes(req, "x", NULL, 0, NULL, "not a type", NULL) == HSESSION_INVALID_ARGUMENT,
          "form bytes bad content type");
    r = post(s, req, HSESSION_OK);
    CHECK(r && body_has(r, "\"filename\":\"note.txt\""), "form bytes file name");
    CHECK(r && body_has(r, "\"content_type\":\"text/plain\""), "form bytes content type");
    CHECK(r && body_has(r, "\"size\":5"), "form bytes size");
    hsession_response_free(r);
    hsession_request_free(req);

    /* Bad input. */
    hsession_request_new("POST", URL("/echo"), &req, NULL);
    hsession_error *err = NULL;
    CHECK(hsession_request_set_body_file(req, NULL, NULL) == HSESSION_NULL_ARGUMENT, "file NULL");
    CHECK(hsession_request_set_body_file(NULL, big, NULL) == HSESSION_NULL_ARGUMENT, "req NULL");
    CHECK(hsession_request_set_body_callback(req, NULL, NULL, -1, NULL) == HSESSION_NULL_ARGUMENT, "cb NULL");
    CHECK(hsession_request_set_body_callback(req, read_body, &src, -2, &err) == HSESSION_INVALID_ARGUMENT,
          "length -2");
    hsession_error_free(err);
    CHECK(hsession_request_add_form_field(req, NULL, "v", NULL) == HSESSION_NULL_ARGUMENT, "field name NULL");
    CHECK(hsession_request_add_form_file(req, "f", NULL, NULL, NULL, NULL) == HSESSION_NULL_ARGUMENT, "path NULL");
    CHECK(hsession_request_add_form_file(req, "f", big, NULL, "not a type", NULL) == HSESSION_INVALID_ARGUMENT,
          "bad content type");
    CHECK(hsession_request_add_form_file(req, "f", big, NULL, "text/plain\r\nX: 1", NULL) ==
              HSESSION_INVALID_ARGUMENT,
          "CRLF in content type");
    CHECK_RC(hsession_request_set_body_file(req, "/nonexistent/hsession", NULL), HSESSION_OK, NULL);
    r = post(s, req, HSESSION_IO);
    hsession_response_free(r);
    hsession_request_free(req);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    CHECK(system(cmd) == 0, "cleanup");
}

/* A writer thread for a body pipe: `size` bytes in frames of up to 7000,
 * then the end frame (end = 0), a failure frame (end = 1) or nothing (end =
 * 2: the pipe closed early); then it closes the pipe. */
typedef struct {
    int fd;
    size_t size;
    int end;
} pipe_writer;

static void put_all(int fd, const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k <= 0) return;
        b += k;
        n -= (size_t)k;
    }
}

static void *write_frames(void *arg) {
    pipe_writer *w = arg;
    static uint8_t chunk[7000];
    memset(chunk, 'p', sizeof chunk);
    for (size_t done = 0; done < w->size;) {
        uint32_t n = (uint32_t)(w->size - done < sizeof chunk ? w->size - done : sizeof chunk);
        uint8_t head[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
        put_all(w->fd, head, 4);
        put_all(w->fd, chunk, n);
        done += n;
    }
    static const uint8_t end[4] = {0, 0, 0, 0}, fail[4] = {0xff, 0xff, 0xff, 0xff};
    if (w->end == 0) put_all(w->fd, end, 4);
    if (w->end == 1) put_all(w->fd, fail, 4);
    close(w->fd);
    return NULL;
}

/* hsession_request_set_body_pipe: the body written by another thread while
 * the request is sent; chunked or with a known length; a failure frame or
 * a pipe closed before the end frame fails the request, never a short body. */
static hsession_response *pipe_post(hsession *s, size_t size, int64_t length, int end, hsession_result want) {
    hsession_request_builder *req = NULL;
    hsession_request_new("POST", URL("/echo"), &req, NULL);
    pipe_writer w = {-1, size, end};
    CHECK_RC(hsession_request_set_body_pipe(req, length, &w.fd, NULL), HSESSION_OK, NULL);
    CHECK(w.fd >= 0, "a pipe descriptor");
    pthread_t t;
    pthread_create(&t, NULL, write_frames, &w);
    hsession_response *r = post(s, req, want);
    pthread_join(t, NULL);
    hsession_request_free(req);
    return r;
}

static void pipe_uploads(hsession *s) {
    signal(SIGPIPE, SIG_IGN); /* a write after the library stopped reading is EPIPE, not death */
    hsession_response *r = pipe_post(s, 300001, -1, 0, HSESSION_OK);
    CHECK(r && body_has(r, "\"body_len\":300001"), "pipe upload length");
    CHECK(r && body_has(r, "[\"transfer-encoding\",\"chunked\"]"), "pipe upload chunked");
    hsession_response_free(r);
    r = pipe_post(s, 9000, 9000, 0, HSESSION_OK);
    CHECK(r && body_has(r, "[\"content-length\",\"9000\"]"), "pipe upload with a length");
    hsession_response_free(r);
    hsession_response_free(pipe_post(s, 20000, -1, 1, HSESSION_IO));
    hsession_response_free(pipe_post(s, 20000, -1, 2, HSESSION_IO));
    hsession_response_free(pipe_post(s, 0, -1, 2, HSESSION_IO));

    hsession_request_builder *req = NULL;
    hsession_request_new("POST", URL("/echo"), &req, NULL);
    hsession_error *err = NULL;
    int fd = -7;
    CHECK(hsession_request_set_body_pipe(req, -1, NULL, NULL) == HSESSION_NULL_ARGUMENT, "fd_out NULL");
    CHECK(hsession_request_set_body_pipe(NULL, -1, &fd, NULL) == HSESSION_NULL_ARGUMENT, "request NULL");
    CHECK(hsession_request_set_body_pipe(req, -2, &fd, &err) == HSESSION_INVALID_ARGUMENT, "length -2");
    CHECK(fd == -7, "fd_out untouched on failure");
    hsession_error_free(err);
    hsession_request_free(req);
}

int main(void) {
    server_start(&srv);
    const char *env = getenv("HSESSION_STREAM_BYTES");
#ifdef __SANITIZE_ADDRESS__
    unsigned long long size = 64ull << 20;
#else
    unsigned long long size = 1ull << 30;
#endif
    if (env) size = strtoull(env, NULL, 10);
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    blocking_download(s, size);
    async_download(s, 1);
    async_download(s, 0);
    cancel_and_free_mid_body(s);
    uploads(s);
    pipe_uploads(s);
    hsession_free(s);
    server_stop(&srv);
    return finish("test_stream");
}
