//! Logging: `HSESSION_LOG=error|warn|info|debug|trace` writes lines to
//! stderr, and one process-wide callback (the C ABI's
//! `hsession_set_log_callback`, which the bindings route into their
//! language's logging) receives them on a thread of its own.
//!
//! With logging off an event costs one relaxed load of [`MAX`]: the
//! `hlog!` macro tests it before any formatting. Lines for the callback go
//! through a bounded queue that I/O threads only ever `try_send` to, so a
//! slow callback loses lines (counted by [`dropped`]) but never delays a
//! request. The callback gets a thread of its own rather than the
//! completion-callback thread: that one's queue is unbounded, and a log
//! consumer that waits (for the GIL, for the JS thread) would hold back
//! completions.
//!
//! Lines say what happened in words followed by `key=value` fields (a value
//! with spaces is quoted), so bindings can turn fields into structured
//! attributes. No line carries a header value, and every line goes through
//! [`crate::error::redact_text`], so credentials in URLs never appear.

use std::cell::Cell;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, Once};

/// How much is logged; each level includes those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Nothing.
    Off = 0,
    /// A request failed.
    Error = 1,
    /// A request is retried (with its reason and wait).
    Warn = 2,
    /// One line per request: its outcome and elapsed time.
    Info = 3,
    /// Each exchange: connections opened, request lines, responses,
    /// redirects, silent resends.
    Debug = 4,
    /// Connection-level detail: raw connects, bodies read, connections
    /// going back to the pool or closed.
    Trace = 5,
}

impl Level {
    /// The level for its number (0 off .. 5 trace), as the C ABI gives it.
    pub fn from_number(n: i64) -> Option<Level> {
        Some(match n {
            0 => Level::Off,
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            5 => Level::Trace,
            _ => return None,
        })
    }

    /// The level for its name as `HSESSION_LOG` takes it (any case).
    pub fn from_name(name: &str) -> Option<Level> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "off" | "none" | "0" | "" => Level::Off,
            "error" => Level::Error,
            "warn" | "warning" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            "trace" => Level::Trace,
            _ => return None,
        })
    }

    /// The upper-case name shown on stderr.
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

/// The environment variable read once, when the first session is made.
pub const LOG_ENV: &str = "HSESSION_LOG";

/// The most detailed level any sink wants: the one atomic an event reads.
static MAX: AtomicU8 = AtomicU8::new(0);
/// The level written to stderr.
static STDERR: AtomicU8 = AtomicU8::new(0);
/// The level the callback wants (0 without a callback).
static CALLBACK_LEVEL: AtomicU8 = AtomicU8::new(0);
static ENV_READ: Once = Once::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Lines waiting for the callback: enough for a burst of thousands of
/// requests at debug level; beyond that lines are dropped and counted.
const QUEUE_LINES: usize = 4096;

/// Whether an event at `level` is logged anywhere. Inlined into every event.
#[inline(always)]
pub(crate) fn enabled(level: Level) -> bool {
    level as u8 <= MAX.load(Ordering::Relaxed)
}

/// Logs a line at a level if any sink wants it; the arguments are neither
/// evaluated nor formatted otherwise.
macro_rules! hlog {
    ($level:expr, $($arg:tt)+) => {
        if $crate::logging::enabled($level) {
            $crate::logging::emit($level, format_args!($($arg)+))
        }
    };
}
pub(crate) use hlog;

/// Reads `HSESSION_LOG` the first time it is called (sessions call it as
/// they are made); an unknown value is reported on stderr and ignored.
pub(crate) fn init() {
    ENV_READ.call_once(|| {
        let Ok(value) = std::env::var(LOG_ENV) else {
            return;
        };
        match Level::from_name(&value) {
            Some(level) => STDERR.store(level as u8, Ordering::Relaxed),
            None => eprintln!(
                "hsession: {LOG_ENV}={value:?} is not one of off, error, warn, info, debug, \
                 trace; logging to stderr stays off"
            ),
        }
        update_max();
    });
}

