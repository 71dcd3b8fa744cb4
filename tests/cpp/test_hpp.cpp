// include/hsession.hpp against the test server, under ASan/UBSan (make
// test-c): RAII and moves, string_view in, exceptions with the result code,
// blocking and async calls, streamed bodies, the cookie jar, threads.
#include <hsession.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <sys/wait.h>

using namespace std::chrono_literals;

static int passed, failed;
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                    \
    } while (0)

// The code of the hs::error that `f` throws, or -1 if it throws none.
template <typename F> static long code_of(F &&f) {
    try {
        f();
    } catch (const hs::error &e) {
        return static_cast<long>(e.code());
    }
    return -1;
}

// hsession-testserver (HSESSION_TESTSERVER) on a free port; stopped by its PID.
struct server {
    pid_t pid = -1;
    int in = -1;
    std::string base;
    server() {
        const char *bin = std::getenv("HSESSION_TESTSERVER");
        if (!bin) {
            std::fprintf(stderr, "set HSESSION_TESTSERVER\n");
            std::exit(2);
        }
        int out[2], inp[2];
        if (pipe(out) != 0 || pipe(inp) != 0) std::exit(2);
        pid = fork();
        if (pid == 0) {
            dup2(out[1], 1);
            dup2(inp[0], 0);
            close(out[0]);
            close(inp[1]);
            execl(bin, bin, "--exit-on-stdin-eof", static_cast<char *>(nullptr));
            _exit(127);
        }
        close(out[1]);
        close(inp[0]);
        in = inp[1];
        char line[64] = {0};
        size_t n = 0;
        while (n < sizeof line - 1 && read(out[0], line + n, 1) == 1 && line[n] != '\n') n++;
        close(out[0]);
        if (std::strncmp(line, "PORT=", 5) != 0) {
            std::fprintf(stderr, "test server said %s\n", line);
            std::exit(2);
        }
        line[n] = 0;
        base = std::string("http://127.0.0.1:") + (line + 5);
    }
    ~server() {
        close(in);
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
    }
    std::string url(const char *path) const { return base + path; }
};

static_assert(!std::is_copy_constructible_v<hs::session>, "handles are move-only");
static_assert(std::is_nothrow_move_constructible_v<hs::session>, "handles move");
static_assert(!std::is_copy_constructible_v<hs::response>, "handles are move-only");
static_assert(!std::is_copy_constructible_v<hs::request>, "handles are move-only");
static_assert(!std::is_copy_constructible_v<hs::call>, "handles are move-only");

static void test_blocking(const server &srv) {
    hs::session s;
    s.set_header("User-Agent", std::string_view("cpp-test/1.0 and more", 12)).total_timeout(5s);
    hs::response r = s.get(srv.url("/json"));
    CHECK(r.status() == 200 && r.ok());
    CHECK(r.header("Content-Type").value_or("").find("application/json") == 0);
    CHECK(!r.header("X-Absent"));
    CHECK(!r.headers().empty() && r.headers()[0].first == r.headers()[0].first);
    CHECK(r.url() == srv.url("/json"));
    CHECK(!r.text().empty());

    hs::request req("POST", srv.url("/echo"));
    req.header("Content-Type", "text/plain").query("page", "2").body(std::string_view("hello\0world", 11));
    hs::response echo = s.send(req);
    std::string e = echo.text();
    CHECK(e.find("\"method\":\"POST\"") != std::string::npos);
    CHECK(e.find("\"raw_query\":\"page=2\"") != std::string::npos);
    CHECK(e.find("\"body_len\":11") != std::string::npos);
    CHECK(e.find("cpp-test/1.0") != std::string::npos);
    // The request stays ours: send it again.
    CHECK(s.send(req).status() == 200);

    hs::response redirected = s.get(srv.url("/redirect/2"));
    CHECK(redirected.history().size() == 2 && redirected.history()[0].status == 302);
    CHECK(redirected.reused() && redirected.timing(HSESSION_TIMING_TOTAL) >= redirected.timing(HSESSION_TIMING_FIRST_BYTE));
    CHECK(redirected.connection(HSESSION_CONNECTION_LOCAL_ADDR).value_or("").find("127.0.0.1:") == 0);
    CHECK(!redirected.connection(HSESSION_CONNECTION_TLS_VERSION));
    CHECK(s.get(srv.url("/status/404")).status() == 404); // a response, not an error

    // Moves: the handle goes with the object, freed once.
    hs::session moved = std::move(s);
    CHECK(moved.get() != nullptr && s.get() == nullptr);
    CHECK(moved.get(srv.url("/echo")).status() == 200);
    CHECK(moved.requests_sent() >= 5);
}

