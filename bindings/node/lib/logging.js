'use strict';
// The library's log lines in Node: diagnostics_channel channels named like
// undici's, and an optional logger function (setLogger).
//
// The library calls one process-wide log callback on its logging thread;
// koffi relays each call to the JS thread (that logging thread waits, the
// library's I/O threads never do: lines queue there and are dropped when
// the queue is full). The callback is installed the first time a logger is
// set or a channel has subscribers, at the trace level, and then kept for
// the life of the process: levels are filtered here, because replacing the
// callback from the JS thread would wait for a line the JS thread has yet
// to run.

const dc = require('node:diagnostics_channel');
const { koffi, C } = require('./native');

const LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'];

/** Every line goes to `hsession:log`; events also go to the undici-style channel for them. */
const channels = {
  log: dc.channel('hsession:log'),
  connected: dc.channel('hsession:client:connected'),
  connectError: dc.channel('hsession:client:connectError'),
  sendHeaders: dc.channel('hsession:client:sendHeaders'),
  headers: dc.channel('hsession:request:headers'),
  trailers: dc.channel('hsession:request:trailers'),
  error: dc.channel('hsession:request:error'),
  retry: dc.channel('hsession:request:retry'),
  redirect: dc.channel('hsession:request:redirect'),
};

// The line's leading words -> the event channel.
const EVENTS = [
  ['new connection ', channels.connected],
  ['connected ', channels.connected],
  ['connect failed ', channels.connectError],
  ['request failed ', channels.error],
  ['request cancelled ', channels.error],
  ['request ', channels.sendHeaders],
  ['response ', channels.headers],
  ['done ', channels.trailers],
  ['retry ', channels.retry],
  ['resend ', channels.retry],
  ['redirect ', channels.redirect],
];

let logger = null;
let loggerLevel = 0;
let installed = false;

/** A line's words and its key=value fields (quoted values unquoted). */
function parseLine(line) {
  const words = [];
  const fields = {};
  const re = /\s*(?:([a-z_]+)=("(?:[^"\\]|\\.)*"|\S*)|(\S+))/gy;
  let m;
  while ((m = re.exec(line)) !== null && m[0] !== '') {
    if (m[1] !== undefined) {
      let v = m[2];
      if (v.startsWith('"')) {
        try {
          v = JSON.parse(v);
        } catch {
          v = v.slice(1, -1);
        }
      }
      fields[m[1]] = v;
    } else {
      words.push(m[3]);
    }
  }
  return { message: words.join(' '), fields };
}

const onLine = (_userData, level, line) => {
  const name = LEVELS[level] || 'debug';
  const wantsLogger = logger !== null && level <= loggerLevel;
  let event = null;
  if (level <= 4) {
    for (const [prefix, ch] of EVENTS) {
      if (line.startsWith(prefix)) {
        event = ch;
        break;
      }
    }
  }
  const toEvent = event !== null && event.hasSubscribers;
  if (!wantsLogger && !toEvent && !channels.log.hasSubscribers) return;
  const { message, fields } = parseLine(line);
  const record = { level: name, line, message, fields };
  if (channels.log.hasSubscribers) channels.log.publish(record);
  if (toEvent) event.publish(record);
  if (wantsLogger) {
    try {
      logger(name, line, record);
    } catch (e) {
      process.emitWarning(`hsession: the logger threw: ${e && e.message}`);
    }
  }
};

let LogProto = null;
let registered = null;

function install() {
  if (installed || C.set_log_callback === null) return;
  LogProto = LogProto || koffi.proto('void hsession_node_log(void *user_data, int level, const char *message)');
  registered = registered || koffi.register(onLine, koffi.pointer(LogProto));
  if (C.set_log_callback(registered, null, 5, null) === 0) installed = true;
}

/** Installs the callback once anyone listens (called as sessions are made and requests start). */
function maybeInstall() {
  if (installed) return;
  for (const ch of Object.values(channels)) {
    if (ch.hasSubscribers) return install();
  }
}

/**
 * Routes log lines to `fn(level, line, record)` for every session of the
 * process; `level` ('error' .. 'trace', default 'debug') filters them.
 * `null` stops it.
 */
function setLogger(fn, level = 'debug') {
  if (fn !== null && typeof fn !== 'function') throw new TypeError('setLogger: a function or null');
  const n = LEVELS.indexOf(String(level).toLowerCase());
  if (n < 0) throw new TypeError(`setLogger: level must be one of ${LEVELS.join(', ')}, got ${level}`);
  logger = fn;
  loggerLevel = n;
  if (fn !== null && n > 0) install();
}

/** Lines lost because the JS thread did not keep up (since the process started). */
function logLinesDropped() {
  return C.log_dropped === null ? 0 : Number(C.log_dropped());
}

module.exports = { setLogger, maybeInstall, logLinesDropped, channels, parseLine };