fn update_max() {
    let max = STDERR
        .load(Ordering::Relaxed)
        .max(CALLBACK_LEVEL.load(Ordering::Relaxed));
    MAX.store(max, Ordering::Relaxed);
}

/// Sets the level written to stderr, replacing what `HSESSION_LOG` said.
pub fn set_level(level: Level) {
    ENV_READ.call_once(|| {});
    STDERR.store(level as u8, Ordering::Relaxed);
    update_max();
}

/// The level written to stderr.
pub fn level() -> Level {
    init();
    Level::from_number(STDERR.load(Ordering::Relaxed).into()).unwrap_or(Level::Off)
}

/// Lines lost because the callback's queue was full, since the process began.
pub fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// What receives lines: called on the logging thread, one line at a time.
pub type Sink = Arc<dyn Fn(Level, &str) + Send + Sync>;

struct Delivery {
    sink: Option<Sink>,
    /// The logging thread is inside the sink; replacing it waits for that.
    delivering: bool,
}

static DELIVERY: Mutex<Delivery> = Mutex::new(Delivery {
    sink: None,
    delivering: false,
});
static DELIVERED: Condvar = Condvar::new();
/// The queue to the logging thread, with the process generation that
/// started it (after fork() the child needs a thread of its own).
static QUEUE: Mutex<Option<(usize, Sender)>> = Mutex::new(None);

/// The sending end of the queue to the logging thread.
type Sender = SyncSender<(Level, String)>;

/// Name of the thread that calls the log callback.
pub const LOG_THREAD: &str = "hsession-log";

thread_local! {
    static ON_LOG_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Sets the callback that receives every line at `level` or more important;
/// `None` (or `Level::Off`) removes it. When this returns, the previous
/// callback is not running and is never called again, unless this is
/// called from inside that callback (which is allowed).
pub fn set_callback(sink: Option<Sink>, level: Level) -> crate::Result<()> {
    init();
    let sink = sink.filter(|_| level != Level::Off);
    if sink.is_some() {
        queue()?;
    }
    let mut delivery = DELIVERY.lock().unwrap_or_else(|e| e.into_inner());
    if !ON_LOG_THREAD.with(Cell::get) {
        while delivery.delivering {
            delivery = DELIVERED.wait(delivery).unwrap_or_else(|e| e.into_inner());
        }
    }
    let wanted = if sink.is_some() { level } else { Level::Off };
    delivery.sink = sink;
    CALLBACK_LEVEL.store(wanted as u8, Ordering::Relaxed);
    update_max();
    Ok(())
}

/// The sender to the logging thread of this process generation, started
/// on first use.
fn queue() -> crate::Result<Sender> {
    let generation = crate::runtime::generation();
    let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((g, tx)) = queue.as_ref() {
        if *g == generation {
            return Ok(tx.clone());
        }
    }
    let (tx, rx) = sync_channel(QUEUE_LINES);
    std::thread::Builder::new()
        .name(LOG_THREAD.into())
        .spawn(move || deliver(rx))
        .map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::Runtime,
                format!("cannot start the logging thread: {e}"),
            )
        })?;
    *queue = Some((generation, tx.clone()));
    Ok(tx)
}

/// The logging thread: hands each line to the callback of the moment, and
/// says so when lines were dropped.
fn deliver(rx: Receiver<(Level, String)>) {
    ON_LOG_THREAD.with(|on| on.set(true));
    let mut reported = DROPPED.load(Ordering::Relaxed);
    for (level, line) in rx {
        to_sink(level, &line);
        let dropped = DROPPED.load(Ordering::Relaxed);
        if dropped > reported {
            let lost = format!(
                "{} log lines dropped: the log callback is slower than lines arrive \
                 dropped_total={dropped}",
                dropped - reported
            );
            reported = dropped;
            to_sink(Level::Warn, &lost);
        }
    }
}

