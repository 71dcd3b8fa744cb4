//! The cookie jar through the C ABI: `hsession_cookie_list` (a snapshot of
//! cookies, read-only), editing the session's jar, saving and loading it,
//! and per-request cookies.

use super::session::hsession;
use super::*;
use crate::cookies::{unix_secs, Cookie, CookieFileFormat};
use std::ffi::CString;

/// A cookie list flag: the cookie is sent only over https.
pub const HSESSION_COOKIE_SECURE: u32 = 1;
/// A cookie list flag: the cookie is HttpOnly (kept from scripts in a
/// browser; hsession sends it like any other).
pub const HSESSION_COOKIE_HTTP_ONLY: u32 = 2;
/// A cookie list flag: the cookie is sent only to its domain itself, not to
/// subdomains (it had no Domain attribute).
pub const HSESSION_COOKIE_HOST_ONLY: u32 = 4;

/// A cookie file format for `hsession_cookies_save`, `_load` and
/// `hsession_set_cookie_file`.
pub type hsession_cookie_format = u32;
/// The Netscape cookies.txt format that curl (-b/-c) and wget read and
/// write: seven tab-separated fields, "#HttpOnly_" before the domain of
/// HttpOnly cookies, expiry 0 for session cookies.
pub const HSESSION_COOKIE_FILE_NETSCAPE: hsession_cookie_format = 1;
/// hsession's JSON: {"format": "hsession-cookies", "version": 1,
/// "cookies": [{"name", "value", "domain", "path", "host_only", "secure",
/// "http_only", "expires": Unix seconds or null}]}.
pub const HSESSION_COOKIE_FILE_JSON: hsession_cookie_format = 2;

struct Entry {
    name: CString,
    value: CString,
    domain: CString,
    path: CString,
    expires: i64,
    flags: u32,
}

/// A snapshot of cookies, each with name, value, domain, path, expiry and
/// flags. Created by `hsession_cookies_list` or `hsession_cookies_for_url`,
/// owned by the caller, freed with `hsession_cookie_list_free`. Later
/// changes to the jar do not change it. Immutable: may be read from any
/// thread; every string it hands out stays valid until it is freed.
///
/// Functions (the list's, and those of the session's jar that this file
/// holds): `hsession_cookies_list`, `hsession_cookies_for_url`,
/// `hsession_cookie_list_free`, `hsession_cookie_list_count`,
/// `hsession_cookie_list_at`, `hsession_cookie_list_find`,
/// `hsession_cookies_set`, `hsession_cookies_set_fields`,
/// `hsession_cookies_delete`, `hsession_cookies_clear`,
/// `hsession_cookies_clear_domain`, `hsession_cookies_clear_session`,
/// `hsession_cookies_save`, `hsession_cookies_load`,
/// `hsession_set_cookie_file`.
pub struct hsession_cookie_list {
    items: Vec<Entry>,
}

fn write_list(cookies: Vec<Cookie>, out: *mut *mut hsession_cookie_list) {
    let items = cookies
        .iter()
        .map(|c| Entry {
            name: c_string(&c.name),
            value: c_string(&c.value),
            domain: c_string(&c.domain),
            path: c_string(&c.path),
            // A persistent cookie's expiry is never 0: it would be expired.
            expires: c.expires.map_or(0, unix_secs),
            flags: (if c.secure { HSESSION_COOKIE_SECURE } else { 0 })
                | (if c.http_only {
                    HSESSION_COOKIE_HTTP_ONLY
                } else {
                    0
                })
                | (if c.host_only {
                    HSESSION_COOKIE_HOST_ONLY
                } else {
                    0
                }),
        })
        .collect();
    // SAFETY: `out` was checked non-NULL by the caller of this function.
    unsafe { *out = Box::into_raw(Box::new(hsession_cookie_list { items })) };
}

