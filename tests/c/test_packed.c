/* The packed calls bindings use: a whole request in one buffer (blocking,
 * async and as a builder), the response's head and body in one call, and
 * malformed buffers refused with nothing sent. */
#include "testutil.h"

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

typedef struct {
    uint8_t data[4096];
    size_t len;
} pack;

static void put(pack *p, const void *b, size_t n) {
    memcpy(p->data + p->len, b, n);
    p->len += n;
}
static void put_u32(pack *p, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(p, b, 4);
}
static void field_head(pack *p, uint8_t tag, size_t len) {
    put(p, &tag, 1);
    put_u32(p, (uint32_t)len);
}
static void field_str(pack *p, uint8_t tag, const char *s) {
    field_head(p, tag, strlen(s));
    put(p, s, strlen(s));
}
static void field_pair(pack *p, uint8_t tag, const char *k, const char *v) {
    field_head(p, tag, 4 + strlen(k) + strlen(v));
    put_u32(p, (uint32_t)strlen(k));
    put(p, k, strlen(k));
    put(p, v, strlen(v));
}
static void field_u64(pack *p, uint8_t tag, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    field_head(p, tag, 8);
    put(p, b, 8);
}

/* Reading the packed head. */
typedef struct {
    const uint8_t *p, *end;
} cursor;
static uint32_t get_u32(cursor *c) {
    uint32_t v = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
    c->p += 4;
    return v;
}
static uint64_t get_u64(cursor *c) {
    uint64_t lo = get_u32(c);
    return lo | (uint64_t)get_u32(c) << 32;
}
static int get_str_is(cursor *c, const char *want) {
    uint32_t n = get_u32(c);
    int same = n == strlen(want) && memcmp(c->p, want, n) == 0;
    c->p += n;
    return same;
}
static int get_str_has(cursor *c, const char *needle) {
    uint32_t n = get_u32(c);
    char buf[512] = {0};
    memcpy(buf, c->p, n < sizeof buf - 1 ? n : sizeof buf - 1);
    c->p += n;
    return strstr(buf, needle) != NULL;
}

static void post_request(pack *p) {
    p->len = 0;
    field_str(p, 1, "POST");
    field_str(p, 2, URL("/redirect-to?status=307&url=/echo"));
    field_pair(p, 3, "X-One", "1");
    field_pair(p, 3, "Content-Type", "application/json");
    field_pair(p, 5, "q", "a b");
    field_str(p, 6, "{\"k\":\"\\u0000v\"}");
    field_u64(p, 13, 5000);
}

static void check_echo(hsession_response *r) {
    const uint8_t *head = NULL, *body = NULL;
    size_t head_len = 0, body_len = 0;
    CHECK_RC(hsession_response_packed(r, &head, &head_len, &body, &body_len), HSESSION_OK, NULL);
    cursor c = {head, head + head_len};
    CHECK(get_u32(&c) == 200, "status");
    CHECK(get_u64(&c) > 0, "elapsed");
    CHECK(get_u32(&c) == 0, "retries");
    CHECK(get_str_is(&c, "HTTP/1.1"), "version");
    CHECK(get_str_is(&c, "OK"), "reason");
    CHECK(get_str_has(&c, "/echo"), "final url");
    uint32_t n = get_u32(&c);
    CHECK(n == hsession_response_header_count(r), "header count %u", n);
    int saw_ct = 0;
    for (uint32_t i = 0; i < n; i++) {
        int is_ct = get_str_is(&c, "content-type");
        if (is_ct) saw_ct = get_str_is(&c, "application/json");
        else c.p += get_u32(&c);
    }
    CHECK(saw_ct, "content-type header in the packed head");
    CHECK(get_u32(&c) == 1, "one redirect in the history");
    CHECK(get_u32(&c) == 307, "history status");
    CHECK(get_str_has(&c, "/redirect-to"), "history url");
    CHECK(get_str_is(&c, "Temporary Redirect"), "hop reason");
    uint32_t hop_headers = get_u32(&c);
    int saw_location = 0;
    for (uint32_t i = 0; i < hop_headers; i++) {
        saw_location |= get_str_is(&c, "location");
        c.p += get_u32(&c); /* the value */
    }
    CHECK(saw_location, "hop headers hold its Location");
    /* The timings records: the hop's, then the final exchange's. */
    for (int rec = 0; rec < 2 && c.end - c.p >= 57; rec++) {
        uint64_t phase[6];
        for (int i = 0; i < 6; i++) phase[i] = get_u64(&c);
        for (int i = 1; i < 6; i++) CHECK(phase[i - 1] <= phase[i], "record %d: phases in order", rec);
        CHECK(phase[5] > 0, "record %d: total", rec);
        uint8_t reused = *c.p++;
        int64_t idle = (int64_t)get_u64(&c);
        /* The final exchange follows its redirect on the pooled connection. */
        CHECK(reused <= 1 && (rec == 0 || reused == 1), "record %d: reused %u", rec, reused);
        CHECK(reused ? idle >= -1 : idle == 0, "record %d: idle %lld", rec, (long long)idle);
        for (int a = 0; a < 2; a++) {
            uint8_t family = *c.p++;
            CHECK(family == 4, "record %d: address family %u", rec, family);
            CHECK(a == 1 ? c.p[0] == 127 : 1, "remote address 127.x");
            c.p += 4 + 2;
        }
        CHECK(get_str_is(&c, ""), "record %d: no TLS version over http", rec);
        CHECK(get_str_is(&c, ""), "record %d: no cipher over http", rec);
        CHECK(get_str_is(&c, "HTTP/1.1"), "record %d: HTTP version", rec);
    }
    CHECK(c.p == c.end, "head fully read (%ld bytes left)", (long)(c.end - c.p));
    const char *text = (const char *)body;
    CHECK(body_len > 0 && memmem(text, body_len, "\"method\":\"POST\"", 15), "307 kept the method");
    CHECK(memmem(text, body_len, "[\"x-one\",\"1\"]", 13) != NULL, "header sent");
    CHECK(memmem(text, body_len, "\"json\":{\"k\":\"\\u0000v\"}", 21) != NULL, "body sent");
    /* The same pointers again: the head is made once. */
    const uint8_t *head2 = NULL, *body2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK_RC(hsession_response_packed(r, &head2, &l1, &body2, &l2), HSESSION_OK, NULL);
    CHECK(head2 == head && body2 == body && l1 == head_len && l2 == body_len, "stable views");
}

