/* Shared by the examples: fail loudly with hsession's own words. */
#ifndef HSESSION_EXAMPLE_COMMON_H
#define HSESSION_EXAMPLE_COMMON_H
#include <hsession.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void die_on(hsession_result rc, hsession_error *err, const char *what) {
    if (rc == HSESSION_OK) return;
    fprintf(stderr, "%s failed: %s: %s\n", what, hsession_result_str(rc),
            err ? hsession_error_message(err) : "");
    hsession_error_free(err);
    exit(1);
}

/* Prints "STATUS body" of a response. */
static inline void print_response(const char *label, const hsession_response *resp) {
    const uint8_t *body;
    size_t len;
    hsession_response_body(resp, &body, &len);
    printf("%s: %u %.*s\n", label, hsession_response_status(resp), (int)len, (const char *)body);
}

/* base URL + path */
static inline const char *at(const char *base, const char *path) {
    static char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    return url;
}
#endif