fn format_arg(format: hsession_cookie_format) -> FfiResult<CookieFileFormat> {
    match format {
        HSESSION_COOKIE_FILE_NETSCAPE => Ok(CookieFileFormat::Netscape),
        HSESSION_COOKIE_FILE_JSON => Ok(CookieFileFormat::Json),
        other => Err(Failure::new(
            HSESSION_INVALID_ARGUMENT,
            format!(
                "unknown cookie file format {other}: use HSESSION_COOKIE_FILE_NETSCAPE or \
                 HSESSION_COOKIE_FILE_JSON"
            ),
        )),
    }
}

fn path_arg(p: *const c_char) -> FfiResult<std::path::PathBuf> {
    // SAFETY: the caller passes NULL or a NUL-terminated string.
    let s = unsafe { str_arg(p, "path")? };
    if s.is_empty() {
        return Err(Failure::new(HSESSION_INVALID_ARGUMENT, "the path is empty"));
    }
    Ok(s.into())
}

/// Writes `n` to `*count_out` when `count_out` is not NULL.
fn count_out(count_out: *mut usize, n: usize) {
    if !count_out.is_null() {
        // SAFETY: the caller passes NULL or a writable pointer.
        unsafe { *count_out = n };
    }
}

/// Lists every cookie in the session's jar (expired ones are deleted, not
/// listed), oldest first. On success writes a new list to `*list_out`,
/// owned by the caller, freed with `hsession_cookie_list_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_list(
    session: *const hsession,
    list_out: *mut *mut hsession_cookie_list,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let out = out_arg(list_out, "list_out")?;
        write_list(s.0.jar().cookies(), out);
        Ok(())
    })
}

/// Lists the cookies a request to `url` (NUL-terminated UTF-8, copied)
/// would carry from the jar, in the order they would be sent (longest path
/// first, then oldest); nothing is sent. Secure cookies only for https
/// URLs. On success writes a new list to `*list_out`, owned by the caller.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_for_url(
    session: *const hsession,
    url: *const c_char,
    list_out: *mut *mut hsession_cookie_list,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let url = str_arg(url, "url")?;
        let out = out_arg(list_out, "list_out")?;
        write_list(s.0.jar().cookies_for(url)?, out);
        Ok(())
    })
}

/// Frees a cookie list and every string borrowed from it. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookie_list_free(list: *mut hsession_cookie_list) {
    free_box(list)
}

/// The number of cookies in the list; 0 if `list` is NULL.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookie_list_count(list: *const hsession_cookie_list) -> usize {
    get_or(0, || list.as_ref().map_or(0, |l| l.items.len()))
}

/// Cookie `index` (0-based) of the list: name, value, domain (the host of a
/// host-only cookie, else the Domain without a leading dot) and path as
/// NUL-terminated UTF-8 borrowed from the list (valid until it is freed);
/// the expiry in Unix seconds (0 for a session cookie); the flags
/// (HSESSION_COOKIE_SECURE | _HTTP_ONLY | _HOST_ONLY). Every out-param is
/// required. HSESSION_NOT_FOUND if `index` is past the end.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookie_list_at(
    list: *const hsession_cookie_list,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const c_char,
    domain_out: *mut *const c_char,
    path_out: *mut *const c_char,
    expires_out: *mut i64,
    flags_out: *mut u32,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let l = ref_arg(list, "list")?;
        let outs = (
            out_arg(name_out, "name_out")?,
            out_arg(value_out, "value_out")?,
            out_arg(domain_out, "domain_out")?,
            out_arg(path_out, "path_out")?,
            out_arg(expires_out, "expires_out")?,
            out_arg(flags_out, "flags_out")?,
        );
        let e = l.items.get(index).ok_or_else(|| {
            Failure::new(HSESSION_NOT_FOUND, format!("no cookie at index {index}"))
        })?;
        *outs.0 = e.name.as_ptr();
        *outs.1 = e.value.as_ptr();
        *outs.2 = e.domain.as_ptr();
        *outs.3 = e.path.as_ptr();
        *outs.4 = e.expires;
        *outs.5 = e.flags;
        Ok(())
    })
}

