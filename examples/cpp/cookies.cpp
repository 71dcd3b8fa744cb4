// requests.Session example 1, "keeping cookies": log in, then reach a protected
// page; the session sends the login cookie by itself.
// Usage: cookies BASE_URL
#include "common.hpp"

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    hs::response login = session.post(base + "/login", "username=user&password=pass", "application/x-www-form-urlencoded");
    print_response("login", login);

    hs::response protected_page = session.get(base + "/protected");
    print_response("protected_page", protected_page);
    for (const hs::cookie &c : session.cookies().list()) std::cout << "cookie " << c.name << " for " << c.domain << '\n';
    return protected_page.status() == 200 ? 0 : 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
