//! An HTTP/2 server over TLS (ALPN h2) that misbehaves on purpose, built
//! on the h2 crate so that it can do what a correct server does only under
//! load: refuse a stream unprocessed. Binds 127.0.0.1; stops when dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

use crate::tls::{server_config, TlsOptions};

/// What the server does with the streams of each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H2Fault {
    /// The first stream of each connection is reset with REFUSED_STREAM
    /// (never processed); the others get 200 "ok".
    RefuseFirstStream,
}

pub struct H2Server {
    addr: SocketAddr,
    answered: Arc<AtomicU64>,
    refused: Arc<AtomicU64>,
    runtime: Option<Runtime>,
}

impl H2Server {
    pub fn start(fault: H2Fault, opts: &TlsOptions) -> io::Result<H2Server> {
        let mut config = (*server_config(opts)?).clone();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hsession-h2-testserver")
            .enable_all()
            .build()?;
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let answered = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let (a, r) = (answered.clone(), refused.clone());
        runtime.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let (acceptor, a, r) = (acceptor.clone(), a.clone(), r.clone());
                tokio::spawn(async move {
                    let _ = serve(acceptor, tcp, fault, &a, &r).await;
                });
            }
        });
        Ok(H2Server {
            addr,
            answered,
            refused,
            runtime: Some(runtime),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{}", self.addr, path)
    }

    /// Streams answered with a response.
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::SeqCst)
    }

    /// Streams refused unprocessed.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }
}

impl Drop for H2Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn serve(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: tokio::net::TcpStream,
    fault: H2Fault,
    answered: &AtomicU64,
    refused: &AtomicU64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let tls = acceptor.accept(tcp).await?;
    let mut conn = h2::server::handshake(tls).await?;
    let mut streams = 0u64;
    while let Some(stream) = conn.accept().await {
        let (_request, mut respond) = stream?;
        streams += 1;
        match fault {
            H2Fault::RefuseFirstStream if streams == 1 => {
                respond.send_reset(h2::Reason::REFUSED_STREAM);
                refused.fetch_add(1, Ordering::SeqCst);
            }
            H2Fault::RefuseFirstStream => {
                let head = hyper::Response::builder().status(200).body(())?;
                let mut body = respond.send_response(head, false)?;
                body.send_data(Bytes::from_static(b"ok"), true)?;
                answered.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    Ok(())
}