static volatile int async_done;
static hsession_result async_code;
static void on_done(void *user, hsession_call *call, hsession_result rc) {
    hsession_response **out = user;
    async_code = rc;
    if (rc == HSESSION_OK) hsession_call_take(call, out, NULL);
    __atomic_store_n(&async_done, 1, __ATOMIC_RELEASE);
}

int main(void) {
    server_start(&srv);
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    pack p;

    /* Blocking, one call. */
    post_request(&p);
    hsession_response *r = NULL;
    hsession_error *err = NULL;
    CHECK_RC(hsession_request_packed(s, p.data, p.len, &r, &err), HSESSION_OK, err);
    hsession_error_free(err);
    err = NULL;
    if (r) check_echo(r);
    hsession_response_free(r);

    /* Async, one call. */
    hsession_response *ar = NULL;
    hsession_call *call = NULL;
    CHECK_RC(hsession_send_packed(s, p.data, p.len, on_done, &ar, &call, NULL), HSESSION_OK, NULL);
    for (int i = 0; i < 5000 && !__atomic_load_n(&async_done, __ATOMIC_ACQUIRE); i++) usleep(1000);
    CHECK(async_done && async_code == HSESSION_OK, "async packed request: %u", async_code);
    if (ar) check_echo(ar);
    hsession_response_free(ar);
    hsession_call_free(call);

    /* As a builder that the other calls take. */
    hsession_request_builder *b = NULL;
    CHECK_RC(hsession_request_new_packed(p.data, p.len, &b, NULL), HSESSION_OK, NULL);
    r = NULL;
    CHECK_RC(hsession_request(s, b, &r, NULL), HSESSION_OK, NULL);
    if (r) check_echo(r);
    hsession_response_free(r);
    hsession_request_free(b);

    /* Malformed buffers: the right code, nothing written, nothing sent. */
    pack q = {.len = 0};
    field_str(&q, 2, URL("/echo"));
    r = (hsession_response *)0x1;
    CHECK_RC(hsession_request_packed(s, q.data, q.len, &r, &err), HSESSION_INVALID_ARGUMENT, err);
    CHECK(r == (hsession_response *)0x1, "out-param written on failure");
    CHECK(err && strstr(hsession_error_message(err), "method"), "message names the missing method");
    hsession_error_free(err);
    err = NULL;
    field_str(&q, 1, "GET");
    field_pair(&q, 3, "X-Bad", "a\r\nInjected: 1");
    CHECK_RC(hsession_request_packed(s, q.data, q.len, &r, NULL), HSESSION_INVALID_HEADER_VALUE, NULL);
    q.len -= 4; /* cut the last field short */
    CHECK_RC(hsession_request_packed(s, q.data, q.len, &r, NULL), HSESSION_INVALID_ARGUMENT, NULL);
    CHECK_RC(hsession_request_packed(s, NULL, 5, &r, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK_RC(hsession_request_packed(s, NULL, 0, &r, NULL), HSESSION_INVALID_ARGUMENT, NULL);
    CHECK_RC(hsession_response_packed(NULL, NULL, NULL, NULL, NULL), HSESSION_NULL_ARGUMENT, NULL);
    CHECK(hsession_requests_sent(s) == 6, "only the 3 good requests (2 hops each) were sent: %llu",
          (unsigned long long)hsession_requests_sent(s));

    hsession_free(s);
    server_stop(&srv);
    return finish("test_packed");
}
