/* One client, N sequential keep-alive GETs of BASE_URL/bytes/100: the loop
 * `make bench-instructions` runs under callgrind, twice with different N,
 * so that the difference divided by the extra requests is the instructions
 * one request costs (every thread of the process counted; start-up cancels
 * out).
 * Usage: requests_loop hsession|curl BASE_URL N */
#include <curl/curl.h>
#include <hsession.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t sink(char *p, size_t s, size_t n, void *ud) {
    (void)p, (void)ud;
    return s * n;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s hsession|curl BASE_URL N\n", argv[0]);
        return 2;
    }
    char url[512];
    snprintf(url, sizeof url, "%s/bytes/100", argv[2]);
    long n = atol(argv[3]), failures = 0;
    if (strcmp(argv[1], "hsession") == 0) {
        hsession *s = NULL;
        if (hsession_new(&s, NULL) != HSESSION_OK) return 1;
        for (long i = 0; i < n; i++) {
            hsession_response *r = NULL;
            if (hsession_get(s, url, &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200) failures++;
            hsession_response_free(r);
        }
        hsession_free(s);
    } else {
        curl_global_init(CURL_GLOBAL_ALL);
        CURL *c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        for (long i = 0; i < n; i++) {
            long code = 0;
            if (curl_easy_perform(c) != CURLE_OK) failures++;
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
            if (code != 200) failures++;
        }
        curl_easy_cleanup(c);
    }
    if (failures) fprintf(stderr, "%ld failed requests\n", failures);
    return failures != 0;
}