static void test_digest(const server &srv) {
    hs::session s;
    CHECK(s.get(srv.url("/digest-auth/auth/user/pass")).status() == 401);
    s.digest_auth("user", "pass");
    CHECK(s.get(srv.url("/digest-auth/auth/user/pass/SHA-256")).status() == 200);
    hs::request req("GET", srv.url("/digest-auth/none/user/pass"));
    req.digest_auth("user", "wrong");
    CHECK(s.send(req).status() == 401);
    CHECK(code_of([&] { s.digest_auth("us\"er", "pass"); }) == HSESSION_INVALID_ARGUMENT);
}

static void test_errors(const server &srv) {
    hs::session s;
    CHECK(code_of([&] { s.get("not a url"); }) == HSESSION_INVALID_URL);
    CHECK(code_of([&] { s.get("ftp://127.0.0.1/x"); }) == HSESSION_UNSUPPORTED_SCHEME);
    CHECK(code_of([&] { s.set_header("Bad Name", "x"); }) == HSESSION_INVALID_HEADER_NAME);
    CHECK(code_of([&] { s.set_header("X-A", "a\r\nInjected: 1"); }) == HSESSION_INVALID_HEADER_VALUE);
    CHECK(code_of([&] { s.get(std::string_view("http://127.0.0.1/\0x", 19)); }) == HSESSION_INVALID_ARGUMENT);
    CHECK(code_of([&] { hs::request("GE T", srv.url("/")); }) == HSESSION_INVALID_METHOD);
    CHECK(code_of([&] { s.total_timeout(-1ms); }) == HSESSION_INVALID_ARGUMENT);
    try {
        s.get("http://user:secret@127.0.0.1:1/private");
        CHECK(false);
    } catch (const hs::error &e) {
        CHECK(e.code() == HSESSION_CONNECT);
        CHECK(std::string(e.what()).size() > 0);
        CHECK(e.url().find("secret") == std::string::npos && e.url().find("127.0.0.1:1") != std::string::npos);
        CHECK(std::string(e.code_str()) == hsession_result_str(HSESSION_CONNECT));
        const std::runtime_error &base = e; // catchable as a standard exception
        CHECK(base.what() == e.what());
    }
    CHECK(code_of([&] { s.send(hs::request("GET", srv.url("/delay/3000")).total_timeout(100ms)); }) ==
          HSESSION_TIMEOUT);
    // Still usable after every failure.
    CHECK(s.get(srv.url("/echo")).status() == 200);
}

