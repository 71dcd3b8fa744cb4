// requests.Session example 5, "custom adapters": retries like
// Retry(total=3, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])
// on the session, against an endpoint that fails twice first.
// Usage: retries BASE_URL
#include "common.hpp"

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    session.retry(3, 0.1, {500, 502, 503, 504});
    hs::response response = session.get(base + "/flaky/unstable_endpoint_cpp/2");
    print_response("response", response);
    std::cout << "retries: " << response.retries() << '\n';
    return response.status() == 200 && response.retries() == 2 ? 0 : 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
