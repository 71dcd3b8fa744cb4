//! `hsession-testserver [--port N] [--exit-on-stdin-eof]`
//!
//! Prints `PORT=<port>` once, then serves until killed. With `--exit-on-stdin-eof` it also
//! exits when stdin closes, so a parent test process that dies takes the server with it.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use hsession_testserver::TestServer;

const USAGE: &str = "usage: hsession-testserver [--port N] [--exit-on-stdin-eof]";

fn main() -> ExitCode {
    let mut port: u16 = 0;
    let mut exit_on_stdin_eof = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => {
                    eprintln!("--port needs a number 0..=65535\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--exit-on-stdin-eof" => exit_on_stdin_eof = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    let server = match TestServer::start_on(port) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("hsession-testserver: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = io::stdout().lock();
    if writeln!(stdout, "PORT={}", server.port())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);

    if exit_on_stdin_eof {
        // Read and discard until EOF (or a read error, which also means the parent is gone).
        let mut buf = [0u8; 1024];
        let mut stdin = io::stdin().lock();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        return ExitCode::SUCCESS;
    }
    // SIGTERM/SIGINT keep their default action (terminate), so just wait forever.
    loop {
        std::thread::park();
    }
}
