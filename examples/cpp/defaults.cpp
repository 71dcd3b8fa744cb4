// requests.Session example 2, "default parameters": default Authorization and
// Accept headers and a default timeout for every request.
// Usage: defaults BASE_URL
#include "common.hpp"

using namespace std::chrono_literals;

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    session.set_header("Authorization", "Bearer my_token").set_header("Accept", "application/json").total_timeout(5s);

    hs::response response1 = session.get(base + "/anything/endpoint1");
    hs::response response2 = session.get(base + "/anything/endpoint2");
    print_response("response1", response1);
    print_response("response2", response2);
    return response1.status() == 200 && response2.status() == 200 ? 0 : 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