/// The index of the first cookie named `name` (case-sensitive) in the list,
/// written to `*index_out`. HSESSION_NOT_FOUND if there is none.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookie_list_find(
    list: *const hsession_cookie_list,
    name: *const c_char,
    index_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let l = ref_arg(list, "list")?;
        let name = str_arg(name, "name")?;
        let out = out_arg(index_out, "index_out")?;
        let i = l
            .items
            .iter()
            .position(|e| e.name.as_bytes() == name.as_bytes())
            .ok_or_else(|| Failure::new(HSESSION_NOT_FOUND, format!("no cookie named {name:?}")))?;
        *out = i;
        Ok(())
    })
}

/// Sets a cookie in the jar from a Set-Cookie header value (`set_cookie`,
/// e.g. "id=42; Path=/; Max-Age=3600"), as if `url` had sent it; nothing is
/// sent. Strings are NUL-terminated UTF-8, copied. The jar's rules apply: a
/// cookie they refuse (Secure from http, a public suffix Domain, a Domain
/// that does not match the URL, a broken __Secure-/__Host- prefix, control
/// characters) fails with HSESSION_INVALID_ARGUMENT and a message naming
/// the rule, and changes nothing. An expired cookie deletes the matching
/// one. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_set(
    session: *const hsession,
    url: *const c_char,
    set_cookie: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let url = str_arg(url, "url")?;
        let set_cookie = str_arg(set_cookie, "set_cookie")?;
        Ok(s.0.jar().set_cookie(url, set_cookie)?)
    })
}

/// Sets a cookie in the jar from its fields, as if `url` had sent it, with
/// the same rules as `hsession_cookies_set`. `domain` NULL makes a host-only
/// cookie (for the URL's host); otherwise it is the Domain attribute (with
/// HSESSION_COOKIE_HOST_ONLY in `flags` it must be the URL's host). `path`
/// NULL means the URL's default path. `expires` is Unix seconds, 0 for a
/// session cookie; a time in the past deletes the matching cookie; times
/// past the year 9999 are taken as its end. `flags`:
/// HSESSION_COOKIE_SECURE | _HTTP_ONLY | _HOST_ONLY, other bits are
/// HSESSION_INVALID_ARGUMENT. Strings are NUL-terminated UTF-8, copied.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_set_fields(
    session: *const hsession,
    url: *const c_char,
    name: *const c_char,
    value: *const c_char,
    domain: *const c_char,
    path: *const c_char,
    expires: i64,
    flags: u32,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let url = str_arg(url, "url")?;
        let mut cookie = Cookie::new(str_arg(name, "name")?, str_arg(value, "value")?);
        let known = HSESSION_COOKIE_SECURE | HSESSION_COOKIE_HTTP_ONLY | HSESSION_COOKIE_HOST_ONLY;
        if flags & !known != 0 {
            return Err(Failure::new(
                HSESSION_INVALID_ARGUMENT,
                format!("unknown cookie flags {:#x}", flags & !known),
            ));
        }
        if !domain.is_null() {
            cookie.domain = str_arg(domain, "domain")?.to_owned();
            cookie.host_only = flags & HSESSION_COOKIE_HOST_ONLY != 0;
        }
        if !path.is_null() {
            cookie.path = str_arg(path, "path")?.to_owned();
        }
        if expires != 0 {
            // Clamped to the year 9999 either way, so any int64 is safe.
            cookie.expires = Some(crate::cookies::from_unix_secs(expires));
        }
        cookie.secure = flags & HSESSION_COOKIE_SECURE != 0;
        cookie.http_only = flags & HSESSION_COOKIE_HTTP_ONLY != 0;
        Ok(s.0.jar().set(url, &cookie)?)
    })
}

/// Deletes the cookie `name` of `domain` (as listed: the host of a
/// host-only cookie, or the Domain) at `path`, or at every path when `path`
/// is NULL. HSESSION_NOT_FOUND if there was none. Strings are copied.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_delete(
    session: *const hsession,
    domain: *const c_char,
    path: *const c_char,
    name: *const c_char,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let domain = str_arg(domain, "domain")?;
        let path = opt_str_arg(path, "path")?;
        let name = str_arg(name, "name")?;
        match s.0.jar().remove(domain, path, name) {
            0 => Err(Failure::new(
                HSESSION_NOT_FOUND,
                format!("no cookie {name:?} for domain {domain:?}"),
            )),
            _ => Ok(()),
        }
    })
}

