//! The cancellation sources of one request: its own call (non-blocking
//! sends; a child of the session's token, so freeing the session cancels
//! it) and the caller's token. A blocking send has no call token: it cannot
//! outlive the session it borrows, and waiting on the session's one token
//! from every request would make every thread queue on that token's lock.

use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub(crate) struct Cancels {
    pub call: Option<CancellationToken>,
    pub user: Option<CancellationToken>,
}

async fn maybe(token: &Option<CancellationToken>) {
    match token {
        Some(t) => t.cancelled().await,
        None => std::future::pending().await,
    }
}

impl Cancels {
    /// Completes when any source is cancelled.
    pub async fn cancelled(&self) {
        tokio::select! {
            _ = maybe(&self.call) => {}
            _ = maybe(&self.user) => {}
        }
    }
}
