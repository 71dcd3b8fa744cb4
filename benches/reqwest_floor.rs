//! The floor hsession's request path is measured against: bare reqwest,
//! configured as hsession configures it (no redirects, no zstd), driven by
//! the calling thread through a current-thread runtime, with nothing of
//! hsession around it. Prints the lines `make bench` prints for hsession
//! and libcurl, in the same format, against the same server.
//!
//! Usage: reqwest_floor BASE_URL [REQUESTS] [THREADS]
//!        reqwest_floor --loop BASE_URL N   (N sequential GETs and nothing
//!        else: the loop `make bench-instructions` counts under callgrind)
use std::sync::Arc;
use std::time::Instant;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_zstd()
        .build()
        .expect("client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn get(c: &reqwest::Client, url: &str) -> bool {
    match c.get(url).send().await {
        Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// Process CPU time (user + system) in seconds.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the
    // 14th field of the line, stime the 15th, in clock ticks (100/s here).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn report(what: &str, n: usize, wall: f64, cpu: f64) {
    println!(
        "{what:<44} {n:>8} req  {:>8.1} us/req wall  {:>8.1} us/req CPU  {:>9.0} req/s",
        wall * 1e6 / n as f64,
        cpu * 1e6 / n as f64,
        n as f64 / wall
    );
}

fn main() {
    // `cargo bench` adds a --bench argument.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--loop") {
        let url = format!("{}/bytes/100", args[1]);
        let n: usize = args[2].parse().expect("N");
        let (rt, c) = (runtime(), client());
        let ok = (0..n).filter(|_| rt.block_on(get(&c, &url))).count();
        std::process::exit(if ok == n { 0 } else { 1 });
    }
    let Some(base) = args.first() else {
        eprintln!("usage: reqwest_floor BASE_URL [REQUESTS] [THREADS]");
        std::process::exit(2);
    };
    let url = Arc::new(format!("{base}/bytes/100"));
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let threads: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(8);
    let rt = Arc::new(runtime());
    let c = client();
    let mut failed = 0;
    // Warm-up: connections, allocator.
    failed += (0..200).filter(|_| !rt.block_on(get(&c, &url))).count();

    let (w, t) = (Instant::now(), cpu());
    failed += (0..n).filter(|_| !rt.block_on(get(&c, &url))).count();
    report(
        "reqwest floor, sequential, block_on",
        n,
        w.elapsed().as_secs_f64(),
        cpu() - t,
    );

    let (w, t) = (Instant::now(), cpu());
    let per = n / threads;
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (rt, c, url) = (rt.clone(), c.clone(), url.clone());
            std::thread::spawn(move || (0..per).filter(|_| !rt.block_on(get(&c, &url))).count())
        })
        .collect();
    failed += workers
        .into_iter()
        .map(|h| h.join().unwrap_or(per))
        .sum::<usize>();
    report(
        &format!("reqwest floor, {threads} threads, one runtime"),
        per * threads,
        w.elapsed().as_secs_f64(),
        cpu() - t,
    );

    for k in [8usize, 256] {
        let (w, t) = (Instant::now(), cpu());
        let bad = rt.block_on(async {
            let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let tasks: Vec<_> = (0..k)
                .map(|_| {
                    let (c, url, next) = (c.clone(), url.clone(), next.clone());
                    tokio::spawn(async move {
                        let mut bad = 0;
                        while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                            bad += usize::from(!get(&c, &url).await);
                        }
                        bad
                    })
                })
                .collect();
            let mut bad = 0;
            for t in tasks {
                bad += t.await.unwrap_or(1);
            }
            bad
        });
        failed += bad;
        report(
            &format!("reqwest floor, {k} tasks in flight"),
            n,
            w.elapsed().as_secs_f64(),
            cpu() - t,
        );
    }
    if failed > 0 {
        eprintln!("{failed} requests failed");
        std::process::exit(1);
    }
}
