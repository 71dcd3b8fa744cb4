/* hsession.hpp: a header-only C++17 wrapper over the C API in hsession.h.
 *
 *   hs::session s;
 *   s.set_header("User-Agent", "MyApp/1.0");
 *   hs::response r = s.get("http://127.0.0.1:8080/json");
 *   std::cout << r.status() << ' ' << r.text() << '\n';
 *
 * Handles are RAII and move-only (the C handle is freed once, by its last
 * owner). Strings go in as std::string_view (copied into a NUL-terminated
 * buffer for the call; an embedded NUL is refused). A failed call throws
 * hs::error, carrying the C result code, the library's message and
 * the URL concerned. Thread safety is the C API's: one session serves any
 * number of threads; a response is read by one thread at a time.
 *
 * The namespace is `hs`: C's `hsession` names the session type already.
 *
 * Link with libhsession (pkg-config hsession, or CMake's hsession::hsession).
 * Licensed MIT OR Apache-2.0, as the library.
 */
#ifndef HSESSION_HPP
#define HSESSION_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "hsession.hpp needs C++17 or newer (or use the C header, hsession.h)"
#endif

#include <hsession.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs {

/** A failed call: the C result code, the library's message, the URL concerned (credentials redacted). */
class error : public std::runtime_error {
public:
    error(hsession_result code, const std::string &message, std::string url = {})
        : std::runtime_error(message), code_(code), url_(std::move(url)) {}
    /** The stable result number (HSESSION_TIMEOUT, ...). */
    hsession_result code() const noexcept { return code_; }
    /** The code's name in words, e.g. "total timeout". */
    const char *code_str() const noexcept { return hsession_result_str(code_); }
    const std::string &url() const noexcept { return url_; }

private:
    hsession_result code_;
    std::string url_;
};

namespace detail {

/**
 * Throws for a failed result, taking (and freeing) the C error when there is
 * one. `err` is taken by reference: in check(call(..., &err), err) the
 * arguments are evaluated in no fixed order, so it is read only here, after
 * the call has written it.
 */
inline void check(hsession_result rc, hsession_error *const &err) {
    if (rc == HSESSION_OK) return;
    std::string message = hsession_result_str(rc);
    std::string url;
    if (err != nullptr) {
        if (const char *m = hsession_error_message(err)) message = m;
        if (const char *u = hsession_error_url(err)) url = u;
        hsession_error_free(err);
    }
    throw error(rc, message, std::move(url));
}

inline void check(hsession_result rc) { check(rc, nullptr); }

/** A NUL-terminated copy of a string_view for one call; an embedded NUL cannot pass through C. */
class cstr {
public:
    explicit cstr(std::string_view s) : s_(s) {
        if (s_.find('\0') != std::string::npos)
            throw error(HSESSION_INVALID_ARGUMENT, "a string argument contains a NUL byte");
    }
    operator const char *() const noexcept { return s_.c_str(); }

private:
    std::string s_;
};

/** A NUL-terminated copy, or NULL for an empty optional. */
class opt_cstr {
public:
    explicit opt_cstr(const std::optional<std::string_view> &s) {
        if (s) v_.emplace(*s);
    }
    operator const char *() const noexcept { return v_ ? static_cast<const char *>(*v_) : nullptr; }

private:
    std::optional<cstr> v_;
};

template <typename T, void (*Free)(T *)> struct deleter {
    void operator()(T *p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T *)> using handle = std::unique_ptr<T, deleter<T, Free>>;

inline std::string str_or_empty(const char *s) { return s ? std::string(s) : std::string(); }

inline uint64_t ms(std::chrono::milliseconds d) {
    if (d.count() < 0) throw error(HSESSION_INVALID_ARGUMENT, "a timeout cannot be negative");
    return static_cast<uint64_t>(d.count());
}

} // namespace detail

/** Cookie files: Netscape cookies.txt (curl's) or hsession's JSON. */
enum class cookie_format : hsession_cookie_format {
    netscape = HSESSION_COOKIE_FILE_NETSCAPE,
    json = HSESSION_COOKIE_FILE_JSON,
};

/** One cookie of the jar. `expires` is Unix seconds, 0 for a session cookie. */
struct cookie {
    std::string name;
    std::string value;
    std::string domain;
    std::string path = "/";
    int64_t expires = 0;
    bool secure = false;
    bool http_only = false;
    bool host_only = false;
};

/** A redirect that was followed: its status and the URL it came from. */
struct redirect {
    uint16_t status;
    std::string url;
};

/** A response: status, headers, body (whole, or streamed with read()), final URL. */
class response {
public:
    explicit response(hsession_response *r) noexcept : r_(r) {}

