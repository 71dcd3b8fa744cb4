//! HTTP Digest access authentication (RFC 7616; RFC 2069 when the challenge
//! has no qop): MD5, SHA-256 and their -sess variants (and SHA-512, which
//! requests answers too), qop=auth.
//!
//! A [`DigestAuth`] holds the credentials and, per origin, the last
//! challenge answered with its nonce count, so later requests to that
//! origin send Authorization at once with the next count (as requests'
//! HTTPDigestAuth does). The 401 handling is in `send::redirects`.

use crate::error::{Error, ErrorKind, Result};
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use reqwest::Method;
use std::collections::HashMap;
use std::sync::Mutex;

/// Origins remembered per credentials at most; the oldest goes first.
const MAX_ORIGINS: usize = 64;

/// Digest credentials and the challenges they have answered.
pub(crate) struct DigestAuth {
    user: String,
    password: String,
    /// Origin (ASCII serialization) -> its last challenge, oldest first.
    challenges: Mutex<Vec<(String, Challenge)>>,
}

impl std::fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestAuth").finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Algorithm {
    Md5,
    Sha256,
    /// Not in RFC 7616, but answered by requests and offered by httpbin.
    Sha512,
}

#[derive(Clone, Debug)]
struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    /// As the server spelled it, echoed back; `None` when it sent none.
    algorithm_name: Option<String>,
    algorithm: Algorithm,
    sess: bool,
    qop_auth: bool,
    /// Nonce counts used so far with this nonce.
    nc: u32,
}

impl DigestAuth {
    pub(crate) fn new(user: &str, password: &str) -> Result<DigestAuth> {
        if user.contains('"') || user.chars().any(|c| c.is_control()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "a digest-auth user name cannot contain '\"' or control characters",
            ));
        }
        Ok(DigestAuth {
            user: user.to_owned(),
            password: password.to_owned(),
            challenges: Mutex::new(Vec::new()),
        })
    }

    /// Takes the Digest challenge of a 401's WWW-Authenticate headers for
    /// `url`'s origin; false when there is none this code can answer.
    pub(crate) fn learn(&self, url: &url::Url, headers: &HeaderMap) -> bool {
        let Some(mut challenge) = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(parse_challenge)
        else {
            return false;
        };
        let origin = url.origin().ascii_serialization();
        let mut all = self.challenges.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = all.iter().position(|(o, _)| *o == origin) {
            let (_, old) = all.remove(i);
            if old.nonce == challenge.nonce {
                challenge.nc = old.nc;
            }
        }
        all.push((origin, challenge));
        if all.len() > MAX_ORIGINS {
            all.remove(0);
        }
        true
    }

    /// The Authorization for `method` to `url`, from the last challenge of
    /// its origin with the next nonce count; `None` before any challenge.
    pub(crate) fn authorization(&self, method: &Method, url: &url::Url) -> Option<HeaderValue> {
        let origin = url.origin().ascii_serialization();
        let mut all = self.challenges.lock().unwrap_or_else(|e| e.into_inner());
        let (_, c) = all.iter_mut().find(|(o, _)| *o == origin)?;
        c.nc = c.nc.wrapping_add(1);
        let c = c.clone();
        drop(all);
        let mut uri = url.path().to_owned();
        if let Some(q) = url.query() {
            uri.push('?');
            uri.push_str(q);
        }
        let h = |s: &str| hash(c.algorithm, s);
        let cnonce = cnonce();
        let nc = format!("{:08x}", c.nc);
        let mut ha1 = h(&format!("{}:{}:{}", self.user, c.realm, self.password));
        if c.sess {
            ha1 = h(&format!("{ha1}:{}:{cnonce}", c.nonce));
        }
        let ha2 = h(&format!("{}:{uri}", method.as_str()));
        let response = match c.qop_auth {
            true => h(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce)),
            false => h(&format!("{ha1}:{}:{ha2}", c.nonce)),
        };
        let mut value = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{response}\"",
            self.user,
            quote(&c.realm),
            quote(&c.nonce),
            quote(&uri)
        );
        if let Some(opaque) = &c.opaque {
            value.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
        }
        if let Some(name) = &c.algorithm_name {
            value.push_str(&format!(", algorithm={name}"));
        }
        if c.qop_auth {
            value.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        }
        let mut v = HeaderValue::try_from(value).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn hash(algorithm: Algorithm, s: &str) -> String {
    use sha2::Digest as _;
    let bytes: Vec<u8> = match algorithm {
        Algorithm::Md5 => md5::Md5::digest(s.as_bytes()).to_vec(),
        Algorithm::Sha256 => sha2::Sha256::digest(s.as_bytes()).to_vec(),
        Algorithm::Sha512 => sha2::Sha512::digest(s.as_bytes()).to_vec(),
    };
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 16 random bytes as hex; a clock-and-counter mix should the OS have none.
fn cnonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(SEQ.fetch_add(1, Ordering::Relaxed));
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(t.as_nanos());
        }
        bytes[..8].copy_from_slice(&h.finish().to_le_bytes());
    }
    hex(&bytes)
}

