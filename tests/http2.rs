//! HTTP/2 over TLS against nginx. Closing each connection gracefully (a
//! GOAWAY) after 5 requests (`keepalive_requests 5`) under 8 concurrent
//! threads: streams the server refused unprocessed are sent again on a new
//! connection, and the caller sees no error; curl runs the same load
//! against the same nginx for the connection count (printed). A pooled
//! connection that silently stops answering: keep-alive pings find it.
//! Skipped where nginx is missing (.ci/run installs it).

mod common;
use hsession::{ErrorKind, Request, Session};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const THREADS: usize = 8;
const PER_THREAD: usize = 250;

/// An nginx process with its own prefix directory, ended by its PID.
struct Nginx {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Nginx {
    fn start(ca: &hsession_testserver::TestCa, keepalive_requests: u32) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir =
            std::env::temp_dir().join(format!("hsession-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(dir.join("logs")).unwrap();
        let leaf = ca.server_cert(&["localhost", "127.0.0.1"]).unwrap();
        std::fs::write(dir.join("cert.pem"), leaf.cert).unwrap();
        std::fs::write(dir.join("key.pem"), leaf.key).unwrap();
        // `listen ... http2`: nginx before 1.25 has no `http2 on`.
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/logs/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  log_format conns '$connection';\n  access_log {d}/logs/access.log conns;\n\
             client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n\
             uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n\
             server {{\n    listen 127.0.0.1:{port} ssl http2;\n\
             ssl_certificate {d}/cert.pem;\n    ssl_certificate_key {d}/key.pem;\n\
             keepalive_requests {keepalive_requests};\n    location / {{ return 200 \"ok\"; }}\n  }}\n}}\n",
            d = dir.display()
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Nginx::spawn(&dir, port);
        Nginx { child, dir, port }
    }

    fn spawn(dir: &std::path::Path, port: u16) -> Child {
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let end = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "nginx did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    /// Stops nginx (its connections die with it) and starts it again on
    /// the same port.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Nginx::spawn(&self.dir, self.port);
    }

    /// Distinct connections in the access log since the last call.
    fn connections_logged(&self, seen: &mut usize) -> usize {
        let log = std::fs::read_to_string(self.dir.join("logs/access.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let fresh: std::collections::HashSet<&str> = lines[*seen..].iter().copied().collect();
        *seen = lines.len();
        fresh.len()
    }
}

/// nginx serving HTTP/2 over TLS with a certificate of a new test CA, and
/// the CA's file; None (the test is skipped, and says so) without nginx.
fn nginx_with_ca(ca_name: &str, keepalive_requests: u32) -> Option<(Nginx, std::path::PathBuf)> {
    if Command::new("nginx").arg("-v").output().is_err() {
        eprintln!("SKIPPED: nginx is needed (apt-get install nginx)");
        return None;
    }
    let ca = hsession_testserver::TestCa::new(ca_name).unwrap();
    let nginx = Nginx::start(&ca, keepalive_requests);
    let ca_file = nginx.dir.join("ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    Some((nginx, ca_file))
}

#[test]
fn goaway_every_5_requests_under_8_threads_is_invisible() {
    let Some((nginx, ca_file)) = nginx_with_ca("hsession h2 test CA", 5) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/", nginx.port);

    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    s.set_ca_file(Some(&ca_file)).unwrap();
    let errors = common::load(&s, &url, THREADS, PER_THREAD, |r| {
        r.status() == 200 && r.version() == "HTTP/2"
    });
    let mut seen = 0;
    let ours = nginx.connections_logged(&mut seen);

    // curl, 8 transfers in parallel over HTTP/2, the same number of GETs.
    let list = nginx.dir.join("curl.txt");
    let lines: String = (0..THREADS * PER_THREAD)
        .map(|_| format!("url = \"{url}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(&list, lines).unwrap();
    let curl = Command::new("curl")
        .args([
            "-s",
            "--http2",
            "--parallel",
            "--parallel-max",
            "8",
            "--cacert",
        ])
        .arg(&ca_file)
        .arg("-K")
        .arg(&list)
        .status();
    let theirs = match curl {
        Ok(st) if st.success() => Some(nginx.connections_logged(&mut seen)),
        _ => None,
    };
    println!(
        "h2 GOAWAY every 5 requests: {} GETs on {THREADS} threads, {} errors, \
         {ours} connections (curl: {theirs:?})",
        THREADS * PER_THREAD,
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {}",
        errors.len(),
        errors[0]
    );
    if let Some(theirs) = theirs {
        assert!(ours <= 2 * theirs, "{ours} connections, curl {theirs}");
    }
}

/// A TCP relay to `upstream` that can black-hole the connections it has
/// (their bytes are read and dropped) while new ones still pass: a pooled
/// connection whose peer silently went away.
struct Relay {
    port: u16,
    /// Connections numbered below this are frozen.
    frozen_below: Arc<AtomicU64>,
    next: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn start(upstream: u16) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = Relay {
            port,
            frozen_below: Arc::new(AtomicU64::new(0)),
            next: Arc::new(AtomicU64::new(0)),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (frozen, next, stop) = (
            relay.frozen_below.clone(),
            relay.next.clone(),
            relay.stop.clone(),
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let id = next.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let _ = client.set_nonblocking(false);
                for (from, to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    let (frozen, stop) = (frozen.clone(), stop.clone());
                    std::thread::spawn(move || pipe(from, to, id, &frozen, &stop));
                }
            }
        });
        relay
    }

    fn freeze_existing(&self) {
        self.frozen_below
            .store(self.next.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream, id: u64, frozen: &AtomicU64, stop: &AtomicBool) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 16384];
    while !stop.load(Ordering::Relaxed) {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) if id >= frozen.load(Ordering::SeqCst) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Ok(_) => {} // frozen: dropped
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

#[test]
fn keep_alive_pings_find_a_dead_pooled_connection_in_seconds() {
    let Some((nginx, ca_file)) = nginx_with_ca("hsession h2 ping CA", 1000) else {
        return;
    };
    let relay = Relay::start(nginx.port);
    let url = format!("https://127.0.0.1:{}/", relay.port);
    let request = || {
        let mut r = Request::new("GET", &url).unwrap();
        r.total_timeout(Some(Duration::from_secs(6)));
        r
    };
    for pings in [true, false] {
        let s = Session::new().unwrap();
        s.set_trust_env(false).unwrap();
        s.set_ca_file(Some(&ca_file)).unwrap();
        if pings {
            s.set_http2_keep_alive(Some((
                Duration::from_millis(300),
                Duration::from_millis(700),
            )))
            .unwrap();
        }
        assert_eq!(s.send(&request()).unwrap().version(), "HTTP/2");
        relay.freeze_existing();
        let result = s.send(&request());
        if pings {
            let resp = result.unwrap_or_else(|e| panic!("with pings: {e}"));
            assert_eq!(resp.status(), 200);
            assert_eq!(s.connections_opened(), 2);
        } else {
            // Without pings the request waits on the dead connection.
            assert_eq!(result.unwrap_err().kind(), ErrorKind::Timeout);
        }
    }
    let s = Session::new().unwrap();
    assert_eq!(
        s.set_http2_keep_alive(Some((Duration::ZERO, Duration::from_secs(1))))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn a_stream_refused_unprocessed_is_sent_again_for_any_method() {
    // REFUSED_STREAM (RFC 9113 8.7): the server did not process the
    // request, so even a POST may go again. Not nginx: a server that
    // refuses the first stream of every connection. (hyper-util already
    // resends this case itself; hsession's own resend of unprocessed
    // streams is what the GOAWAY load test above needs.)
    let ca = hsession_testserver::TestCa::new("hsession h2 refuse CA").unwrap();
    let opts =
        hsession_testserver::TlsOptions::new(ca.server_cert(&["localhost", "127.0.0.1"]).unwrap());
    let srv = hsession_testserver::H2Server::start(
        hsession_testserver::H2Fault::RefuseFirstStream,
        &opts,
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("hsession-h2-refuse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    s.set_ca_file(Some(&ca_file)).unwrap();
    for method in ["POST", "GET", "PATCH"] {
        let mut req = Request::new(method, &srv.url("/")).unwrap();
        req.body(&b"payload"[..]);
        let resp = s.send(&req).unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(resp.status(), 200, "{method}");
        assert_eq!(resp.version(), "HTTP/2");
    }
    assert_eq!(srv.refused(), 1, "one connection, its first stream refused");
    assert_eq!(srv.answered(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_restart_costs_about_one_connection_per_concurrent_request() {
    let Some((mut nginx, ca_file)) = nginx_with_ca("hsession h2 restart CA", 100_000) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/", nginx.port);
    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    s.set_ca_file(Some(&ca_file)).unwrap();
    let run = |seconds: u64| -> usize {
        let end = Instant::now() + Duration::from_secs(seconds);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        let mut errors = 0;
                        // Bounded: at most 100,000 requests a thread.
                        for _ in 0..100_000 {
                            if Instant::now() >= end {
                                break;
                            }
                            if s.send(&Request::new("GET", &url).unwrap()).is_err() {
                                errors += 1;
                            }
                        }
                        errors
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        })
    };
    run(1);
    let before = s.connections_opened();
    nginx.restart();
    let errors = run(3);
    let after = s.connections_opened() - before;
    println!(
        "h2 server restart under {THREADS} threads: {after} connections opened in the 3 s after, \
         {errors} errors, {} requests in all",
        s.requests_sent()
    );
    assert!(
        after <= 2 * THREADS as u64,
        "{after} connections after the restart"
    );
}