/// Deletes every cookie in the jar. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_clear(session: *const hsession) -> hsession_result {
    call(std::ptr::null_mut(), || {
        ref_arg(session, "session")?.0.jar().clear();
        Ok(())
    })
}

/// Deletes every cookie of `domain` and of its subdomains ("example.com"
/// also clears "www.example.com"). Writes how many to `*removed_out` unless
/// it is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_clear_domain(
    session: *const hsession,
    domain: *const c_char,
    removed_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let domain = str_arg(domain, "domain")?;
        if domain.trim_start_matches('.').is_empty() {
            return Err(Failure::new(
                HSESSION_INVALID_ARGUMENT,
                "the domain is empty",
            ));
        }
        count_out(removed_out, s.0.jar().clear_domain(domain));
        Ok(())
    })
}

/// Deletes the session cookies (those without an expiry), as a browser does
/// when it closes. Writes how many to `*removed_out` unless it is NULL.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_clear_session(
    session: *const hsession,
    removed_out: *mut usize,
) -> hsession_result {
    call(std::ptr::null_mut(), || {
        let s = ref_arg(session, "session")?;
        count_out(removed_out, s.0.jar().clear_session_cookies());
        Ok(())
    })
}

/// The shape shared by the jar's file calls: check the arguments, run `op`,
/// report the count.
unsafe fn jar_file(
    session: *const hsession,
    path: *const c_char,
    format: hsession_cookie_format,
    count_out: *mut usize,
    err_out: *mut *mut hsession_error,
    op: impl FnOnce(&crate::Jar, std::path::PathBuf, CookieFileFormat) -> crate::Result<usize>,
) -> hsession_result {
    call(err_out, || {
        let s = ref_arg(session, "session")?;
        let path = path_arg(path)?;
        let format = format_arg(format)?;
        self::count_out(count_out, op(s.0.jar(), path, format)?);
        Ok(())
    })
}

/// Saves the jar, session cookies included, to `path` (NUL-terminated
/// UTF-8) in `format`. The file is written atomically (a temporary file in
/// the same directory, then a rename) with mode 0600, so a crash never
/// leaves a truncated jar. Writes the number of cookies saved to
/// `*count_out` unless it is NULL. HSESSION_IO if it cannot be written.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_save(
    session: *const hsession,
    path: *const c_char,
    format: hsession_cookie_format,
    count_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    jar_file(
        session,
        path,
        format,
        count_out,
        err_out,
        |jar, path, format| jar.save(path, format),
    )
}

/// Adds the cookies of the file `path` (in `format`) to the jar, replacing
/// those with the same domain, path and name. The jar's rules apply as for
/// cookies set from https; cookies they refuse and expired ones are
/// skipped. Writes the number stored to `*count_out` unless it is NULL.
/// HSESSION_IO if the file cannot be read, HSESSION_PARSE if it is
/// malformed (then the jar is unchanged). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_cookies_load(
    session: *const hsession,
    path: *const c_char,
    format: hsession_cookie_format,
    count_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    jar_file(
        session,
        path,
        format,
        count_out,
        err_out,
        |jar, path, format| jar.load(path, format),
    )
}

/// Loads the cookie file `path` now, as `hsession_cookies_load` (a missing
/// file counts as empty), and saves the jar there, atomically with mode
/// 0600, when the session is freed (`hsession_free`, once every request in
/// flight has finished), so a login survives a restart. A file that cannot
/// be read or parsed is an error and is then not remembered, so it is never
/// overwritten. Errors when saving at free cannot be reported: call
/// `hsession_cookies_save` to see them. Writes the number loaded to
/// `*count_out` unless it is NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn hsession_set_cookie_file(
    session: *const hsession,
    path: *const c_char,
    format: hsession_cookie_format,
    count_out: *mut usize,
    err_out: *mut *mut hsession_error,
) -> hsession_result {
    jar_file(
        session,
        path,
        format,
        count_out,
        err_out,
        |jar, path, format| jar.set_cookie_file(path, format),
    )
}
