// Shared by the C++ examples: the base URL from argv and a short print.
#pragma once
#include <hsession.hpp>

#include <iostream>
#include <string>

inline std::string base_url(int argc, char **argv) { return argc > 1 ? argv[1] : "http://127.0.0.1:8080"; }

inline void print_response(const char *label, const hs::response &r) {
    std::string body(r.body().substr(0, 200));
    std::cout << label << ": " << r.status() << ' ' << r.reason() << '\n' << body << '\n';
}