static void test_async(const server &srv) {
    hs::session s;
    std::promise<hsession_result> done;
    hs::call c = s.send_async(hs::request("GET", srv.url("/echo")),
                                    [&](hsession_result rc) { done.set_value(rc); });
    hs::response r = c.wait();
    CHECK(r.status() == 200);
    CHECK(done.get_future().get() == HSESSION_OK);

    // Many in flight from one thread, collected afterwards.
    std::vector<hs::call> calls;
    for (int i = 0; i < 20; i++) calls.push_back(s.send_async(hs::request("GET", srv.url("/echo"))));
    int ok = 0;
    for (auto &k : calls) ok += k.wait().status() == 200;
    CHECK(ok == 20);

    // Cancel: wait() throws CANCELLED, promptly.
    hs::call slow = s.send_async(hs::request("GET", srv.url("/delay/5000")));
    CHECK(!slow.try_take().has_value());
    slow.cancel();
    auto t0 = std::chrono::steady_clock::now();
    CHECK(code_of([&] { slow.wait(); }) == HSESSION_CANCELLED);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);

    // A cancel token shared by requests.
    hs::cancel_token token;
    hs::request tr("GET", srv.url("/delay/5000"));
    tr.cancel_with(token);
    hs::call a = s.send_async(tr), b = s.send_async(tr);
    token.cancel();
    CHECK(token.cancelled());
    CHECK(code_of([&] { a.wait(); }) == HSESSION_CANCELLED && code_of([&] { b.wait(); }) == HSESSION_CANCELLED);

    // A call dropped while in flight is cancelled; its callback still runs once.
    std::atomic<int> runs{0};
    {
        hs::call dropped = s.send_async(hs::request("GET", srv.url("/delay/5000")),
                                              [&](hsession_result) { runs++; });
    }
    for (int i = 0; i < 200 && runs.load() == 0; i++) std::this_thread::sleep_for(10ms);
    CHECK(runs.load() == 1);
    // An exception thrown by a callback stays out of the library.
    s.send_async(hs::request("GET", srv.url("/echo")), [](hsession_result) { throw std::runtime_error("x"); })
        .wait();
}

static void test_stream(const server &srv) {
    hs::session s;
    hs::response r = s.send(hs::request("GET", srv.url("/bytes/1000000")).stream());
    char buf[65536];
    size_t total = 0, n;
    while ((n = r.read(buf, sizeof buf)) > 0) total += n;
    CHECK(total == 1000000);
}

static void test_cookies(const server &srv) {
    hs::session s;
    s.get(srv.url("/cookies/set?flavour=oat&size=big"));
    hs::cookie_jar jar = s.cookies();
    CHECK(jar.get("flavour") == std::optional<std::string>("oat"));
    CHECK(jar.list().size() == 2);
    CHECK(jar.for_url(srv.url("/")).size() == 2);
    CHECK(s.get(srv.url("/cookies")).text().find("\"flavour\":\"oat\"") != std::string::npos);
    jar.set(srv.url("/"), "extra=1; Path=/");
    hs::cookie c;
    c.name = "fields";
    c.value = "v";
    c.secure = false;
    jar.set(srv.url("/"), c);
    CHECK(jar.get("extra") && jar.get("fields") == std::optional<std::string>("v"));
    CHECK(jar.remove("127.0.0.1", "extra"));
    CHECK(!jar.remove("127.0.0.1", "extra"));
    char path[] = "/tmp/hsession-hpp-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK(jar.save(path, hs::cookie_format::netscape) == 3);
    jar.clear();
    CHECK(jar.list().empty());
    CHECK(jar.load(path, hs::cookie_format::netscape) == 3);
    CHECK(jar.get("size") == std::optional<std::string>("big"));
    unlink(path);
    CHECK(code_of([&] { jar.load("/nonexistent/cookies.txt", hs::cookie_format::netscape); }) == HSESSION_IO);
}

static void test_threads(const server &srv) {
    hs::session s;
    std::atomic<int> ok{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; t++)
        ts.emplace_back([&] {
            for (int i = 0; i < 25; i++) ok += s.get(srv.url("/echo")).status() == 200;
        });
    for (auto &t : ts) t.join();
    CHECK(ok.load() == 200);
    CHECK(s.connections_opened() <= 8);
}

int main() {
    server srv;
    CHECK(hs::version() == HSESSION_VERSION);
    test_blocking(srv);
    test_digest(srv);
    test_errors(srv);
    test_async(srv);
    test_stream(srv);
    test_cookies(srv);
    test_threads(srv);
    std::printf("test_hpp: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
