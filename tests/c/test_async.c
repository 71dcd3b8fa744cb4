/* The non-blocking C API: 1,000 requests in flight from one thread with a
 * handful of library threads, cancellation of 100 from another thread,
 * freeing the session and call handles while requests are in flight, cancel
 * tokens for the blocking call, and bad input for every new function. */
#include "testutil.h"
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static test_server srv;
static char u[256];
#define URL(path) url_of(&srv, path, u, sizeof u)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

/* What each callback records; one per request. */
typedef struct {
    atomic_int runs;
    atomic_int result;
    atomic_int status;
    double done_ms;
} slot;

static atomic_int finished;

static void on_done(void *user_data, hsession_call *call, hsession_result result) {
    slot *s = user_data;
    hsession_response *resp = NULL;
    if (result == HSESSION_OK && hsession_call_take(call, &resp, NULL) == HSESSION_OK)
        atomic_store(&s->status, hsession_response_status(resp));
    hsession_response_free(resp);
    atomic_store(&s->result, (int)result);
    s->done_ms = now_ms();
    atomic_fetch_add(&s->runs, 1);
    atomic_fetch_add(&finished, 1);
}

static int wait_finished(int want, double timeout_ms) {
    double end = now_ms() + timeout_ms;
    while (atomic_load(&finished) < want && now_ms() < end) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&finished) >= want;
}

#define N_CONCURRENT 1000

static void thousand_in_flight(hsession *s) {
    static slot slots[N_CONCURRENT];
    static hsession_call *calls[N_CONCURRENT];
    atomic_store(&finished, 0);
    hsession_request_builder *req = NULL;
    CHECK_RC(hsession_request_new("GET", URL("/delay/200"), &req, NULL), HSESSION_OK, NULL);
    int threads_before = thread_count();
    double start = now_ms();
    for (int i = 0; i < N_CONCURRENT; i++) {
        hsession_error *err = NULL;
        hsession_result rc = hsession_send(s, req, on_done, &slots[i], &calls[i], &err);
        if (rc != HSESSION_OK) CHECK_RC(rc, HSESSION_OK, err);
        hsession_error_free(err);
    }
    double started = now_ms() - start;
    int threads_during = thread_count();
    CHECK(wait_finished(N_CONCURRENT, 10000), "only %d of %d finished", atomic_load(&finished), N_CONCURRENT);
    double took = now_ms() - start;
    int ok = 0;
    for (int i = 0; i < N_CONCURRENT; i++)
        if (atomic_load(&slots[i].runs) == 1 && atomic_load(&slots[i].result) == HSESSION_OK &&
            atomic_load(&slots[i].status) == 200)
            ok++;
    printf("%d requests of 200 ms from one thread: all done in %.0f ms (sending took %.0f ms); "
           "process threads %d before, %d during\n",
           N_CONCURRENT, took, started, threads_before, threads_during);
    CHECK(ok == N_CONCURRENT, "%d of %d succeeded once", ok, N_CONCURRENT);
    CHECK(took < 2000 * time_scale(), "took %.0f ms", took);
    CHECK(threads_during - threads_before <= 4, "%d threads added", threads_during - threads_before);
    for (int i = 0; i < N_CONCURRENT; i++) {
        CHECK(hsession_call_status(calls[i]) == HSESSION_OK, "status of call %d", i);
        hsession_call_free(calls[i]);
    }
    hsession_request_free(req);
}

/* ---- cancel 100 from another thread ---- */
#define N_CANCEL 100
static hsession_call *to_cancel[N_CANCEL];
static double cancel_started_ms;

static void *canceller(void *arg) {
    (void)arg;
    cancel_started_ms = now_ms();
    for (int i = 0; i < N_CANCEL; i++) hsession_call_cancel(to_cancel[i]);
    for (int i = 0; i < N_CANCEL; i++) hsession_call_cancel(to_cancel[i]); /* twice is fine */
    return NULL;
}

