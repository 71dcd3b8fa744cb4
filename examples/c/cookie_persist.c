/* A login that survives a process restart: the session's cookie jar is
 * loaded from a cookies.txt file (curl's format) when the session is made,
 * and saved there when it is freed.
 *
 * Usage: cookie_persist BASE_URL login FILE       log in, save the jar, exit
 *        cookie_persist BASE_URL protected FILE   load the jar, GET /protected
 *        cookie_persist BASE_URL                  both, as two processes, with
 *                                                 a temporary file (the demo) */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <sys/wait.h>
#include <unistd.h>

static hsession *session_with_jar(const char *file) {
    hsession *session = NULL;
    hsession_error *err = NULL;
    die_on(hsession_new(&session, &err), err, "hsession_new");
    size_t loaded = 0;
    /* Loads now (a missing file is an empty jar); saves on hsession_free. */
    die_on(hsession_set_cookie_file(session, file, HSESSION_COOKIE_FILE_NETSCAPE, &loaded, &err), err,
           "hsession_set_cookie_file");
    printf("loaded %zu cookie(s) from %s\n", loaded, file);
    return session;
}

static int login(const char *base, const char *file) {
    hsession *session = session_with_jar(file);
    hsession_error *err = NULL;
    hsession_request_builder *req = NULL;
    die_on(hsession_request_new("POST", at(base, "/login"), &req, &err), err, "request_new");
    die_on(hsession_request_add_header(req, "Content-Type", "application/x-www-form-urlencoded", &err), err,
           "add_header");
    const char *form = "username=user&password=pass";
    die_on(hsession_request_set_body(req, (const uint8_t *)form, strlen(form), &err), err, "set_body");
    hsession_response *resp = NULL;
    die_on(hsession_request(session, req, &resp, &err), err, "POST /login");
    print_response("login", resp);
    int ok = hsession_response_status(resp) == 200;
    hsession_response_free(resp);
    hsession_request_free(req);
    hsession_free(session); /* writes the jar to `file` (mode 0600, atomically) */
    return ok ? 0 : 1;
}

static int protected_page(const char *base, const char *file) {
    hsession *session = session_with_jar(file);
    hsession_error *err = NULL;

    hsession_cookie_list *list = NULL;
    die_on(hsession_cookies_list(session, &list, &err), err, "hsession_cookies_list");
    for (size_t i = 0; i < hsession_cookie_list_count(list); i++) {
        const char *name, *value, *domain, *path;
        int64_t expires;
        uint32_t flags;
        hsession_cookie_list_at(list, i, &name, &value, &domain, &path, &expires, &flags);
        printf("cookie %s (domain %s, path %s%s, %s)\n", name, domain, path,
               (flags & HSESSION_COOKIE_HTTP_ONLY) ? ", HttpOnly" : "", expires ? "persistent" : "session");
    }
    hsession_cookie_list_free(list);

    hsession_response *resp = NULL;
    die_on(hsession_get(session, at(base, "/protected"), &resp, &err), err, "GET /protected");
    print_response("protected_page", resp);
    int ok = hsession_response_status(resp) == 200;
    hsession_response_free(resp);
    hsession_free(session);
    return ok ? 0 : 1;
}

/* Runs this program again with `mode`: a new process, nothing shared but the file. */
static int run_self(const char *self, const char *base, const char *mode, const char *file) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        execl(self, self, base, mode, file, (char *)NULL);
        perror("execl");
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "http://127.0.0.1:8080";
    if (argc > 3 && strcmp(argv[2], "login") == 0) return login(base, argv[3]);
    if (argc > 3 && strcmp(argv[2], "protected") == 0) return protected_page(base, argv[3]);
    if (argc != 2 && argc != 1) {
        fprintf(stderr, "usage: %s BASE_URL [login|protected FILE]\n", argv[0]);
        return 2;
    }
    char dir[] = "/tmp/hsession-cookie-persist-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char file[sizeof dir + 16];
    snprintf(file, sizeof file, "%s/cookies.txt", dir);
    int rc = run_self(argv[0], base, "login", file);
    if (rc == 0) rc = run_self(argv[0], base, "protected", file);
    remove(file);
    rmdir(dir);
    return rc;
}