    uint16_t status() const noexcept { return hsession_response_status(r_.get()); }
    std::string_view reason() const noexcept { return hsession_response_reason(r_.get()); }
    /** The final URL, after redirects. */
    std::string_view url() const noexcept { return hsession_response_url(r_.get()); }
    /** "HTTP/1.1", "HTTP/2", ... */
    std::string_view version() const noexcept { return hsession_response_version(r_.get()); }
    std::chrono::microseconds elapsed() const noexcept {
        return std::chrono::microseconds(hsession_response_elapsed_us(r_.get()));
    }
    uint32_t retries() const noexcept { return hsession_response_retries(r_.get()); }
    bool ok() const noexcept { return status() >= 200 && status() < 300; }

    /** When phase `which` (HSESSION_TIMING_*) of the final exchange ended,
     *  from when it was sent (docs/behaviour.md, "Timings"). */
    std::chrono::microseconds timing(hsession_timing which) const {
        uint64_t us = 0;
        detail::check(hsession_response_timing(r_.get(), which, &us));
        return std::chrono::microseconds(us);
    }
    /** Whether the final exchange's connection came from the pool. */
    bool reused() const {
        int reused = 0;
        int64_t idle_us = 0;
        detail::check(hsession_response_connection(r_.get(), &reused, &idle_us));
        return reused != 0;
    }
    /** A fact of the final exchange's connection (HSESSION_CONNECTION_*), if known. */
    std::optional<std::string_view> connection(hsession_connection_text which) const {
        const char *text = nullptr;
        hsession_result rc = hsession_response_connection_text(r_.get(), which, &text);
        if (rc == HSESSION_NOT_FOUND) return std::nullopt;
        detail::check(rc);
        return std::string_view(text);
    }

    /** The whole body, borrowed from this response (not for a streamed one). */
    std::string_view body() const {
        const uint8_t *data = nullptr;
        size_t len = 0;
        detail::check(hsession_response_body(r_.get(), &data, &len));
        return {reinterpret_cast<const char *>(data), len};
    }
    std::string text() const { return std::string(body()); }

    /** The i-th value of header `name` (case-insensitive), if present. */
    std::optional<std::string_view> header(std::string_view name, size_t i = 0) const {
        const char *v = nullptr;
        size_t len = 0;
        hsession_result rc = hsession_response_header(r_.get(), detail::cstr(name), i, &v, &len);
        if (rc == HSESSION_NOT_FOUND) return std::nullopt;
        detail::check(rc);
        return std::string_view(v, len);
    }

    /** Every header line in the order received, names lower case, repeats kept. */
    std::vector<std::pair<std::string_view, std::string_view>> headers() const {
        std::vector<std::pair<std::string_view, std::string_view>> out;
        size_t n = hsession_response_header_count(r_.get());
        out.reserve(n);
        for (size_t i = 0; i < n; i++) {
            const char *k = nullptr, *v = nullptr;
            size_t kl = 0, vl = 0;
            detail::check(hsession_response_header_at(r_.get(), i, &k, &kl, &v, &vl));
            out.emplace_back(std::string_view(k, kl), std::string_view(v, vl));
        }
        return out;
    }

    std::vector<redirect> history() const {
        std::vector<redirect> out;
        size_t n = hsession_response_history_count(r_.get());
        for (size_t i = 0; i < n; i++) {
            uint16_t st = 0;
            const char *u = nullptr;
            detail::check(hsession_response_history_at(r_.get(), i, &st, &u));
            out.push_back({st, detail::str_or_empty(u)});
        }
        return out;
    }

