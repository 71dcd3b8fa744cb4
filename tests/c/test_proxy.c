/* A proxy through the C ABI: requests through a real SOCKS5 proxy
 * (microsocks, started here on 127.0.0.1), the no_proxy list, and bad
 * input for the proxy calls. */
#include "testutil.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static pid_t start_microsocks(int port) {
    pid_t pid = fork();
    if (pid == 0) {
        char p[16];
        snprintf(p, sizeof p, "%d", port);
        int null = open("/dev/null", 1);
        dup2(null, 1);
        dup2(null, 2);
        execlp("microsocks", "microsocks", "-i", "127.0.0.1", "-p", p, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 250; i++) { /* wait until it listens */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok) break;
        usleep(20000);
    }
    return pid;
}

int main(void) {
    if (system("command -v microsocks >/dev/null 2>&1") != 0) {
        printf("SKIPPED: microsocks is not installed (apt-get install microsocks)\n");
        return finish("test_proxy");
    }
    server_start(&srv);
    int port = free_port();
    pid_t socks = start_microsocks(port);
    hsession *s = NULL;
    hsession_new(&s, NULL);
    CHECK_RC(hsession_set_trust_env(s, 0, NULL), HSESSION_OK, NULL);
    char proxy[64], target[128];
    snprintf(proxy, sizeof proxy, "socks5h://127.0.0.1:%d", port);
    snprintf(target, sizeof target, "%s", srv.base);
    char *colon = strrchr(target, ':');
    char local[160];
    snprintf(local, sizeof local, "http://localhost%s/echo", colon); /* a name the proxy resolves */
    hsession_error *err = NULL;
    CHECK_RC(hsession_set_proxy(s, "all", proxy, &err), HSESSION_OK, err);
    hsession_response *r = NULL;
    CHECK_RC(hsession_get(s, local, &r, &err), HSESSION_OK, err);
    CHECK(hsession_response_status(r) == 200, "through the proxy");
    hsession_response_free(r);

    /* Per request: a session without proxies sends one request through it. */
    hsession *direct = NULL;
    hsession_new(&direct, NULL);
    CHECK_RC(hsession_set_trust_env(direct, 0, NULL), HSESSION_OK, NULL);
    hsession_request_builder *via = NULL;
    hsession_request_new("GET", local, &via, NULL);
    CHECK_RC(hsession_request_set_proxy(via, "all", proxy, &err), HSESSION_OK, err);
    CHECK(hsession_request_set_proxy(via, "ftp", proxy, NULL) == HSESSION_INVALID_ARGUMENT, "request proxy scheme");
    CHECK_RC(hsession_request(direct, via, &r, &err), HSESSION_OK, err);
    hsession_response_free(r);

    kill(socks, SIGTERM);
    waitpid(socks, NULL, 0);
    r = NULL;
    /* The proxy is gone: the request that named it fails (proof it used it),
     * and one with its own no_proxy list goes direct. (127.0.0.1, not a
     * name: a lookup on a library thread leaves glibc's resolver state,
     * which valgrind counts as lost when the thread ends.) */
    CHECK(hsession_request(direct, via, &r, NULL) != HSESSION_OK && r == NULL, "request proxy used");
    hsession_request_free(via);
    hsession_request_new("GET", URL("/echo"), &via, NULL);
    CHECK_RC(hsession_request_set_proxy(via, "all", proxy, &err), HSESSION_OK, err);
    CHECK_RC(hsession_request_set_no_proxy(via, "127.0.0.1", &err), HSESSION_OK, err);
    CHECK_RC(hsession_request(direct, via, &r, &err), HSESSION_OK, err);
    hsession_response_free(r);
    hsession_request_free(via);
    hsession_free(direct);
    r = NULL;
    hsession_result rc = hsession_get(s, local, &r, &err);
    CHECK_RC(rc, HSESSION_PROXY, err); /* the proxy is gone: proof the request used it */
    hsession_error_free(err);
    err = NULL;
    /* no_proxy: 127.0.0.1 goes direct although the proxy is gone. */
    CHECK_RC(hsession_set_no_proxy(s, "127.0.0.1", NULL), HSESSION_OK, NULL);
    CHECK_RC(hsession_get(s, URL("/echo"), &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);

    CHECK(hsession_set_proxy(NULL, "all", proxy, NULL) == HSESSION_NULL_ARGUMENT, "session NULL");
    CHECK(hsession_set_proxy(s, NULL, proxy, NULL) == HSESSION_NULL_ARGUMENT, "scheme NULL");
    CHECK(hsession_set_proxy(s, "ftp", proxy, NULL) == HSESSION_INVALID_ARGUMENT, "scheme ftp");
    CHECK(hsession_set_proxy(s, "all", "gopher://127.0.0.1:1", NULL) == HSESSION_UNSUPPORTED_SCHEME, "gopher");
    CHECK(hsession_set_proxy(s, "all", "no url", NULL) == HSESSION_INVALID_URL, "bad url");
    CHECK(hsession_set_proxy(s, "all", NULL, NULL) == HSESSION_OK, "remove");
    CHECK(hsession_set_no_proxy(NULL, "x", NULL) == HSESSION_NULL_ARGUMENT, "no_proxy session NULL");
    CHECK(hsession_set_no_proxy(s, NULL, NULL) == HSESSION_OK, "no_proxy removed");
    CHECK(hsession_set_trust_env(NULL, 1, NULL) == HSESSION_NULL_ARGUMENT, "trust_env NULL");
    CHECK_RC(hsession_get(s, URL("/echo"), &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
    hsession_free(s);
    server_stop(&srv);
    return finish("test_proxy");
}
