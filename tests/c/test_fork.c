/* fork() with requests in flight: the child gets a working session (a new
 * runtime, a fresh pool, the cookie jar carried over) instead of hanging;
 * the parent's requests finish undisturbed. */
#include "testutil.h"
#include <pthread.h>
#include <stdatomic.h>

static test_server srv;
static hsession *s;
static atomic_int done_ok, blocking_ok;

static void on_done(void *user_data, hsession_call *call, hsession_result result) {
    (void)user_data, (void)call;
    if (result == HSESSION_OK) atomic_fetch_add(&done_ok, 1);
}

static void *blocking_loop(void *arg) {
    (void)arg;
    char url[128];
    snprintf(url, sizeof url, "%s/delay/50", srv.base);
    for (int i = 0; i < 8; i++) {
        hsession_response *r = NULL;
        if (hsession_get(s, url, &r, NULL) == HSESSION_OK) atomic_fetch_add(&blocking_ok, 1);
        hsession_response_free(r);
    }
    return NULL;
}

/* In the child: only hsession calls and _exit, with a watchdog. */
static int child(void) {
    alarm(20);
    char url[128];
    int failures = 0;
    hsession_response *r = NULL;
    snprintf(url, sizeof url, "%s/cookies", srv.base);
    if (hsession_get(s, url, &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200 ||
        !body_has(r, "\"forked\":\"yes\""))
        failures |= 1; /* the jar came along */
    hsession_response_free(r);

    hsession_request_builder *req = NULL;
    snprintf(url, sizeof url, "%s/delay/100", srv.base);
    hsession_request_new("GET", url, &req, NULL);
    hsession_call *call = NULL;
    r = NULL;
    if (hsession_send(s, req, NULL, NULL, &call, NULL) != HSESSION_OK ||
        hsession_call_wait(call, &r, NULL) != HSESSION_OK || hsession_response_status(r) != 200)
        failures |= 2; /* async calls work: a new runtime */
    hsession_response_free(r);
    hsession_call_free(call);
    hsession_request_free(req);

    hsession *fresh = NULL;
    snprintf(url, sizeof url, "%s/echo", srv.base);
    r = NULL;
    if (hsession_new(&fresh, NULL) != HSESSION_OK || hsession_get(fresh, url, &r, NULL) != HSESSION_OK)
        failures |= 4;
    hsession_response_free(r);
    hsession_free(fresh);
    return failures;
}

int main(void) {
    server_start(&srv);
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    hsession_response *r = NULL;
    char url[128];
    snprintf(url, sizeof url, "%s/cookies/set?forked=yes", srv.base);
    CHECK_RC(hsession_get(s, url, &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);

    /* Requests in flight while forking: async calls and a blocking thread. */
    hsession_request_builder *slow = NULL;
    snprintf(url, sizeof url, "%s/delay/300", srv.base);
    hsession_request_new("GET", url, &slow, NULL);
    hsession_call *calls[20];
    for (int i = 0; i < 20; i++) hsession_send(s, slow, on_done, NULL, &calls[i], NULL);
    pthread_t th;
    pthread_create(&th, NULL, blocking_loop, NULL);
    usleep(100000);

    for (int round = 0; round < 3; round++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) _exit(child());
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: %s %d", round,
              WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }

    pthread_join(th, NULL);
    for (int i = 0; i < 20; i++) {
        hsession_response *resp = NULL;
        CHECK_RC(hsession_call_wait(calls[i], &resp, NULL), HSESSION_OK, NULL);
        hsession_response_free(resp);
        hsession_call_free(calls[i]);
    }
    for (int i = 0; i < 200 && atomic_load(&done_ok) < 20; i++) usleep(10000);
    CHECK(atomic_load(&done_ok) == 20, "parent callbacks %d", atomic_load(&done_ok));
    CHECK(atomic_load(&blocking_ok) == 8, "parent blocking requests %d", atomic_load(&blocking_ok));
    hsession_request_free(slow);
    hsession_free(s);
    server_stop(&srv);
    return finish("test_fork");
}