/// The Digest challenge in one WWW-Authenticate value (which may hold other
/// schemes' challenges too), if it is one this code can answer.
fn parse_challenge(value: &str) -> Option<Challenge> {
    let params = digest_params(value)?;
    let get = |k: &str| params.get(k).cloned();
    let algorithm_name = get("algorithm");
    let (algorithm, sess) = match algorithm_name
        .as_deref()
        .unwrap_or("MD5")
        .to_ascii_uppercase()
        .as_str()
    {
        "MD5" => (Algorithm::Md5, false),
        "MD5-SESS" => (Algorithm::Md5, true),
        "SHA-256" => (Algorithm::Sha256, false),
        "SHA-256-SESS" => (Algorithm::Sha256, true),
        "SHA-512" => (Algorithm::Sha512, false),
        "SHA-512-SESS" => (Algorithm::Sha512, true),
        _ => return None,
    };
    let qop_auth = match get("qop") {
        None => false,
        Some(list) => {
            if !list
                .split(',')
                .any(|q| q.trim().eq_ignore_ascii_case("auth"))
            {
                return None; // auth-int only
            }
            true
        }
    };
    Some(Challenge {
        realm: get("realm")?,
        nonce: get("nonce")?,
        opaque: get("opaque"),
        algorithm_name,
        algorithm,
        sess,
        qop_auth,
        nc: 0,
    })
}

/// The parameters of the Digest challenge in `value`, keys in lower case.
fn digest_params(value: &str) -> Option<HashMap<String, String>> {
    let mut rest = value;
    // Find the scheme token "Digest" at the start or after a comma.
    loop {
        let t = rest.trim_start_matches([' ', '\t', ',']);
        let word_end = t.find([' ', '\t', ',', '=']).unwrap_or(t.len());
        let word = &t[..word_end];
        let after = &t[word_end..];
        if word.eq_ignore_ascii_case("digest") && !after.trim_start().starts_with('=') {
            rest = after;
            break;
        }
        // Skip this token (a scheme or a parameter, quoted value included).
        let (_, next) = skip_param(t)?;
        if next.len() == t.len() {
            return None;
        }
        rest = next;
    }
    let mut params = HashMap::new();
    loop {
        let t = rest.trim_start_matches([' ', '\t', ',']);
        if t.is_empty() {
            break;
        }
        let Some(eq) = t.find('=') else {
            break;
        };
        let key = t[..eq].trim();
        if key.contains([' ', '\t', ',']) {
            break; // the next scheme's challenge starts here
        }
        let (value, next) = read_value(&t[eq + 1..]);
        params.insert(key.to_ascii_lowercase(), value);
        rest = next;
    }
    Some(params)
}

/// Skips one token or `key=value` at the start of `t`.
fn skip_param(t: &str) -> Option<((), &str)> {
    let end = t.find([' ', '\t', ',', '=']).unwrap_or(t.len());
    let after = t[end..].trim_start();
    match after.strip_prefix('=') {
        Some(v) if !v.starts_with('=') => Some(((), read_value(v).1)),
        _ => Some(((), &t[end..])),
    }
}

/// A token or quoted-string value and what follows it.
fn read_value(s: &str) -> (String, &str) {
    let s = s.trim_start();
    match s.strip_prefix('"') {
        Some(quoted) => {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => return (value, &quoted[i + 1..]),
                    c => value.push(c),
                }
            }
            (value, "")
        }
        None => {
            let end = s.find([',', ' ', '\t']).unwrap_or(s.len());
            (s[..end].to_owned(), &s[end..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7616_md5_example() {
        // RFC 7616 section 3.9.1, with the RFC's cnonce and nc.
        let c = parse_challenge(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, \
             nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        )
        .unwrap();
        assert!(c.qop_auth && !c.sess && c.algorithm == Algorithm::Md5);
        let h = |s: &str| hash(Algorithm::Md5, s);
        let ha1 = h(&format!("Mufasa:{}:Circle of Life", c.realm));
        let ha2 = h("GET:/dir/index.html");
        let resp = h(&format!(
            "{ha1}:{}:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:{ha2}",
            c.nonce
        ));
        assert_eq!(resp, "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn any_header_text_parses_without_panic() {
        // A server's WWW-Authenticate is untrusted: random text from the
        // characters that matter to the parser, multi-byte ones included.
        let alphabet: Vec<char> = "Digest realm=\"\\, \tnonce=qop=auth,é€Basic"
            .chars()
            .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for _ in 0..(x % 48) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let _ = parse_challenge(&text);
        }
    }

    #[test]
    fn finds_digest_among_other_schemes() {
        let c = parse_challenge(
            "Basic realm=\"x\", Digest realm=\"r, s\", nonce=\"n\", algorithm=SHA-256-sess, Bearer",
        )
        .unwrap();
        assert_eq!((c.realm.as_str(), c.nonce.as_str()), ("r, s", "n"));
        assert!(c.sess && c.algorithm == Algorithm::Sha256 && !c.qop_auth);
        assert!(parse_challenge("Basic realm=\"digest\"").is_none());
        assert!(parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"").is_none());
        assert!(
            parse_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256").is_none()
        );
    }
}
