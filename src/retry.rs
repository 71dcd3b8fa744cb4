//! Retries with urllib3's `Retry` semantics: total, connect, read and status
//! counts, exponential backoff with a cap and optional jitter, a status
//! forcelist, `Retry-After` on 413/429/503, and only idempotent methods
//! unless the caller opts in — except for connect failures, where the
//! request provably never left. A body that cannot be replayed is never
//! retried.

use crate::error::{Error, ErrorKind, Result};
use reqwest::Method;
use std::time::{Duration, SystemTime};

/// What a retry policy allows; the default retries nothing, as requests'
/// `HTTPAdapter` does.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries of any kind; `None` leaves the limit to the other counts.
    pub total: Option<u32>,
    /// Retries after the connection could not be made.
    pub connect: Option<u32>,
    /// Retries after the request was sent and no response came back.
    pub read: Option<u32>,
    /// Retries after a response whose status is in `status_forcelist`.
    pub status: Option<u32>,
    /// Sleep before retry n (n >= 2) is `backoff_factor * 2^(n-1)`; the
    /// first retry is immediate (urllib3 2.x).
    pub backoff_factor: Duration,
    pub backoff_max: Duration,
    /// A random extra of up to this much per sleep.
    pub backoff_jitter: Duration,
    pub status_forcelist: Vec<u16>,
    /// Methods retried after a read failure or a forcelist status; `None`
    /// means every method.
    pub allowed_methods: Option<Vec<Method>>,
    /// Honour `Retry-After` (seconds or an HTTP date) on 413, 429 and 503.
    pub respect_retry_after: bool,
    /// When status retries run out: true gives an error (urllib3's
    /// MaxRetryError), false returns the last response.
    pub raise_on_status: bool,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            total: Some(0),
            connect: None,
            read: None,
            status: None,
            backoff_factor: Duration::ZERO,
            backoff_max: Duration::from_secs(120),
            backoff_jitter: Duration::ZERO,
            status_forcelist: Vec::new(),
            allowed_methods: Some(idempotent_methods()),
            respect_retry_after: true,
            raise_on_status: true,
        }
    }
}

/// urllib3's `DEFAULT_ALLOWED_METHODS`.
pub fn idempotent_methods() -> Vec<Method> {
    vec![
        Method::DELETE,
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::PUT,
        Method::TRACE,
    ]
}

/// A retry count as the C ABI and the packed request give it: -1 is "no
/// limit from this count".
pub fn count_from_i64(n: i64, what: &str) -> Result<Option<u32>> {
    match n {
        -1 => Ok(None),
        n => u32::try_from(n).map(Some).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{what} must be -1 (no limit) or 0..=4294967295"),
            )
        }),
    }
}

/// A backoff time in seconds, finite and not negative.
pub fn seconds_from_f64(s: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} must be a finite number of seconds >= 0"),
        )
    })
}

/// urllib3's `allowed_methods` from text: "GET,PUT", "*" for every method
/// (`None`), "" for none.
pub fn methods_from_list(text: &str) -> Result<Option<Vec<Method>>> {
    let text = text.trim();
    if text == "*" {
        return Ok(None);
    }
    let mut list = Vec::new();
    for m in text.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        list.push(Method::from_bytes(m.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::InvalidMethod,
                format!("invalid HTTP method {m:?}"),
            )
        })?);
    }
    Ok(Some(list))
}

/// A `status_forcelist`: every code must be an HTTP status.
pub fn statuses_from_list(codes: &[u16]) -> Result<Vec<u16>> {
    if let Some(bad) = codes.iter().find(|c| !(100..=599).contains(*c)) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{bad} is not an HTTP status"),
        ));
    }
    Ok(codes.to_vec())
}

/// Why an attempt failed, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Connect,
    Read,
    Status(u16),
}

/// Retries used so far by one request.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Used {
    pub total: u32,
    pub connect: u32,
    pub read: u32,
    pub status: u32,
}

impl RetryPolicy {
    pub(crate) fn method_allowed(&self, method: &Method) -> bool {
        self.allowed_methods
            .as_ref()
            .is_none_or(|m| m.contains(method))
    }

