//! Per-exchange timings and connection facts, measured where things happen:
//! the connector (connect start and end), a DNS resolver around the system's
//! (name lookup), the TLS session store and key schedule (handshake start,
//! version, cipher suite), and the send engine (handed to the pool, response
//! head, body complete).
//!
//! reqwest's connector type cannot be wrapped (its layers must return its
//! own `Conn`), so what must outlive one request per connection (when it was
//! last used, its TLS parameters) lives in [`ConnTable`], keyed by the
//! connection's addresses, with one atomic word per slot: no lock and no
//! allocation per request.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// When each phase of one exchange (one redirect hop) ended, as offsets from
/// the start of that hop (the request's start for the first hop), in order:
/// `queued` ≤ `dns` ≤ `connect` ≤ `tls` ≤ `first_byte` ≤ `total`. A phase
/// that did not happen (no DNS for an IP address, no connect and no TLS on a
/// reused connection, no TLS over http) ends where the one before it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Handed to the connection pool: after the body was prepared, a wait
    /// for a free connection under a per-host cap, and any retries of the hop
    /// (with their back-off).
    pub queued: Duration,
    /// The host name resolved.
    pub dns: Duration,
    /// TCP connected (the proxy's connection when one is used).
    pub connect: Duration,
    /// TLS handshake done.
    pub tls: Duration,
    /// The response head received (status line and headers parsed; hyper
    /// does not report the first byte on its own).
    pub first_byte: Duration,
    /// The body received to its end (the head, for a streamed response).
    pub total: Duration,
    /// Facts about the connection that carried the exchange.
    pub connection: ConnectionInfo,
}

/// The connection that carried one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionInfo {
    /// Taken from the pool rather than opened for this exchange.
    pub reused: bool,
    /// For a reused connection: how long it had been unused (since its
    /// previous response), when known.
    pub idle: Option<Duration>,
    pub local_addr: Option<SocketAddr>,
    pub remote_addr: Option<SocketAddr>,
    /// "HTTP/1.1", "HTTP/2", ...; empty when unknown.
    pub http_version: &'static str,
    /// "TLSv1.2" or "TLSv1.3"; `None` over plain HTTP.
    pub tls_version: Option<&'static str>,
    /// The IANA name of the cipher suite, e.g. "TLS13_AES_256_GCM_SHA384".
    pub tls_cipher: Option<&'static str>,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            queued: Duration::ZERO,
            dns: Duration::ZERO,
            connect: Duration::ZERO,
            tls: Duration::ZERO,
            first_byte: Duration::ZERO,
            total: Duration::ZERO,
            connection: ConnectionInfo::default(),
        }
    }
}

/// What one attempt observed, turned into [`Timings`] when the hop ends.
/// Kept small (it lives in the request's future until then): the phases as
/// microseconds after `queued`, the connection's addresses, and codes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    pub queued: Instant,
    /// DNS, connect, TLS (0 = did not happen) and head, µs after `queued`.
    pub us: [u32; 4],
    /// µs a reused connection had been idle; `u32::MAX` unknown.
    pub idle_us: u32,
    pub reused: bool,
    /// The connection's TLS suite number (`tls_hooks`; 0 = none or unknown).
    pub suite: u8,
    pub addrs: Option<(SocketAddr, SocketAddr)>,
    pub http_version: &'static str,
}

fn us_after(t: Instant, base: Instant) -> u32 {
    // At least 1, so a phase that happened is told from one that did not.
    (t.saturating_duration_since(base)
        .as_micros()
        .min(u128::from(u32::MAX - 1)) as u32)
        .max(1)
}

impl Marks {
    /// What the response head says of its exchange, sent at `queued`:
    /// `before` is the request's count of connections opened and the
    /// session's, taken before sending. The probe's locks are taken only
    /// when a connection was opened meanwhile (by anyone).
    pub(crate) fn observe(
        counters: &crate::connector::Counters,
        probe: &crate::connector::ConnectProbe,
        before: (usize, u64),
        queued: Instant,
        resp: &reqwest::Response,
    ) -> Marks {
        let head = Instant::now();
        let mut marks = Marks {
            queued,
            us: [0, 0, 0, us_after(head, queued)],
            idle_us: u32::MAX,
            reused: false,
            suite: 0,
            addrs: addrs_of(resp),
            http_version: crate::response::version_str(resp.version()),
        };
        let Some((local, remote)) = marks.addrs else {
            return marks;
        };
        let opened = counters.connections.load(Ordering::Relaxed) != before.1
            && probe.opened_since(before.0, local);
        if opened {
            let phases = *probe.phases.lock().unwrap_or_else(|e| e.into_inner());
            let (_, connected) = *probe.times.lock().unwrap_or_else(|e| e.into_inner());
            let at = |t: Option<Instant>| t.map_or(0, |t| us_after(t, queued));
            marks.us[0] = at(phases.dns_end);
            match phases.tls_start {
                Some(tls_start) => {
                    marks.us[1] = at(Some(tls_start));
                    marks.us[2] = at(connected);
                }
                None => marks.us[1] = at(connected),
            }
            marks.suite = phases.tls_suite.unwrap_or(0);
        } else {
            marks.reused = true;
            if let Some((last_used, suite)) = counters.conns.get(local, remote) {
                marks.idle_us = queued
                    .saturating_duration_since(last_used)
                    .as_micros()
                    .min(u128::from(u32::MAX - 1)) as u32;
                marks.suite = suite;
            }
        }
        marks
    }

