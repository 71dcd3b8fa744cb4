//! The cookie jar under a flood: 60 responses of 50 Set-Cookie each from
//! IP hosts fill it to its 3000 limit, then every insert evicts. Prints the
//! time per stored cookie and the time to build one Cookie header while
//! the jar is full. `cargo bench --bench cookie_flood`
use std::time::Instant;

fn main() {
    let jar = hsession::cookies::Jar::default();
    let flood = |round: u32| {
        let start = Instant::now();
        for host in 0..60u32 {
            let url = url::Url::parse(&format!("http://10.{round}.0.{host}/")).unwrap();
            let values: Vec<_> = (0..50)
                .map(|i| reqwest::header::HeaderValue::try_from(format!("f{i}=x")).unwrap())
                .collect();
            jar.store(values.iter(), &url);
        }
        start.elapsed()
    };
    let fill = flood(0);
    let full = flood(1);
    let header_url = url::Url::parse("http://10.1.0.7/").unwrap();
    let start = Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(jar.header_for(&header_url));
    }
    let header = start.elapsed() / 1000;
    println!(
        "cookie flood: 3000 cookies into an empty jar {:.1} ms ({:.2} us each); \
         3000 more into the full jar {:.1} ms ({:.2} us each, one eviction each); \
         Cookie header with the jar full {:.2} us; jar {} cookies",
        fill.as_secs_f64() * 1e3,
        fill.as_secs_f64() * 1e6 / 3000.0,
        full.as_secs_f64() * 1e3,
        full.as_secs_f64() * 1e6 / 3000.0,
        header.as_secs_f64() * 1e6,
        jar.len()
    );
}
