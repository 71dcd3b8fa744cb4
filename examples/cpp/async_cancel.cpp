// Requests in flight without a thread each: three started at once and
// collected, then a slow one cancelled.
// Usage: async_cancel BASE_URL
#include "common.hpp"

#include <vector>

int main(int argc, char **argv) try {
    const std::string base = base_url(argc, argv);
    hs::session session;
    std::vector<hs::call> calls;
    for (const char *path : {"/delay/200", "/delay/200", "/delay/200"})
        calls.push_back(session.send_async(hs::request("GET", base + path)));
    int ok = 0;
    for (hs::call &c : calls) ok += c.wait().status() == 200;
    std::cout << ok << " of 3 finished\n";

    hs::call slow = session.send_async(hs::request("GET", base + "/delay/5000"));
    slow.cancel();
    try {
        slow.wait();
    } catch (const hs::error &e) {
        std::cout << "slow request: " << e.code_str() << '\n';
        return ok == 3 && e.code() == HSESSION_CANCELLED ? 0 : 1;
    }
    return 1;
} catch (const hs::error &e) {
    std::cerr << e.code_str() << ": " << e.what() << '\n';
    return 1;
}
