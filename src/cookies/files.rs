//! The jar's two file formats: JSON (hsession's own) and the Netscape
//! cookies.txt of curl and wget; files are written atomically with mode 0600.

use super::cookie::Cookie;
use super::rules::{from_unix_secs, invalid, unix_secs};
use crate::error::{Error, ErrorKind, Result};
use std::io::Write;
use std::path::Path;

pub(crate) fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot {what} the cookie file {}: {e}", path.display()),
    )
}

pub(crate) fn parse_error(message: String) -> Error {
    Error::new(ErrorKind::Parse, message)
}

/// A crash or a full disk never leaves a truncated jar: the new content
/// goes to a temporary file next to `path` (same file system), is synced,
/// and replaces `path` by a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| invalid(format!("{} is not a file path", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error("write", path, e));
    }
    // Makes the rename itself durable; best effort.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub(crate) fn to_json(cookies: &[Cookie]) -> String {
    let list: Vec<_> = cookies
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "value": c.value,
                "domain": c.domain,
                "path": c.path,
                "host_only": c.host_only,
                "secure": c.secure,
                "http_only": c.http_only,
                "expires": c.expires.map(unix_secs),
            })
        })
        .collect();
    let doc = serde_json::json!({
        "format": "hsession-cookies",
        "version": 1,
        "cookies": list,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

pub(crate) fn from_json(text: &str) -> Result<Vec<Cookie>> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| parse_error(format!("not JSON: {e}")))?;
    if doc["format"] != "hsession-cookies" || doc["version"] != 1 {
        return Err(parse_error(
            "not an hsession cookie file (format \"hsession-cookies\", version 1)".into(),
        ));
    }
    let list = doc["cookies"]
        .as_array()
        .ok_or_else(|| parse_error("\"cookies\" is not an array".into()))?;
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            let bad = |field: &str| {
                parse_error(format!(
                    "cookie {i}: {field:?} is missing or of the wrong type"
                ))
            };
            let s = |field: &str| {
                c[field]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(field))
            };
            let b = |field: &str| c[field].as_bool().ok_or_else(|| bad(field));
            let expires = match &c["expires"] {
                serde_json::Value::Null => None,
                v => Some(from_unix_secs(v.as_i64().ok_or_else(|| bad("expires"))?)),
            };
            Ok(Cookie {
                name: s("name")?,
                value: s("value")?,
                domain: s("domain")?,
                path: s("path")?,
                expires,
                secure: b("secure")?,
                http_only: b("http_only")?,
                host_only: b("host_only")?,
            })
        })
        .collect()
}

pub(crate) const NETSCAPE_HEADER: &str = "# Netscape HTTP Cookie File\n\
# Written by hsession in the format of curl and wget (https://curl.se/docs/http-cookies.html).\n\
# Fields: domain, include subdomains, path, secure, expiry (0 = session), name, value.\n\n";

pub(crate) fn to_netscape(cookies: &[Cookie]) -> String {
    let mut text = String::from(NETSCAPE_HEADER);
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" };
    for c in cookies {
        text.push_str(&format!(
            "{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            if c.http_only { "#HttpOnly_" } else { "" },
            if c.host_only { "" } else { "." },
            c.domain,
            flag(!c.host_only),
            c.path,
            flag(c.secure),
            c.expires.map_or(0, unix_secs),
            c.name,
            c.value
        ));
    }
    text
}

pub(crate) fn from_netscape(text: &str) -> Result<Vec<Cookie>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        // curl writes an empty value as a trailing tab, but accept it without.
        if f.len() != 7 && f.len() != 6 {
            return Err(parse_error(format!(
                "line {n}: expected 7 tab-separated fields, found {}",
                f.len()
            )));
        }
        let flag = |s: &str, what: &str| match s {
            _ if s.eq_ignore_ascii_case("TRUE") => Ok(true),
            _ if s.eq_ignore_ascii_case("FALSE") => Ok(false),
            _ => Err(parse_error(format!(
                "line {n}: {what} must be TRUE or FALSE, not {s:?}"
            ))),
        };
        let subdomains = flag(f[1], "the include-subdomains field")?;
        let secure = flag(f[3], "the secure field")?;
        let expires: i64 = f[4]
            .parse()
            .map_err(|_| parse_error(format!("line {n}: the expiry {:?} is not a number", f[4])))?;
        out.push(Cookie {
            name: f[5].to_owned(),
            value: f.get(6).copied().unwrap_or("").to_owned(),
            domain: f[0].trim_start_matches('.').to_ascii_lowercase(),
            path: f[2].to_owned(),
            expires: (expires != 0).then(|| from_unix_secs(expires)),
            secure,
            http_only,
            host_only: !subdomains,
        });
    }
    Ok(out)
}