    /// When the response head arrived.
    pub(crate) fn head(&self) -> Instant {
        self.queued + Duration::from_micros(u64::from(self.us[3]))
    }

    /// Offsets from `hop_start`, each phase no earlier than the one before;
    /// notes the connection's last use.
    pub(crate) fn finish(&self, hop_start: Instant, end: Instant, conns: &ConnTable) -> Timings {
        if let Some((local, remote)) = self.addrs {
            conns.touch(local, remote, self.suite, end);
        }
        let queued = self.queued.saturating_duration_since(hop_start);
        let after = |us: u32, floor: Duration| match us {
            0 => floor,
            us => (queued + Duration::from_micros(u64::from(us))).max(floor),
        };
        let dns = after(self.us[0], queued);
        let connect = after(self.us[1], dns);
        let tls = after(self.us[2], connect);
        let first_byte = after(self.us[3], tls);
        let total = end.saturating_duration_since(hop_start).max(first_byte);
        let (tls_version, tls_cipher) = suite_facts(self.suite);
        Timings {
            queued,
            dns,
            connect,
            tls,
            first_byte,
            total,
            connection: ConnectionInfo {
                reused: self.reused,
                idle: (self.reused && self.idle_us != u32::MAX)
                    .then(|| Duration::from_micros(u64::from(self.idle_us))),
                local_addr: self.addrs.map(|a| a.0),
                remote_addr: self.addrs.map(|a| a.1),
                http_version: self.http_version,
                tls_version,
                tls_cipher,
            },
        }
    }
}

/// What the connector, the resolver and the TLS hooks saw of the latest
/// connect a request made (in its `ConnectProbe`); read only when the
/// response came over a connection that request opened.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ConnectPhases {
    pub dns_end: Option<Instant>,
    /// TCP connected: the TLS handshake began (its first message built).
    pub tls_start: Option<Instant>,
    pub tls_suite: Option<u8>,
}

/// The TLS version and cipher suite of a suite number (`tls_hooks`).
pub(crate) fn suite_facts(n: u8) -> (Option<&'static str>, Option<&'static str>) {
    match crate::tls_hooks::suite(n) {
        Some((version, name)) => (Some(version), Some(name)),
        None => (None, None),
    }
}

/// Per connection, what a later request on it needs: when it was last used
/// and its TLS suite. A slot is one word: 20 bits of the addresses' hash (a
/// mismatch reads as unknown), 4 bits of suite, 40 bits of microseconds
/// since the table was made (12 days; later reads as unknown).
pub(crate) struct ConnTable {
    epoch: Instant,
    slots: Box<[AtomicU64]>,
}

const SLOTS: usize = 1024;
const TIME_BITS: u32 = 40;
const TIME_MASK: u64 = (1 << TIME_BITS) - 1;

impl std::fmt::Debug for ConnTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnTable").finish_non_exhaustive()
    }
}