    /**
     * Reads the next bytes of a streamed body (request::stream(true)) into
     * `buf`, blocking; returns how many, 0 at the end of the body.
     */
    size_t read(void *buf, size_t cap) {
        size_t n = 0;
        hsession_error *err = nullptr;
        detail::check(hsession_response_read(r_.get(), static_cast<uint8_t *>(buf), cap, &n, &err), err);
        return n;
    }

    /** The C handle, still owned by this object. */
    hsession_response *get() const noexcept { return r_.get(); }

private:
    detail::handle<hsession_response, hsession_response_free> r_;
};

/** A cancellation switch shared by the requests it is set on. */
class cancel_token {
public:
    cancel_token() {
        hsession_cancel_token *t = nullptr;
        detail::check(hsession_cancel_token_new(&t));
        t_.reset(t);
    }
    void cancel() { detail::check(hsession_cancel_token_cancel(t_.get())); }
    bool cancelled() const noexcept { return hsession_cancel_token_is_cancelled(t_.get()) != 0; }
    hsession_cancel_token *get() const noexcept { return t_.get(); }

private:
    detail::handle<hsession_cancel_token, hsession_cancel_token_free> t_;
};

/** A request to send: method, URL, headers, query, body, auth, timeouts. Reusable. */
class request {
public:
    request(std::string_view method, std::string_view url) {
        hsession_request_builder *b = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_request_new(detail::cstr(method), detail::cstr(url), &b, &err), err);
        b_.reset(b);
    }

    request &header(std::string_view name, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_add_header(b_.get(), detail::cstr(name), detail::cstr(value), &err), err);
        return *this;
    }
    /** Drops a session default header for this request. */
    request &remove_header(std::string_view name) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_remove_header(b_.get(), detail::cstr(name), &err), err);
        return *this;
    }
    request &query(std::string_view key, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_add_query_param(b_.get(), detail::cstr(key), detail::cstr(value), &err), err);
        return *this;
    }
    /** The body bytes (copied). */
    request &body(std::string_view data) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_set_body(b_.get(), reinterpret_cast<const uint8_t *>(data.data()),
                                                data.size(), &err),
                      err);
        return *this;
    }
    /** The body streamed from a file when sent. */
    request &body_file(std::string_view path) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_set_body_file(b_.get(), detail::cstr(path), &err), err);
        return *this;
    }
    request &form_field(std::string_view name, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_add_form_field(b_.get(), detail::cstr(name), detail::cstr(value), &err), err);
        return *this;
    }
    request &form_file(std::string_view name, std::string_view path,
                       std::optional<std::string_view> file_name = std::nullopt,
                       std::optional<std::string_view> content_type = std::nullopt) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_add_form_file(b_.get(), detail::cstr(name), detail::cstr(path),
                                                     detail::opt_cstr(file_name), detail::opt_cstr(content_type),
                                                     &err),
                      err);
        return *this;
    }
    request &cookie(std::string_view name, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_add_cookie(b_.get(), detail::cstr(name), detail::cstr(value), &err), err);
        return *this;
    }
    request &basic_auth(std::string_view user, std::string_view password) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_set_basic_auth(b_.get(), detail::cstr(user), detail::cstr(password), &err),
                      err);
        return *this;
    }
    request &bearer_auth(std::string_view token) {
        hsession_error *err = nullptr;
        detail::check(hsession_request_set_bearer_auth(b_.get(), detail::cstr(token), &err), err);
        return *this;
    }
    request &digest_auth(std::string_view user, std::string_view password) {
        hsession_error *err = nullptr;
        detail::check(
            hsession_request_set_digest_auth(b_.get(), detail::cstr(user), detail::cstr(password), &err), err);
        return *this;
    }
    request &no_auth() {
        detail::check(hsession_request_set_no_auth(b_.get()));
        return *this;
    }
    request &max_redirects(size_t max) {
        detail::check(hsession_request_set_max_redirects(b_.get(), max));
        return *this;
    }
    request &max_body_size(uint64_t bytes) {
        detail::check(hsession_request_set_max_body_size(b_.get(), bytes));
        return *this;
    }
    /** With true the body is read with response::read() as it arrives. */
    request &stream(bool on = true) {
        detail::check(hsession_request_set_stream(b_.get(), on ? 1 : 0));
        return *this;
    }
    request &connect_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_request_set_connect_timeout_ms(b_.get(), detail::ms(d)));
        return *this;
    }
    request &read_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_request_set_read_timeout_ms(b_.get(), detail::ms(d)));
        return *this;
    }
    request &total_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_request_set_total_timeout_ms(b_.get(), detail::ms(d)));
        return *this;
    }
    /** Sends of this request obey `token` (shared, not copied). */
    request &cancel_with(const cancel_token &token) {
        detail::check(hsession_request_set_cancel_token(b_.get(), token.get()));
        return *this;
    }

    hsession_request_builder *get() const noexcept { return b_.get(); }

