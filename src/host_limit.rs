//! The cap on connections per host (curl's CURLMOPT_MAX_HOST_CONNECTIONS,
//! Go's MaxConnsPerHost, requests' pool_maxsize with pool_block): at most
//! `max` requests to one origin hold a connection at a time; the others wait
//! for one to come free, as long as the connect timeout allows.
//!
//! A request takes a permit for its origin before it is sent and keeps it
//! until its body has been read (or its stream is dropped): over HTTP/1 that
//! is the time it holds a connection. An HTTP/2 response gives the permit
//! back with its head, since its streams share one connection. The pool
//! then keeps at most `max` idle connections per host, and the connector
//! finishes no connect that its request has stopped waiting for (hyper
//! would finish it in the background and pool a connection beyond the cap).

use crate::error::{Error, ErrorKind, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A request's hold on one of its origin's connections.
#[derive(Clone)]
pub(crate) struct HostPermit(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

pub(crate) struct HostLimiter {
    max: usize,
    origins: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimiter {
    pub(crate) fn new(max: usize) -> HostLimiter {
        HostLimiter {
            max,
            origins: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free connection to `url`'s origin, at most `wait`.
    pub(crate) async fn acquire(
        &self,
        url: &url::Url,
        wait: Option<Duration>,
    ) -> Result<HostPermit> {
        let origin = url.origin().ascii_serialization();
        let slots = {
            let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
            // Origins nobody is using go, so the map stays as small as the
            // set of hosts in use.
            if origins.len() > 256 {
                let max = self.max;
                origins.retain(|_, s| s.available_permits() < max);
            }
            origins
                .entry(origin.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(self.max)))
                .clone()
        };
        let acquired = match wait {
            None => Ok(slots.acquire_owned().await),
            Some(limit) => tokio::time::timeout(limit, slots.acquire_owned()).await,
        };
        match acquired {
            Ok(Ok(permit)) => Ok(HostPermit(Arc::new(permit))),
            // The semaphore is never closed.
            Ok(Err(_)) => Err(Error::new(ErrorKind::Internal, "the host limiter closed")),
            Err(_) => Err(Error::new(
                ErrorKind::ConnectTimeout,
                format!(
                    "no connection to {origin} came free within the connect timeout of {} ms \
                     (at most {} connections per host)",
                    wait.map_or(0, |w| w.as_millis()),
                    self.max
                ),
            )),
        }
    }
}