    /// Whether one more retry is allowed after `failure`, counting it if so.
    pub(crate) fn take(&self, used: &mut Used, failure: Failure) -> bool {
        let within = |limit: Option<u32>, n: u32| limit.is_none_or(|l| n < l);
        let kind_ok = match failure {
            Failure::Connect => within(self.connect, used.connect),
            Failure::Read => within(self.read, used.read),
            Failure::Status(_) => within(self.status, used.status),
        };
        if !kind_ok || !within(self.total, used.total) {
            return false;
        }
        // With no limit at all (every count None), stop at a sane bound.
        if used.total >= 1000 {
            return false;
        }
        used.total += 1;
        match failure {
            Failure::Connect => used.connect += 1,
            Failure::Read => used.read += 1,
            Failure::Status(_) => used.status += 1,
        }
        true
    }

    /// The sleep before the next attempt, given the retries used so far
    /// (after counting this one) and the response's `Retry-After`.
    pub(crate) fn sleep(
        &self,
        used: &Used,
        status: Option<u16>,
        retry_after: Option<&str>,
    ) -> Duration {
        if self.respect_retry_after && matches!(status, Some(413 | 429 | 503)) {
            if let Some(wait) = retry_after.and_then(parse_retry_after) {
                return wait;
            }
        }
        if used.total <= 1 || self.backoff_factor.is_zero() {
            return Duration::ZERO;
        }
        let exp = 2f64.powi(used.total.min(62) as i32 - 1);
        let secs = (self.backoff_factor.as_secs_f64() * exp).min(self.backoff_max.as_secs_f64());
        let jitter = if self.backoff_jitter.is_zero() {
            0.0
        } else {
            self.backoff_jitter.as_secs_f64() * random_unit()
        };
        Duration::from_secs_f64((secs + jitter).max(0.0))
    }

    pub(crate) fn exhausted(&self, failure: Failure) -> Error {
        let what = match failure {
            Failure::Connect => "connect".to_owned(),
            Failure::Read => "read".to_owned(),
            Failure::Status(s) => format!("status {s}"),
        };
        Error::new(
            ErrorKind::TooManyRetries,
            format!("retries exhausted (last failure: {what})"),
        )
    }
}

/// `Retry-After` as seconds or an HTTP date; None if unparsable.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A cheap random number in [0, 1): jitter needs spread, not secrecy.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_backoff_follow_urllib3() {
        let p = RetryPolicy {
            total: Some(5),
            connect: Some(1),
            backoff_factor: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        let mut used = Used::default();
        assert!(p.take(&mut used, Failure::Connect));
        assert!(!p.take(&mut used, Failure::Connect), "connect count is 1");
        assert_eq!(
            p.sleep(&used, None, None),
            Duration::ZERO,
            "first retry is immediate"
        );
        assert!(p.take(&mut used, Failure::Read));
        assert_eq!(p.sleep(&used, None, None), Duration::from_millis(200));
        assert!(p.take(&mut used, Failure::Status(503)));
        assert_eq!(
            p.sleep(&used, None, None),
            Duration::from_millis(350),
            "capped"
        );
        assert_eq!(p.sleep(&used, Some(503), Some("2")), Duration::from_secs(2));
        assert_eq!(
            p.sleep(&used, Some(500), Some("2")),
            Duration::from_millis(350),
            "only 413/429/503"
        );
        assert!(p.take(&mut used, Failure::Read) && p.take(&mut used, Failure::Read));
        assert!(!p.take(&mut used, Failure::Read), "total is 5");
        assert!(
            !RetryPolicy::default().take(&mut Used::default(), Failure::Connect),
            "none by default"
        );
    }

    #[test]
    fn retry_after_dates_and_methods() {
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = parse_retry_after(&later).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        let p = RetryPolicy::default();
        assert!(p.method_allowed(&Method::GET) && p.method_allowed(&Method::PUT));
        assert!(!p.method_allowed(&Method::POST) && !p.method_allowed(&Method::PATCH));
        let all = RetryPolicy {
            allowed_methods: None,
            ..p
        };
        assert!(all.method_allowed(&Method::POST));
    }
}
