/* The generated header compiles cleanly as C99 (and, built from
 * test_header.cpp, as C++) with -Wall -Wextra -Werror, its version macros
 * match the library it is linked with, and the static library links with
 * the flags of `pkg-config --static`. */
#include <hsession.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    int ok = strcmp(hsession_version(), HSESSION_VERSION) == 0 && hsession_abi_version() == HSESSION_ABI_VERSION;
    printf("test_header: %d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