impl Default for ConnTable {
    fn default() -> ConnTable {
        ConnTable {
            epoch: Instant::now(),
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// A cheap mix of the connection's addresses (a multiply per word): the
/// table is looked up on every request.
fn hash(local: SocketAddr, remote: SocketAddr) -> u64 {
    fn word(a: SocketAddr) -> u64 {
        let ip = match a.ip() {
            std::net::IpAddr::V4(v4) => u64::from(v4.to_bits()),
            std::net::IpAddr::V6(v6) => {
                let b = v6.to_bits();
                (b as u64) ^ ((b >> 64) as u64)
            }
        };
        ip << 16 ^ u64::from(a.port())
    }
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let h = (word(local).wrapping_mul(K) ^ word(remote)).wrapping_mul(K);
    h ^ (h >> 29)
}

impl ConnTable {
    fn slot(&self, h: u64) -> (&AtomicU64, u64) {
        let tag = ((h >> 10) & 0xF_FFFF) | 1; // never 0: 0 is an empty slot
        (&self.slots[(h as usize) % SLOTS], tag)
    }

    /// Records that the connection was used at `at`, with its suite.
    pub(crate) fn touch(&self, local: SocketAddr, remote: SocketAddr, suite: u8, at: Instant) {
        let (slot, tag) = self.slot(hash(local, remote));
        let us = at.saturating_duration_since(self.epoch).as_micros() as u64;
        if us > TIME_MASK {
            return;
        }
        slot.store(
            tag << 44 | u64::from(suite & 0xF) << TIME_BITS | us,
            Ordering::Relaxed,
        );
    }

    /// When the connection was last used, and its suite, if its slot is its own.
    pub(crate) fn get(&self, local: SocketAddr, remote: SocketAddr) -> Option<(Instant, u8)> {
        let (slot, tag) = self.slot(hash(local, remote));
        let word = slot.load(Ordering::Relaxed);
        if word >> 44 != tag {
            return None;
        }
        let at = self.epoch + Duration::from_micros(word & TIME_MASK);
        Some((at, ((word >> TIME_BITS) & 0xF) as u8))
    }
}

/// The local and remote address of the connection a response came over.
pub(crate) fn addrs_of(resp: &reqwest::Response) -> Option<(SocketAddr, SocketAddr)> {
    resp.extensions()
        .get::<hyper_util::client::legacy::connect::HttpInfo>()
        .map(|i| (i.local_addr(), i.remote_addr()))
}

/// A resolver around the system's (getaddrinfo on a blocking thread, as
/// reqwest's default) that notes when the lookup ended in the request's
/// connect probe.
#[derive(Clone)]
pub(crate) struct TimedResolver(hyper_util::client::legacy::connect::dns::GaiResolver);

impl Default for TimedResolver {
    fn default() -> TimedResolver {
        TimedResolver(hyper_util::client::legacy::connect::dns::GaiResolver::new())
    }
}

impl reqwest::dns::Resolve for TimedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        use std::str::FromStr;
        use tower_service::Service;
        let mut gai = self.0.clone();
        let probe = crate::connector::PROBE.try_with(std::sync::Arc::clone).ok();
        Box::pin(async move {
            let name = hyper_util::client::legacy::connect::dns::Name::from_str(name.as_str())?;
            let addrs = gai.call(name).await?;
            if let Some(p) = probe {
                p.phases.lock().unwrap_or_else(|e| e.into_inner()).dns_end = Some(Instant::now());
            }
            Ok(Box::new(addrs) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_ordered_and_missing_ones_take_the_previous_end() {
        let start = Instant::now();
        let ms = |n| start + Duration::from_millis(n);
        let marks = Marks {
            queued: ms(1),
            us: [0, 4000, 0, 6000],
            idle_us: u32::MAX,
            reused: false,
            suite: 0,
            addrs: None,
            http_version: "HTTP/1.1",
        };
        let table = ConnTable::default();
        let t = marks.finish(start, ms(9), &table);
        assert_eq!(t.queued, Duration::from_millis(1));
        assert_eq!(t.dns, t.queued);
        assert_eq!(t.connect, Duration::from_millis(5));
        assert_eq!(t.tls, t.connect);
        assert_eq!(t.first_byte, Duration::from_millis(7));
        assert_eq!(t.total, Duration::from_millis(9));
        assert_eq!(t.connection.idle, None);
        // A total before the head (clocks read in another order) still
        // never makes a phase end before the one it follows.
        assert_eq!(
            marks.finish(start, ms(2), &table).total,
            Duration::from_millis(7)
        );
        let reused = Marks {
            reused: true,
            idle_us: 2500,
            ..marks
        };
        let t = reused.finish(start, ms(9), &table);
        assert_eq!(t.connection.idle, Some(Duration::from_micros(2500)));
        assert!(t.connection.reused);
    }

    #[test]
    fn conn_table_remembers_per_connection_and_misses_when_unknown() {
        let table = ConnTable::default();
        let a: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let c: SocketAddr = "127.0.0.1:40001".parse().unwrap();
        assert!(table.get(a, b).is_none());
        let at = Instant::now();
        table.touch(a, b, 3, at);
        let (when, suite) = table.get(a, b).unwrap();
        assert_eq!(suite, 3);
        assert!(when <= at && at - when < Duration::from_micros(2));
        assert!(table.get(c, b).is_none());
    }
}