static void cancel_from_another_thread(hsession *s) {
    static slot slots[N_CANCEL];
    atomic_store(&finished, 0);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/delay/5000"), &req, NULL);
    for (int i = 0; i < N_CANCEL; i++) hsession_send(s, req, on_done, &slots[i], &to_cancel[i], NULL);
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    pthread_t th;
    pthread_create(&th, NULL, canceller, NULL);
    pthread_join(th, NULL);
    CHECK(wait_finished(N_CANCEL, 3000), "only %d cancelled calls finished", atomic_load(&finished));
    double worst = 0;
    int cancelled = 0;
    for (int i = 0; i < N_CANCEL; i++) {
        if (atomic_load(&slots[i].result) == HSESSION_CANCELLED && atomic_load(&slots[i].runs) == 1) cancelled++;
        if (slots[i].done_ms - cancel_started_ms > worst) worst = slots[i].done_ms - cancel_started_ms;
    }
    printf("cancelled %d in-flight requests from another thread: last callback %.1f ms after the first cancel\n",
           N_CANCEL, worst);
    CHECK(cancelled == N_CANCEL, "%d of %d ended CANCELLED once", cancelled, N_CANCEL);
    CHECK(worst < 500 * time_scale(), "cancel latency %.1f ms", worst);
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    CHECK_RC(hsession_call_take(to_cancel[0], &resp, &err), HSESSION_CANCELLED, err);
    hsession_error_free(err);
    for (int i = 0; i < N_CANCEL; i++) {
        hsession_call_cancel(to_cancel[i]); /* after the end: nothing happens */
        hsession_call_free(to_cancel[i]);
    }
    hsession_request_free(req);
    /* The session still works. */
    hsession_response *r = NULL;
    CHECK_RC(hsession_get(s, URL("/echo"), &r, NULL), HSESSION_OK, NULL);
    hsession_response_free(r);
}

/* ---- free the session, and call handles, while requests are in flight ---- */
static void free_while_in_flight(void) {
    static slot slots[N_CANCEL];
    static hsession_call *calls[N_CANCEL];
    atomic_store(&finished, 0);
    hsession *s = NULL;
    hsession_new(&s, NULL);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/delay/5000"), &req, NULL);
    for (int i = 0; i < N_CANCEL; i++) hsession_send(s, req, on_done, &slots[i], &calls[i], NULL);
    hsession_request_free(req); /* sends keep what they need */
    /* Half the handles go first: their requests are cancelled, callbacks still run. */
    for (int i = 0; i < N_CANCEL / 2; i++) hsession_call_free(calls[i]);
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    double t = now_ms();
    hsession_free(s);
    CHECK(wait_finished(N_CANCEL, 3000), "only %d callbacks after hsession_free", atomic_load(&finished));
    printf("freed a session with %d requests in flight: all callbacks within %.1f ms\n", N_CANCEL, now_ms() - t);
    for (int i = 0; i < N_CANCEL; i++)
        CHECK(atomic_load(&slots[i].runs) == 1 && atomic_load(&slots[i].result) == HSESSION_CANCELLED,
              "call %d: runs %d result %d", i, atomic_load(&slots[i].runs), atomic_load(&slots[i].result));
    for (int i = N_CANCEL / 2; i < N_CANCEL; i++) {
        CHECK(hsession_call_status(calls[i]) == HSESSION_CANCELLED, "status %d", i);
        hsession_call_free(calls[i]);
    }
}

/* ---- blocking call cancelled through a token ---- */
static hsession_cancel_token *token;

static void *cancel_token_later(void *arg) {
    (void)arg;
    struct timespec ts = {0, 150000000};
    nanosleep(&ts, NULL);
    hsession_cancel_token_cancel(token);
    return NULL;
}

