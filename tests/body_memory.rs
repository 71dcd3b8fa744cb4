//! Peak memory while a decompression bomb meets the body limit, measured by
//! a counting global allocator. The only test of its binary, so nothing else
//! allocates at the same time (except the test server, which is counted too
//! and allocates about 1.1 MiB per bomb it compresses).

mod common;
use common::*;
use hsession::{ErrorKind, Request, Session};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Relaxed);
        System.dealloc(p, layout)
    }
}

#[global_allocator]
static A: Counting = Counting;

const MIB: usize = 1 << 20;

/// Bytes allocated at the peak of `f`, above what was allocated before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = NOW.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed) - base)
}

#[test]
fn a_gzip_bomb_is_stopped_with_bounded_memory() {
    let srv = TestServer::start();
    let s = Session::new().unwrap();
    let url = srv.url("/gzip-bomb/32");
    // Warm up: runtime, pool, TLS-free client state.
    s.set_max_body_size(Some(1));
    let _ = s.send(&Request::new("GET", &url).unwrap());

    s.set_max_body_size(None);
    let (whole, unlimited) = peak_of(|| s.send(&Request::new("GET", &url).unwrap()).unwrap());
    assert_eq!(whole.body().len(), 32 * MIB);
    drop(whole);

    s.set_max_body_size(Some(MIB as u64));
    let (res, limited) = peak_of(|| s.send(&Request::new("GET", &url).unwrap()));
    assert_eq!(res.unwrap_err().kind(), ErrorKind::BodyTooLarge);
    println!(
        "peak allocation: {:.1} MiB without a limit, {:.1} MiB with a 1 MiB limit",
        unlimited as f64 / MIB as f64,
        limited as f64 / MIB as f64
    );
    assert!(unlimited >= 32 * MIB, "{unlimited}");
    assert!(limited < 5 * MIB, "{limited} bytes at the peak");
}
