//! `hsession-testserver [--port N] [--exit-on-stdin-eof] [TLS options]`
//!
//! TLS (HTTPS on the same endpoints): `--tls-cert F --tls-key F` (PEM),
//! optionally `--tls-client-ca F` to require client certificates from that
//! CA; or `--tls-self-signed DIR` to make a new CA and certificates and write
//! them to DIR (ca.pem, cert.pem, key.pem, client.pem, client-key.pem), then
//! serve with cert.pem and require no client certificate unless
//! `--tls-client-ca` is also given.
//!
//! Prints `PORT=<port>` once, then serves until killed. With `--exit-on-stdin-eof` it also
//! exits when stdin closes, so a parent test process that dies takes the server with it.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use hsession_testserver::{tls, CertPem, TestServer, TlsOptions};

const USAGE: &str = "usage: hsession-testserver [--port N] [--exit-on-stdin-eof] \
[--tls-cert F --tls-key F | --tls-self-signed DIR] [--tls-client-ca F]";

fn path_arg(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, ExitCode> {
    args.next().ok_or_else(|| {
        eprintln!("{flag} needs a path\n{USAGE}");
        ExitCode::from(2)
    })
}

fn read(path: &str) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("hsession-testserver: cannot read {path}: {e}");
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let mut port: u16 = 0;
    let mut exit_on_stdin_eof = false;
    let (mut cert, mut key, mut client_ca, mut self_signed) = (None, None, None, None);
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
            "--tls-cert" | "--tls-key" | "--tls-client-ca" | "--tls-self-signed" => {
                let value = match path_arg(&mut args, &arg) {
                    Ok(v) => v,
                    Err(code) => return code,
                };
                let slot = match arg.as_str() {
                    "--tls-cert" => &mut cert,
                    "--tls-key" => &mut key,
                    "--tls-client-ca" => &mut client_ca,
                    _ => &mut self_signed,
                };
                *slot = Some(value);
            }
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

    let identity = match (cert, key, self_signed) {
        (None, None, None) => None,
        (None, None, Some(dir)) => match tls::write_self_signed(std::path::Path::new(&dir)) {
            Ok(identity) => Some(identity),
            Err(e) => {
                eprintln!("hsession-testserver: cannot write certificates to {dir}: {e}");
                return ExitCode::FAILURE;
            }
        },
        (Some(cert), Some(key), None) => match (read(&cert), read(&key)) {
            (Ok(cert), Ok(key)) => Some(CertPem { cert, key }),
            (Err(code), _) | (_, Err(code)) => return code,
        },
        _ => {
            eprintln!(
                "give --tls-cert and --tls-key together, or --tls-self-signed alone\n{USAGE}"
            );
            return ExitCode::from(2);
        }
    };
    let tls_options = match identity {
        None => None,
        Some(identity) => {
            let mut opts = TlsOptions::new(identity);
            if let Some(ca) = &client_ca {
                match read(ca) {
                    Ok(pem) => opts.client_ca = Some(pem),
                    Err(code) => return code,
                }
            }
            Some(opts)
        }
    };
    let server = match TestServer::start_with(port, tls_options.as_ref()) {
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
