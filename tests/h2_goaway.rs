//! HTTP/2 over TLS against nginx closing each connection gracefully (a
//! GOAWAY) after 5 requests (`keepalive_requests 5`), under 8 concurrent
//! threads: streams the server refused unprocessed are sent again on a
//! new connection, and the caller sees no error. curl runs the same load
//! against the same nginx for the connection count. Prints its counts.
//! Skipped where nginx is missing (.ci/run installs it).

use hsession::{Request, Session};
use std::process::{Child, Command, Stdio};
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
    fn start(ca: &hsession_testserver::TestCa) -> Nginx {
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
             keepalive_requests 5;\n    location / {{ return 200 \"ok\"; }}\n  }}\n}}\n",
            d = dir.display()
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
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
        Nginx { child, dir, port }
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

#[test]
fn goaway_every_5_requests_under_8_threads_is_invisible() {
    if Command::new("nginx").arg("-v").output().is_err() {
        eprintln!("SKIPPED: nginx is needed (apt-get install nginx)");
        return;
    }
    let ca = hsession_testserver::TestCa::new("hsession h2 test CA").unwrap();
    let nginx = Nginx::start(&ca);
    let ca_file = nginx.dir.join("ca.pem");
    std::fs::write(&ca_file, ca.cert_pem()).unwrap();
    let url = format!("https://127.0.0.1:{}/", nginx.port);

    let s = Session::new().unwrap();
    s.set_trust_env(false).unwrap();
    s.set_ca_file(Some(&ca_file)).unwrap();
    let errors: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    let mut errors = Vec::new();
                    for _ in 0..PER_THREAD {
                        match s.send(&Request::new("GET", &url).unwrap()) {
                            Ok(r) if r.status() == 200 && r.version() == "HTTP/2" => {}
                            Ok(r) => errors.push(format!("{} {}", r.status(), r.version())),
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                    errors
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
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