static void blocking_call_with_token(hsession *s) {
    CHECK_RC(hsession_cancel_token_new(&token), HSESSION_OK, NULL);
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/delay/5000"), &req, NULL);
    CHECK_RC(hsession_request_set_cancel_token(req, token), HSESSION_OK, NULL);
    pthread_t th;
    pthread_create(&th, NULL, cancel_token_later, NULL);
    double t = now_ms();
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    hsession_result rc = hsession_request(s, req, &resp, &err);
    double took = now_ms() - t;
    pthread_join(th, NULL);
    CHECK_RC(rc, HSESSION_CANCELLED, err);
    CHECK(resp == NULL, "response on cancel");
    CHECK(took < 400 * time_scale(), "blocking call cancelled after %.0f ms", took);
    CHECK(hsession_cancel_token_is_cancelled(token) == 1, "token state");
    hsession_error_free(err);
    hsession_cancel_token_free(token); /* the request keeps its share */
    err = NULL;
    CHECK_RC(hsession_request(s, req, &resp, &err), HSESSION_CANCELLED, err);
    hsession_error_free(err);
    hsession_request_free(req);
}

static void wait_and_take(hsession *s) {
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/delay/100"), &req, NULL);
    hsession_call *call = NULL;
    CHECK_RC(hsession_send(s, req, NULL, NULL, &call, NULL), HSESSION_OK, NULL);
    hsession_response *resp = NULL;
    CHECK(hsession_call_take(call, &resp, NULL) == HSESSION_PENDING, "take while in flight");
    CHECK(hsession_call_status(call) == HSESSION_PENDING, "status while in flight");
    CHECK_RC(hsession_call_wait(call, &resp, NULL), HSESSION_OK, NULL);
    CHECK(hsession_response_status(resp) == 200, "status %u", hsession_response_status(resp));
    hsession_response *again = NULL;
    CHECK(hsession_call_wait(call, &again, NULL) == HSESSION_NOT_FOUND && again == NULL, "second take");
    hsession_response_free(resp);
    hsession_call_free(call);
    hsession_request_free(req);
}

/* The first callback holds the callback thread until released, so later
 * calls are collected with wait before their callbacks run. */