fn to_sink(level: Level, line: &str) {
    let sink = {
        let mut delivery = DELIVERY.lock().unwrap_or_else(|e| e.into_inner());
        if level as u8 > CALLBACK_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let Some(sink) = delivery.sink.clone() else {
            return;
        };
        delivery.delivering = true;
        sink
    };
    // A panicking sink must not end the logging thread.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink(level, line)));
    DELIVERY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .delivering = false;
    DELIVERED.notify_all();
}

/// Formats and writes one line; only called when `enabled(level)`.
#[cold]
#[inline(never)]
pub(crate) fn emit(level: Level, args: fmt::Arguments<'_>) {
    let line = fmt::format(args);
    // Belt and braces: URLs are redacted where they are formatted, and any
    // URL with userinfo that slipped into a message (an error's text) is
    // redacted here.
    let line = match crate::error::redact_text(&line) {
        std::borrow::Cow::Borrowed(_) => line,
        std::borrow::Cow::Owned(redacted) => redacted,
    };
    if level as u8 <= STDERR.load(Ordering::Relaxed) {
        // One write per line, so lines from several threads do not mix.
        let text = format!("hsession {} {line}\n", level.name());
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
    if level as u8 <= CALLBACK_LEVEL.load(Ordering::Relaxed) {
        // A forked child gets a logging thread of its own here.
        if let Ok(tx) = queue() {
            match tx.try_send((level, line)) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    DROPPED.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// A duration in milliseconds with a tenth, for `ms=` fields.
pub(crate) struct Ms(pub std::time::Duration);

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}", self.0.as_secs_f64() * 1000.0)
    }
}

/// A URL as lines show it: credentials redacted.
pub(crate) struct ShownUrl<'a>(pub &'a url::Url);

impl fmt::Display for ShownUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::error::redact_url(self.0))
    }
}

/// One exchange's response head (debug): status, version, time to the
/// head, and whether it opened a connection or reused a pooled one.
pub(crate) fn exchange(
    method: &reqwest::Method,
    url: &url::Url,
    probe: &crate::connector::ConnectProbe,
    mark: usize,
    resp: &reqwest::Response,
    sent_at: std::time::Instant,
) {
    let opened = probe
        .opened
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(mark..)
        .and_then(|new| new.last().copied());
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(0);
    if let Some(local) = opened {
        emit(
            Level::Debug,
            format_args!("new connection to {host}:{port} local={local}"),
        );
    }
    emit(
        Level::Debug,
        format_args!(
            "response {} {method} {} version={:?} connection={} head_ms={}",
            resp.status().as_u16(),
            ShownUrl(url),
            resp.version(),
            if opened.is_some() { "new" } else { "reused" },
            Ms(sent_at.elapsed()),
        ),
    );
}

/// The outcome of a whole request (info; error when it failed).
pub(crate) fn finished(
    method: &reqwest::Method,
    url: &url::Url,
    result: &crate::Result<crate::Response>,
) {
    match result {
        Ok(resp) => hlog!(
            Level::Info,
            "done {} {method} {} elapsed_ms={} redirects={} retries={}",
            resp.status(),
            ShownUrl(url),
            Ms(resp.elapsed()),
            resp.history().len(),
            resp.retries(),
        ),
        Err(e) if e.kind() == crate::ErrorKind::Cancelled => hlog!(
            Level::Debug,
            "request cancelled {method} {} (its connection is closed, not pooled)",
            ShownUrl(url)
        ),
        Err(e) => hlog!(
            Level::Error,
            "request failed {method} {} kind={:?} error={:?}",
            ShownUrl(url),
            e.kind(),
            e.message()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::Level;

    #[test]
    fn levels_by_name_and_number() {
        assert_eq!(Level::from_name("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::from_name(" warn "), Some(Level::Warn));
        assert_eq!(Level::from_name("verbose"), None);
        assert_eq!(Level::from_number(5), Some(Level::Trace));
        assert_eq!(Level::from_number(6), None);
        assert!(Level::Error < Level::Trace);
    }
}
