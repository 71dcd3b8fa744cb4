/* Shared by the C tests: start the test server as a child process, and
 * count checks. Each test binary starts its own server (path from the
 * HSESSION_TESTSERVER environment variable) and stops it by its PID. */
#ifndef HSESSION_TESTUTIL_H
#define HSESSION_TESTUTIL_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hsession.h>

static int checks_passed, checks_failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            checks_passed++;                                              \
        } else {                                                          \
            checks_failed++;                                              \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
        }                                                                 \
    } while (0)

/* Checks that a call returned `want`, printing the error detail if not. */
#define CHECK_RC(rc, want, err)                                                     \
    CHECK((rc) == (want), "got %u (%s), want %u (%s); error: %s", (unsigned)(rc),   \
          hsession_result_str(rc), (unsigned)(want), hsession_result_str(want),     \
          (err) ? hsession_error_message(err) : "(none)")

typedef struct {
    pid_t pid;
    int stdin_fd;
    char base[64]; /* "http://127.0.0.1:PORT" (https with TLS) */
} test_server;

/* Starts hsession-testserver, over TLS when `tls_dir` is not NULL: the
 * server makes a new CA and certificates and writes them there (ca.pem,
 * cert.pem, key.pem, client.pem, client-key.pem). Exits the test process
 * if it cannot start. */
static inline void server_start_with(test_server *srv, const char *tls_dir) {
    const char *path = getenv("HSESSION_TESTSERVER");
    if (!path) path = "target/release/hsession-testserver";
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) {
        perror("pipe");
        exit(2);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        if (tls_dir)
            execl(path, path, "--exit-on-stdin-eof", "--tls-self-signed", tls_dir, (char *)NULL);
        else
            execl(path, path, "--exit-on-stdin-eof", (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    char line[64] = {0};
    size_t n = 0;
    while (n < sizeof line - 1) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n') break;
        n++;
    }
    close(out[0]);
    int port = 0;
    if (sscanf(line, "PORT=%d", &port) != 1 || port <= 0) {
        fprintf(stderr, "test server did not report its port (got \"%s\")\n", line);
        kill(pid, SIGTERM);
        exit(2);
    }
    srv->pid = pid;
    srv->stdin_fd = in[1];
    snprintf(srv->base, sizeof srv->base, "%s://127.0.0.1:%d", tls_dir ? "https" : "http", port);
}

/* Starts hsession-testserver over plain HTTP. */
static inline void server_start(test_server *srv) { server_start_with(srv, NULL); }

static inline void server_stop(test_server *srv) {
    close(srv->stdin_fd);
    kill(srv->pid, SIGTERM);
    waitpid(srv->pid, NULL, 0);
}

/* base + path into a static buffer (one URL at a time per thread). */
static inline const char *url_of(const test_server *srv, const char *path, char *buf, size_t len) {
    snprintf(buf, len, "%s%s", srv->base, path);
    return buf;
}

/* The body as a NUL-terminated copy (caller frees). */
static inline char *body_text(const hsession_response *resp) {
    const uint8_t *data = NULL;
    size_t len = 0;
    if (hsession_response_body(resp, &data, &len) != HSESSION_OK) return NULL;
    char *s = malloc(len + 1);
    memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

/* Does the body contain `needle`? */
static inline int body_has(const hsession_response *resp, const char *needle) {
    char *s = body_text(resp);
    int found = s && strstr(s, needle) != NULL;
    free(s);
    return found;
}

/* How much slower than native this run is (HSESSION_TIME_SCALE, e.g. 10
 * under valgrind): timing bounds in the tests are multiplied by it. */
static inline double time_scale(void) {
    const char *v = getenv("HSESSION_TIME_SCALE");
    double f = v ? strtod(v, NULL) : 1.0;
    return f >= 1.0 ? f : 1.0;
}

/* Prints the closing line CI reads and returns the exit status. */
/* A loopback port nothing listens on: bound, then closed (a connect to it
 * is refused; a server started on it gets it). */
static inline int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static inline int finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