private:
    detail::handle<hsession_request_builder, hsession_request_free> b_;
};

/**
 * A request in flight (session::send). wait() blocks for its response;
 * destroying a call still in flight cancels it.
 */
class call {
public:
    explicit call(hsession_call *c) noexcept : c_(c) {}

    /** Blocks until the request finishes; its response, or throws its error. Once. */
    response wait() {
        hsession_response *r = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_call_wait(c_.get(), &r, &err), err);
        return response(r);
    }
    /** The response if finished, std::nullopt while in flight; throws its error. */
    std::optional<response> try_take() {
        hsession_response *r = nullptr;
        hsession_error *err = nullptr;
        hsession_result rc = hsession_call_take(c_.get(), &r, &err);
        if (rc == HSESSION_PENDING) {
            hsession_error_free(err);
            return std::nullopt;
        }
        detail::check(rc, err);
        return response(r);
    }
    bool done() const noexcept { return hsession_call_status(c_.get()) != HSESSION_PENDING; }
    /** Cancels it: wait() then throws error(HSESSION_CANCELLED). */
    void cancel() { detail::check(hsession_call_cancel(c_.get())); }

    hsession_call *get() const noexcept { return c_.get(); }

private:
    detail::handle<hsession_call, hsession_call_free> c_;
};

/**
 * The session's cookie jar (RFC 6265 rules, kept in the library). A view of
 * the session's C handle: use it while the session (whoever owns it after a
 * move) is alive.
 */
class cookie_jar {
public:
    explicit cookie_jar(const hsession *s) noexcept : s_(s) {}

    /** Every cookie, oldest first. */
    std::vector<cookie> list() const {
        hsession_cookie_list *l = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_cookies_list(s_, &l, &err), err);
        return take(l);
    }
    /** The cookies a request to `url` would carry, in the order sent. */
    std::vector<cookie> for_url(std::string_view url) const {
        hsession_cookie_list *l = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_cookies_for_url(s_, detail::cstr(url), &l, &err), err);
        return take(l);
    }
    /** The value of cookie `name` (among those for `url` when given). */
    std::optional<std::string> get(std::string_view name, std::optional<std::string_view> url = std::nullopt) const {
        for (const cookie &c : url ? for_url(*url) : list())
            if (c.name == name) return c.value;
        return std::nullopt;
    }
    /** Stores a cookie as if `url` had sent this Set-Cookie value. */
    void set(std::string_view url, std::string_view set_cookie) {
        hsession_error *err = nullptr;
        detail::check(hsession_cookies_set(s_, detail::cstr(url), detail::cstr(set_cookie), &err), err);
    }
    /** Stores a cookie from its fields (an empty domain: host-only for `url`'s host). */
    void set(std::string_view url, const cookie &c) {
        hsession_error *err = nullptr;
        uint32_t flags = (c.secure ? HSESSION_COOKIE_SECURE : 0) | (c.http_only ? HSESSION_COOKIE_HTTP_ONLY : 0) |
                         (c.host_only ? HSESSION_COOKIE_HOST_ONLY : 0);
        std::optional<std::string_view> domain, path;
        if (!c.domain.empty()) domain = c.domain;
        if (!c.path.empty()) path = c.path;
        detail::check(hsession_cookies_set_fields(s_, detail::cstr(url), detail::cstr(c.name), detail::cstr(c.value),
                                                  detail::opt_cstr(domain), detail::opt_cstr(path), c.expires, flags,
                                                  &err),
                      err);
    }
    /** Deletes cookie `name` of `domain` (at `path`, or every path); false if there was none. */
    bool remove(std::string_view domain, std::string_view name, std::optional<std::string_view> path = std::nullopt) {
        hsession_error *err = nullptr;
        hsession_result rc =
            hsession_cookies_delete(s_, detail::cstr(domain), detail::opt_cstr(path), detail::cstr(name), &err);
        if (rc == HSESSION_NOT_FOUND) {
            hsession_error_free(err);
            return false;
        }
        detail::check(rc, err);
        return true;
    }
    void clear() { detail::check(hsession_cookies_clear(s_)); }
    /** Saves the jar to `path` (atomically, mode 0600); returns the count. */
    size_t save(std::string_view path, cookie_format format = cookie_format::json) const {
        size_t n = 0;
        hsession_error *err = nullptr;
        detail::check(hsession_cookies_save(s_, detail::cstr(path), static_cast<hsession_cookie_format>(format), &n, &err),
                      err);
        return n;
    }
    /** Adds the cookies of a file; returns how many were stored. */
    size_t load(std::string_view path, cookie_format format = cookie_format::json) {
        size_t n = 0;
        hsession_error *err = nullptr;
        detail::check(hsession_cookies_load(s_, detail::cstr(path), static_cast<hsession_cookie_format>(format), &n, &err),
                      err);
        return n;
    }

