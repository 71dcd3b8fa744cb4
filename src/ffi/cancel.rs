//! `hsession_cancel_token`: cancels blocking and non-blocking requests from
//! any thread, like a Go context.

use super::*;
use crate::CancellationToken;

/// A cancellation switch. Set it on requests with
/// `hsession_request_set_cancel_token`; `hsession_cancel_token_cancel` then
/// ends every send of them still in flight (blocking `hsession_request` too)
/// with HSESSION_CANCELLED. Owned by the caller, freed with
/// `hsession_cancel_token_free` (requests keep what they need). Thread-safe.
///
/// Functions: `hsession_cancel_token_new`, `hsession_cancel_token_cancel`,
/// `hsession_cancel_token_is_cancelled`, `hsession_cancel_token_free`.
pub struct hsession_cancel_token(pub(crate) CancellationToken);

/// Creates a token that is not cancelled. Writes it to `*token_out`.
#[no_mangle]
pub unsafe extern "C" fn hsession_cancel_token_new(
    token_out: *mut *mut hsession_cancel_token,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let out = out_arg(token_out, "token_out")?;
        *out = Box::into_raw(Box::new(hsession_cancel_token(CancellationToken::new())));
        Ok(())
    })
}

/// Cancels the token, for good. Cancelling again does nothing. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cancel_token_cancel(
    token: *const hsession_cancel_token,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(token, "token")?.0.cancel();
        Ok(())
    })
}

/// 1 if the token was cancelled, 0 if not or if `token` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_cancel_token_is_cancelled(
    token: *const hsession_cancel_token,
) -> i32 {
    get_or(0, || {
        token.as_ref().map_or(0, |t| i32::from(t.0.is_cancelled()))
    })
}

/// Frees the caller's token. Requests it was set on still obey it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn hsession_cancel_token_free(token: *mut hsession_cancel_token) {
    free_box(token)
}