static atomic_int hold;
static void on_done_held(void *user_data, hsession_call *call, hsession_result result) {
    (void)user_data;
    (void)call;
    (void)result;
    double end = now_ms() + 10000;
    while (atomic_load(&hold) && now_ms() < end) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

/* The outcome of a failed call stays after hsession_call_wait took it: the
 * callback and hsession_call_status still see the failure. */
static void outcome_after_wait(hsession *s) {
    char refused[64];
    snprintf(refused, sizeof refused, "http://127.0.0.1:%d/", free_port());
    struct { const char *url; int cancel; uint64_t total_ms; hsession_result want; } cases[] = {
        {refused, 0, 0, HSESSION_CONNECT},
        {URL("/delay/5000"), 1, 0, HSESSION_CANCELLED},
        {NULL, 0, 100, HSESSION_TIMEOUT},
    };
    char delayed[256];
    snprintf(delayed, sizeof delayed, "%s", URL("/delay/5000"));
    cases[1].url = delayed;
    cases[2].url = delayed;
    enum { N = sizeof cases / sizeof cases[0] };
    static slot slots[N];
    hsession_call *calls[N];
    atomic_store(&finished, 0);
    atomic_store(&hold, 1);
    hsession_request_builder *req = NULL;
    hsession_call *blocker = NULL;
    hsession_request_new("GET", URL("/get"), &req, NULL);
    CHECK_RC(hsession_send(s, req, on_done_held, NULL, &blocker, NULL), HSESSION_OK, NULL);
    hsession_request_free(req);
    for (int i = 0; i < N; i++) {
        req = NULL;
        CHECK_RC(hsession_request_new("GET", cases[i].url, &req, NULL), HSESSION_OK, NULL);
        if (cases[i].total_ms) hsession_request_set_total_timeout_ms(req, cases[i].total_ms);
        CHECK_RC(hsession_send(s, req, on_done, &slots[i], &calls[i], NULL), HSESSION_OK, NULL);
        hsession_request_free(req);
        if (cases[i].cancel) hsession_call_cancel(calls[i]);
        hsession_response *resp = NULL;
        hsession_result rc = hsession_call_wait(calls[i], &resp, NULL);
        CHECK(rc == cases[i].want, "case %d: wait gave %u, want %u", i, rc, cases[i].want);
        CHECK(hsession_call_status(calls[i]) == cases[i].want, "case %d: status after wait %u", i,
              hsession_call_status(calls[i]));
    }
    atomic_store(&hold, 0);
    CHECK(wait_finished(N, 10000), "only %d of %d callbacks ran", atomic_load(&finished), N);
    for (int i = 0; i < N; i++) {
        CHECK(atomic_load(&slots[i].result) == (int)cases[i].want, "case %d: callback got %d, want %u", i,
              atomic_load(&slots[i].result), cases[i].want);
        hsession_call_free(calls[i]);
    }
    hsession_call_free(blocker);
}

static void bad_input(hsession *s) {
    hsession_request_builder *req = NULL;
    hsession_request_new("GET", URL("/echo"), &req, NULL);
    hsession_call *call = NULL;
    hsession_response *resp = NULL;
    hsession_error *err = NULL;
    CHECK(hsession_send(NULL, req, NULL, NULL, &call, &err) == HSESSION_NULL_ARGUMENT, "send session");
    hsession_error_free(err);
    CHECK(hsession_send(s, NULL, NULL, NULL, &call, NULL) == HSESSION_NULL_ARGUMENT, "send request");
    CHECK(hsession_send(s, req, NULL, NULL, NULL, NULL) == HSESSION_NULL_ARGUMENT, "send out");
    CHECK(call == NULL, "call written on failure");
    CHECK(hsession_call_wait(NULL, &resp, NULL) == HSESSION_NULL_ARGUMENT, "wait NULL");
    CHECK(hsession_call_take(NULL, &resp, NULL) == HSESSION_NULL_ARGUMENT, "take NULL");
    CHECK(hsession_call_cancel(NULL) == HSESSION_NULL_ARGUMENT, "cancel NULL");
    CHECK(hsession_call_status(NULL) == HSESSION_NULL_ARGUMENT, "status NULL");
    hsession_call_free(NULL);
    CHECK(hsession_cancel_token_new(NULL) == HSESSION_NULL_ARGUMENT, "token out NULL");
    CHECK(hsession_cancel_token_cancel(NULL) == HSESSION_NULL_ARGUMENT, "token cancel NULL");
    CHECK(hsession_cancel_token_is_cancelled(NULL) == 0, "token state NULL");
    hsession_cancel_token_free(NULL);
    CHECK(hsession_request_set_cancel_token(req, NULL) == HSESSION_NULL_ARGUMENT, "set token NULL");
    CHECK(hsession_request_set_cancel_token(NULL, NULL) == HSESSION_NULL_ARGUMENT, "set token req NULL");
    CHECK(hsession_request_set_stream(NULL, 1) == HSESSION_NULL_ARGUMENT, "set stream NULL");
    CHECK_RC(hsession_send(s, req, NULL, NULL, &call, NULL), HSESSION_OK, NULL);
    CHECK(hsession_call_wait(call, NULL, NULL) == HSESSION_NULL_ARGUMENT, "wait out NULL");
    CHECK_RC(hsession_call_wait(call, &resp, NULL), HSESSION_OK, NULL); /* the failed wait took nothing */
    hsession_response_free(resp);
    hsession_call_free(call);
    hsession_request_free(req);
}

int main(void) {
    server_start(&srv);
    hsession *s = NULL;
    CHECK_RC(hsession_new(&s, NULL), HSESSION_OK, NULL);
    thousand_in_flight(s);
    cancel_from_another_thread(s);
    free_while_in_flight();
    blocking_call_with_token(s);
    wait_and_take(s);
    outcome_after_wait(s);
    bad_input(s);
    hsession_free(s);
    server_stop(&srv);
    return finish("test_async");
}
