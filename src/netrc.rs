//! `.netrc` credentials, read while `trust_env` is on (as requests'
//! `get_netrc_auth`): the file named by the NETRC environment variable, else
//! `.netrc` (then `_netrc`) in the HOME directory; the entry of the URL's
//! host, else the `default` entry. A file that is missing or does not parse
//! gives nothing. The parsed file is kept while its size and modification
//! time stay the same. That there is no file is remembered for a second
//! (for the same NETRC and HOME), so the usual case, no .netrc at all,
//! costs a request no `stat` calls.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Default, PartialEq)]
struct Entry {
    login: String,
    account: String,
    password: String,
}

#[derive(Debug, Default, PartialEq)]
struct Netrc {
    machines: Vec<(String, Entry)>,
    default: Option<Entry>,
}

type Cached = (PathBuf, Option<SystemTime>, u64, Arc<Netrc>);
static CACHE: Mutex<Option<Cached>> = Mutex::new(None);
/// The NETRC and HOME values under which no file was found, and when.
type Missing = (Option<OsString>, Option<OsString>, Instant);
static MISSING: Mutex<Option<Missing>> = Mutex::new(None);
const MISSING_RECHECK: Duration = Duration::from_secs(1);

/// The (user, password) for `url`'s host, if the netrc file has them.
pub(crate) fn credentials(url: &url::Url) -> Option<(String, String)> {
    let host = url.host_str()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let netrc = load()?;
    let entry = netrc
        .machines
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(host))
        .map(|(_, e)| e)
        .or(netrc.default.as_ref())?;
    // requests: the login, or the account when the login is empty.
    let user = match entry.login.is_empty() {
        true => &entry.account,
        false => &entry.login,
    };
    Some((user.clone(), entry.password.clone()))
}

fn load() -> Option<Arc<Netrc>> {
    let netrc = std::env::var_os("NETRC");
    let home = std::env::var_os("HOME");
    {
        // Checked before any path is built: this is every request's cost
        // when there is no .netrc.
        let missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, h, at)) = missing.as_ref() {
            if *n == netrc && *h == home && at.elapsed() < MISSING_RECHECK {
                return None;
            }
        }
    }
    let candidates: Vec<PathBuf> = match &netrc {
        Some(path) => vec![PathBuf::from(path)],
        None => {
            let home = PathBuf::from(home.as_ref()?);
            vec![home.join(".netrc"), home.join("_netrc")]
        }
    };
    for path in &candidates {
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        let modified = meta.modified().ok();
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, m, len, parsed)) = cache.as_ref() {
            if p == path && *m == modified && *len == meta.len() && modified.is_some() {
                return Some(parsed.clone());
            }
        }
        // As requests: a file that cannot be read or parsed gives nothing.
        let text = std::fs::read_to_string(path).ok()?;
        let parsed = Arc::new(parse(&text)?);
        *cache = Some((path.clone(), modified, meta.len(), parsed.clone()));
        return Some(parsed);
    }
    *MISSING.lock().unwrap_or_else(|e| e.into_inner()) = Some((netrc, home, Instant::now()));
    None
}

/// Python's netrc grammar: whitespace-separated tokens (a token may be
/// double-quoted), `#` comments, `machine NAME` or `default` followed by
/// `login`, `account` and `password` pairs, `macdef NAME` followed by
/// lines up to an empty one. `None` when it does not parse.
fn parse(text: &str) -> Option<Netrc> {
    let mut out = Netrc::default();
    let mut lines = text.lines();
    let mut tokens: std::collections::VecDeque<String> = Default::default();
    // The entry being read: its machine (None for default).
    let mut current: Option<(Option<String>, Entry)> = None;
    let finish = |out: &mut Netrc, current: Option<(Option<String>, Entry)>| match current {
        Some((Some(m), e)) => out.machines.push((m, e)),
        Some((None, e)) => out.default = Some(e),
        None => {}
    };
    loop {
        let Some(tok) = tokens.pop_front() else {
            let line = match lines.next() {
                Some(l) => l,
                None => break,
            };
            if line.trim_start().starts_with('#') {
                continue;
            }
            tokens = split(line)?;
            continue;
        };
        // The value after a keyword, possibly on a following line.
        let mut next = |tokens: &mut std::collections::VecDeque<String>| -> Option<String> {
            loop {
                if let Some(t) = tokens.pop_front() {
                    return Some(t);
                }
                *tokens = split(lines.next()?)?;
            }
        };
        match tok.as_str() {
            "machine" => {
                finish(&mut out, current.take());
                current = Some((Some(next(&mut tokens)?), Entry::default()));
            }
            "default" => {
                finish(&mut out, current.take());
                current = Some((None, Entry::default()));
            }
            "login" | "user" => current.as_mut()?.1.login = next(&mut tokens)?,
            "account" => current.as_mut()?.1.account = next(&mut tokens)?,
            "password" => current.as_mut()?.1.password = next(&mut tokens)?,
            "macdef" => {
                finish(&mut out, current.take());
                next(&mut tokens)?;
                tokens.clear();
                // The macro's body: the lines up to an empty one.
                for line in lines.by_ref() {
                    if line.trim().is_empty() {
                        break;
                    }
                }
            }
            t if t.starts_with('#') => tokens.clear(), // a comment to the end of the line
            _ => return None,
        }
    }
    finish(&mut out, current);
    Some(out)
}

/// A line's tokens; a double-quoted token may hold spaces (backslash
/// escapes the next character in it).
fn split(line: &str) -> Option<std::collections::VecDeque<String>> {
    let mut out = std::collections::VecDeque::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut tok = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => tok.push(chars.next()?),
                    c => tok.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                tok.push(c);
                chars.next();
            }
        }
        out.push_back(tok);
    }
    Some(out)
}

/// Basic auth from the .netrc entry of `url`'s host, if there is one.
pub(crate) fn auth_header(url: &url::Url) -> Option<reqwest::header::HeaderValue> {
    let (user, password) = credentials(url)?;
    crate::config::basic_auth(&user, &password).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_machines_default_macros_and_quotes() {
        let n = parse(
            "# c\nmachine a.example login u password \"p w\"\nmacdef m\nx y\n\n\
             machine b account acc password p2 default\nlogin d password dp\n",
        )
        .unwrap();
        assert_eq!(n.machines.len(), 2);
        assert_eq!(n.machines[0].1.password, "p w");
        assert_eq!(n.machines[1].1.account, "acc");
        assert_eq!(n.default.as_ref().unwrap().login, "d");
        assert!(parse("machine").is_none());
        assert!(parse("login x").is_none());
        assert!(parse("machine a bogus x").is_none());
    }
}
