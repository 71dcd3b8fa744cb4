// requests.Session example, "basic use": a session with a default
// User-Agent, a GET, then a form POST that reuses headers and cookies.
// Usage: basic BASE_URL
#include "common.hpp"

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    session.set_header("User-Agent", "MyApp/1.0");

    hs::response response1 = session.get(base + "/data");
    print_response("response1", response1);

    hs::response response2 = session.post(base + "/submit", "key=value", "application/x-www-form-urlencoded");
    print_response("response2", response2);
    return response1.status() == 200 && response2.status() == 200 ? 0 : 1;
} catch (const hs::error &e) { // the session and responses are freed on the way out
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