private:
    static std::vector<cookie> take(hsession_cookie_list *raw) {
        detail::handle<hsession_cookie_list, hsession_cookie_list_free> l(raw);
        std::vector<cookie> out;
        size_t n = hsession_cookie_list_count(l.get());
        out.reserve(n);
        for (size_t i = 0; i < n; i++) {
            const char *name = nullptr, *value = nullptr, *domain = nullptr, *path = nullptr;
            int64_t expires = 0;
            uint32_t flags = 0;
            detail::check(hsession_cookie_list_at(l.get(), i, &name, &value, &domain, &path, &expires, &flags));
            out.push_back({detail::str_or_empty(name), detail::str_or_empty(value), detail::str_or_empty(domain),
                           detail::str_or_empty(path), expires, (flags & HSESSION_COOKIE_SECURE) != 0,
                           (flags & HSESSION_COOKIE_HTTP_ONLY) != 0, (flags & HSESSION_COOKIE_HOST_ONLY) != 0});
        }
        return out;
    }

    const hsession *s_;
};

/** A persistent HTTP session: cookie jar, connection pool, defaults. Any number of threads. */
class session {
public:
    session() {
        hsession *s = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_new(&s, &err), err);
        s_.reset(s);
    }

    /** Sends `req` with the session's defaults; blocks this thread. A 404 is a response. */
    response send(const request &req) const {
        hsession_response *r = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_request(s_.get(), req.get(), &r, &err), err);
        return response(r);
    }
    response get(std::string_view url) const {
        hsession_response *r = nullptr;
        hsession_error *err = nullptr;
        detail::check(hsession_get(s_.get(), detail::cstr(url), &r, &err), err);
        return response(r);
    }
    response post(std::string_view url, std::string_view body, std::string_view content_type) const {
        return send(request("POST", url).header("Content-Type", content_type).body(body));
    }

    /**
     * Starts `req` and returns at once. `on_done` (optional) runs once when
     * it finishes, on one of hsession's threads, with the result code: keep
     * it short, and do not make blocking hsession calls from it.
     */
    call send_async(const request &req, std::function<void(hsession_result)> on_done = {}) const {
        using fn = std::function<void(hsession_result)>;
        std::unique_ptr<fn> cb(on_done ? new fn(std::move(on_done)) : nullptr);
        hsession_call *c = nullptr;
        hsession_error *err = nullptr;
        hsession_result rc = hsession_send(s_.get(), req.get(), cb ? &session::trampoline : nullptr, cb.get(), &c, &err);
        detail::check(rc, err);
        cb.release(); // the trampoline owns it now: the library calls it exactly once
        return call(c);
    }

    session &set_header(std::string_view name, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_header(s_.get(), detail::cstr(name), detail::cstr(value), &err), err);
        return *this;
    }
    session &append_header(std::string_view name, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_append_header(s_.get(), detail::cstr(name), detail::cstr(value), &err), err);
        return *this;
    }
    session &remove_header(std::string_view name) {
        hsession_error *err = nullptr;
        detail::check(hsession_remove_header(s_.get(), detail::cstr(name), &err), err);
        return *this;
    }
    session &basic_auth(std::string_view user, std::string_view password) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_basic_auth(s_.get(), detail::cstr(user), detail::cstr(password), &err), err);
        return *this;
    }
    session &bearer_auth(std::string_view token) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_bearer_auth(s_.get(), detail::cstr(token), &err), err);
        return *this;
    }
    session &digest_auth(std::string_view user, std::string_view password) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_digest_auth(s_.get(), detail::cstr(user), detail::cstr(password), &err), err);
        return *this;
    }
    session &clear_auth() {
        detail::check(hsession_clear_auth(s_.get()));
        return *this;
    }
    session &query(std::string_view key, std::string_view value) {
        hsession_error *err = nullptr;
        detail::check(hsession_add_query_param(s_.get(), detail::cstr(key), detail::cstr(value), &err), err);
        return *this;
    }
    session &connect_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_set_connect_timeout_ms(s_.get(), detail::ms(d)));
        return *this;
    }
    session &read_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_set_read_timeout_ms(s_.get(), detail::ms(d)));
        return *this;
    }
    session &total_timeout(std::chrono::milliseconds d) {
        detail::check(hsession_set_total_timeout_ms(s_.get(), detail::ms(d)));
        return *this;
    }
    session &max_redirects(size_t max) {
        detail::check(hsession_set_max_redirects(s_.get(), max));
        return *this;
    }
    session &max_body_size(uint64_t bytes) {
        detail::check(hsession_set_max_body_size(s_.get(), bytes));
        return *this;
    }
    /**
     * urllib3's Retry counts (-1: not limited by that count) and backoff in
     * seconds; statuses to retry (empty: none).
     */
    session &retry(int64_t total, double backoff_factor = 0.0, std::vector<uint16_t> statuses = {},
                   int64_t connect = -1, int64_t read = -1, int64_t status = -1, double backoff_max = 120.0,
                   double backoff_jitter = 0.0) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_retry(s_.get(), total, connect, read, status, backoff_factor, backoff_max,
                                         backoff_jitter, &err),
                      err);
        detail::check(hsession_set_retry_statuses(s_.get(), statuses.data(), statuses.size(), &err), err);
        return *this;
    }
    /** Sends `scheme`'s requests ("http", "https" or "all") through `url`. */
    session &proxy(std::string_view scheme, std::string_view url) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_proxy(s_.get(), detail::cstr(scheme), detail::cstr(url), &err), err);
        return *this;
    }
    session &verify(bool on) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_verify(s_.get(), on ? 1 : 0, &err), err);
        return *this;
    }
    session &ca_file(std::string_view path) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_ca_file(s_.get(), detail::cstr(path), &err), err);
        return *this;
    }
    session &client_cert(std::string_view cert_path, std::string_view key_path) {
        hsession_error *err = nullptr;
        detail::check(hsession_set_client_cert(s_.get(), detail::cstr(cert_path), detail::cstr(key_path), &err), err);
        return *this;
    }

    cookie_jar cookies() const noexcept { return cookie_jar(s_.get()); }
    uint64_t requests_sent() const noexcept { return hsession_requests_sent(s_.get()); }
    uint64_t connections_opened() const noexcept { return hsession_connections_opened(s_.get()); }

    hsession *get() const noexcept { return s_.get(); }

private:
    // Runs on hsession's callback thread; no exception may leave it into C.
    static void trampoline(void *user_data, hsession_call *, hsession_result result) {
        std::unique_ptr<std::function<void(hsession_result)>> cb(
            static_cast<std::function<void(hsession_result)> *>(user_data));
        try {
            (*cb)(result);
        } catch (...) {
        }
    }

    detail::handle<hsession, hsession_free> s_;
};

/** The library's version, "MAJOR.MINOR.PATCH". */
inline std::string_view version() noexcept { return hsession_version(); }

} // namespace hs

#endif /* HSESSION_HPP */
