//! Retry settings from C arguments, shared by the session's setters
//! (`hsession_set_retry_*`) and the request builder's
//! (`hsession_request_set_retry_*`): each parses its arguments into one
//! change of a `RetryPolicy`, applied to whichever policy the caller sets.

use super::*;
use crate::retry as core;
use crate::RetryPolicy;

/// Retry options, one named setting each, for `hsession_set_retry_count`
/// (the counts) and `hsession_set_retry_seconds` (the backoff times).
/// Retries of any kind (urllib3's `total`). A count.
pub const HSESSION_RETRY_TOTAL: u32 = 1;
/// Retries after the connection could not be made. A count.
pub const HSESSION_RETRY_CONNECT: u32 = 2;
/// Retries after the request was sent and no response came back. A count.
pub const HSESSION_RETRY_READ: u32 = 3;
/// Retries after a status in the forcelist. A count.
pub const HSESSION_RETRY_STATUS: u32 = 4;
/// Backoff factor: the sleep before retry n >= 2 is `factor * 2^(n-1)` s.
pub const HSESSION_RETRY_BACKOFF_FACTOR: u32 = 5;
/// The longest backoff sleep, in seconds.
pub const HSESSION_RETRY_BACKOFF_MAX: u32 = 6;
/// Up to this many seconds added at random to each backoff sleep.
pub const HSESSION_RETRY_BACKOFF_JITTER: u32 = 7;

/// A change of one retry setting.
pub(crate) type Change = Box<dyn FnOnce(&mut RetryPolicy) + Send>;

/// The count named by `option` set to `count` (-1: no limit from it).
pub(crate) fn count(option: u32, count: i64) -> FfiResult<Change> {
    let (name, field): (_, fn(&mut RetryPolicy) -> &mut Option<u32>) = match option {
        HSESSION_RETRY_TOTAL => ("total", |p| &mut p.total),
        HSESSION_RETRY_CONNECT => ("connect", |p| &mut p.connect),
        HSESSION_RETRY_READ => ("read", |p| &mut p.read),
        HSESSION_RETRY_STATUS => ("status", |p| &mut p.status),
        other => return Err(wrong_option(other, "count")),
    };
    let n = core::count_from_i64(count, name)?;
    Ok(Box::new(move |p| *field(p) = n))
}

/// The backoff time named by `option` set to `seconds`.
pub(crate) fn seconds(option: u32, seconds: f64) -> FfiResult<Change> {
    let (name, field): (_, fn(&mut RetryPolicy) -> &mut std::time::Duration) = match option {
        HSESSION_RETRY_BACKOFF_FACTOR => ("backoff_factor", |p| &mut p.backoff_factor),
        HSESSION_RETRY_BACKOFF_MAX => ("backoff_max", |p| &mut p.backoff_max),
        HSESSION_RETRY_BACKOFF_JITTER => ("backoff_jitter", |p| &mut p.backoff_jitter),
        other => return Err(wrong_option(other, "seconds")),
    };
    let d = core::seconds_from_f64(seconds, name)?;
    Ok(Box::new(move |p| *field(p) = d))
}

/// The forcelist: `count` codes at `statuses` (NULL allowed with 0).
pub(crate) unsafe fn statuses(statuses: *const u16, count: usize) -> FfiResult<Change> {
    let codes: &[u16] = match (statuses.is_null(), count) {
        (_, 0) => &[],
        (true, _) => return Err(Failure::null("statuses")),
        (false, n) => std::slice::from_raw_parts(statuses, n),
    };
    let codes = core::statuses_from_list(codes)?;
    Ok(Box::new(move |p| p.status_forcelist = codes))
}

/// The allowed methods from "GET,PUT", "*" or "".
pub(crate) unsafe fn methods(methods: *const c_char) -> FfiResult<Change> {
    let allowed = core::methods_from_list(str_arg(methods, "methods")?)?;
    Ok(Box::new(move |p| p.allowed_methods = allowed))
}

pub(crate) fn flags(respect_retry_after: i32, raise_on_status: i32) -> Change {
    Box::new(move |p| {
        p.respect_retry_after = respect_retry_after != 0;
        p.raise_on_status = raise_on_status != 0;
    })
}

/// Says which setter takes `option`, when the caller used the other one.
fn wrong_option(option: u32, setter: &str) -> Failure {
    let right = match option {
        HSESSION_RETRY_TOTAL..=HSESSION_RETRY_STATUS => {
            "; it is a count: use the _retry_count setter"
        }
        HSESSION_RETRY_BACKOFF_FACTOR..=HSESSION_RETRY_BACKOFF_JITTER => {
            "; it is a time: use the _retry_seconds setter"
        }
        _ => "",
    };
    Failure::new(
        HSESSION_INVALID_ARGUMENT,
        format!("the _retry_{setter} setter does not take retry option {option}{right}"),
    )
}
