// requests.Session example 3, "connection pooling": five requests without a session (a
// new session each) against five on one session; the counters show the
// connections each way opened.
// Usage: pooling BASE_URL
#include "common.hpp"

#include <chrono>

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    using clock = std::chrono::steady_clock;
    auto seconds = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };

    auto start = clock::now();
    uint64_t without = 0;
    for (int i = 0; i < 5; i++) {
        hs::session one;
        one.get(base + "/data");
        without += one.connections_opened();
    }
    std::cout << "Without session: " << seconds(clock::now() - start) << " seconds, " << without << " connections\n";

    hs::session session;
    start = clock::now();
    for (int i = 0; i < 5; i++) session.get(base + "/data");
    std::cout << "With session: " << seconds(clock::now() - start) << " seconds, " << session.connections_opened()
              << " connection(s) for " << session.requests_sent() << " requests\n";
    return session.connections_opened() == 1 && without == 5 ? 0 : 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
