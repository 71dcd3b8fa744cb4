// requests.Session example 4, "authentication": HTTP basic auth set once on the
// session applies to every request.
// Usage: auth BASE_URL
#include "common.hpp"

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    session.basic_auth("user", "pass");
    hs::response response = session.get(base + "/basic-auth/user/pass");
    print_response("response", response);
    return response.status() == 200 ? 0 : 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
