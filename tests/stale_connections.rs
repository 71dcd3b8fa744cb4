//! Pooled connections the server closes under concurrent requests: a
//! server that closes after every response without `Connection: close`
//! leaves each pooled connection dead by the time it is reused, and every
//! idempotent request that lands on one must be sent again on another
//! connection without the caller seeing an error. Prints its counts.

mod common;
use hsession::Session;
use hsession_testserver::{Fault, FaultServer};

const THREADS: usize = 8;
const PER_THREAD: usize = 250;

#[test]
fn eight_threads_see_no_error_from_a_server_closing_after_every_response() {
    let srv = FaultServer::start(Fault::CloseIdleAfter(0));
    let url = srv.url("/");
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    let errors = common::load(&s, &url, THREADS, PER_THREAD, |resp| {
        resp.status() == 200 && resp.body()[..] == b"ok"[..]
    });
    common::expect_no_errors(
        &format!("close after every response, {THREADS} threads"),
        &s,
        THREADS * PER_THREAD,
        &errors,
    );
}
