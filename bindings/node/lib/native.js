'use strict';
// The C ABI of libhsession through koffi: which library is loaded, and the
// functions the binding calls. Nothing here knows about HTTP.

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

const SONAME = 'libhsession.so.0';

// The platform package that carries the prebuilt library for this machine
// (an optionalDependency: npm installs only the one whose os/cpu/libc fit).
function platformPackage() {
  if (process.platform !== 'linux') return null;
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  const glibc = report ? Boolean(report.header && report.header.glibcVersionRuntime) : true;
  return `@hsession/linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`;
}

/**
 * Where the library is, in order: HSESSION_LIB when set (nothing else is
 * tried); the platform package; in a source checkout, the project's build
 * (target/release); the installed libhsession.so.0 (make install). Returns
 * the paths to try and what to tell the user when none loads.
 */
function candidates() {
  if (process.env.HSESSION_LIB) {
    return { paths: [process.env.HSESSION_LIB], hint: 'HSESSION_LIB is set, so only that path was tried' };
  }
  const pkg = platformPackage();
  if (pkg) {
    try {
      return { paths: [require(pkg).libraryPath], hint: `the library of ${pkg} does not load; reinstall it` };
    } catch {
      // not installed: fall through
    }
  }
  const top = path.resolve(__dirname, '..', '..', '..');
  if (fs.existsSync(path.join(top, 'Cargo.toml')) && fs.existsSync(path.join(top, 'src', 'ffi'))) {
    return {
      paths: [path.join(top, 'target', 'release', 'libhsession.so'), SONAME],
      hint: `build it with \`cargo build --release\` at ${top}, or set HSESSION_LIB to its path`,
    };
  }
  return {
    paths: [SONAME],
    hint:
      (pkg ? `${pkg} is not installed (npm skips optional dependencies with --omit=optional or on another platform), ` : 'no prebuilt library for this platform, ') +
      'so hsession needs libhsession installed (`make install` from the hsession source) or HSESSION_LIB set to its path',
  };
}

function load() {
  const { paths, hint } = candidates();
  const tried = [];
  for (const p of paths) {
    if (p.includes('/') && !fs.existsSync(p)) {
      tried.push(`${p}: no such file`);
      continue;
    }
    try {
      return { lib: koffi.load(p), libPath: p };
    } catch (e) {
      tried.push(`${p}: ${e.message}`);
    }
  }
  const err = new Error(`hsession: cannot load libhsession: ${hint} (tried ${tried.join('; ')})`);
  err.code = 'HSESSION_LIB_NOT_FOUND';
  throw err;
}

const { lib, libPath } = load();

// Out-params are passed as slots of a BigUint64Array (a pointer to its
// memory), which is cheaper than koffi's boxed [null] arrays. Handles are
// `void *` (BigInt in koffi 3); user data is an integer id, never a pointer.
const f = (sig) => lib.func(sig);

const C = {
  result_str: f('const char *hsession_result_str(uint32_t code)'),
  version: f('const char *hsession_version()'),
  abi_version: f('uint32_t hsession_abi_version()'),

  new: f('uint32_t hsession_new(void *session_out, void *err_out)'),
  free: f('void hsession_free(void *session)'),
  set_header: f('uint32_t hsession_set_header(void *s, const char *name, const char *value, void *err_out)'),
  append_header: f('uint32_t hsession_append_header(void *s, const char *name, const char *value, void *err_out)'),
  remove_header: f('uint32_t hsession_remove_header(void *s, const char *name, void *err_out)'),
  set_basic_auth: f('uint32_t hsession_set_basic_auth(void *s, const char *user, const char *password, void *err_out)'),
  set_digest_auth: f('uint32_t hsession_set_digest_auth(void *s, const char *user, const char *password, void *err_out)'),
  set_bearer_auth: f('uint32_t hsession_set_bearer_auth(void *s, const char *token, void *err_out)'),
  clear_auth: f('uint32_t hsession_clear_auth(void *s)'),
  add_query_param: f('uint32_t hsession_add_query_param(void *s, const char *key, const char *value, void *err_out)'),
  clear_query_params: f('uint32_t hsession_clear_query_params(void *s)'),
  set_connect_timeout_ms: f('uint32_t hsession_set_connect_timeout_ms(void *s, uint64_t ms)'),
  set_read_timeout_ms: f('uint32_t hsession_set_read_timeout_ms(void *s, uint64_t ms)'),
  set_total_timeout_ms: f('uint32_t hsession_set_total_timeout_ms(void *s, uint64_t ms)'),
  set_max_redirects: f('uint32_t hsession_set_max_redirects(void *s, size_t max)'),
  set_refuse_downgrade: f('uint32_t hsession_set_refuse_downgrade(void *s, int32_t refuse)'),
  set_retry: f(
    'uint32_t hsession_set_retry(void *s, int64_t total, int64_t connect, int64_t read, int64_t status, ' +
      'double backoff_factor, double backoff_max, double backoff_jitter, void *err_out)'
  ),
  set_retry_statuses: f('uint32_t hsession_set_retry_statuses(void *s, const uint16_t *statuses, size_t count, void *err_out)'),
  set_retry_methods: f('uint32_t hsession_set_retry_methods(void *s, const char *methods, void *err_out)'),
  set_retry_flags: f('uint32_t hsession_set_retry_flags(void *s, int32_t respect_retry_after, int32_t raise_on_status)'),
  set_max_body_size: f('uint32_t hsession_set_max_body_size(void *s, uint64_t bytes)'),
  set_proxy: f('uint32_t hsession_set_proxy(void *s, const char *scheme, const char *url, void *err_out)'),
  set_no_proxy: f('uint32_t hsession_set_no_proxy(void *s, const char *list, void *err_out)'),
  set_trust_env: f('uint32_t hsession_set_trust_env(void *s, int32_t trust, void *err_out)'),
  set_pool_idle_timeout_ms: f('uint32_t hsession_set_pool_idle_timeout_ms(void *s, uint64_t ms, void *err_out)'),
  set_http2_keep_alive_ms: f('uint32_t hsession_set_http2_keep_alive_ms(void *s, uint64_t interval_ms, uint64_t timeout_ms, void *err_out)'),
  set_pool_max_idle_per_host: f('uint32_t hsession_set_pool_max_idle_per_host(void *s, size_t max, void *err_out)'),
  set_max_connections_per_host: f('uint32_t hsession_set_max_connections_per_host(void *s, size_t max, void *err_out)'),
  requests_sent: f('uint64_t hsession_requests_sent(void *s)'),
  connections_opened: f('uint64_t hsession_connections_opened(void *s)'),
  set_verify: f('uint32_t hsession_set_verify(void *s, int32_t verify, void *err_out)'),
  set_ca_file: f('uint32_t hsession_set_ca_file(void *s, const char *path, void *err_out)'),
  set_client_cert: f('uint32_t hsession_set_client_cert(void *s, const char *cert, const char *key, void *err_out)'),
  set_min_tls_version: f('uint32_t hsession_set_min_tls_version(void *s, uint32_t version, void *err_out)'),

  send_packed: f(
    'uint32_t hsession_send_packed(void *s, const uint8_t *data, size_t len, void *callback, ' +
      'uintptr_t user_data, void *call_out, void *err_out)'
  ),
  send: f('uint32_t hsession_send(void *s, void *request, void *callback, uintptr_t user_data, void *call_out, void *err_out)'),
  request_new_packed: f('uint32_t hsession_request_new_packed(const uint8_t *data, size_t len, void *request_out, void *err_out)'),
  request_free: f('void hsession_request_free(void *request)'),
  call_take: f('uint32_t hsession_call_take(void *call, void *response_out, void *err_out)'),
  call_cancel: f('uint32_t hsession_call_cancel(void *call)'),
  call_free: f('void hsession_call_free(void *call)'),

  response_free: f('void hsession_response_free(void *r)'),
  // libc's memcpy, found through libhsession's own dependencies: copies a
  // response's bytes into a Buffer without making an external ArrayBuffer
  // (koffi.view) first, which costs about ten times the copy.
  memcpy: f('void memcpy(void *dst, void *src, size_t n)'),
  response_packed: f('uint32_t hsession_response_packed(void *r, void *head_out, void *head_len_out, void *body_out, void *body_len_out)'),
  response_read_async: f(
    'uint32_t hsession_response_read_async(void *r, void *buf, size_t cap, void *callback, uintptr_t user_data, void *err_out)'
  ),

  error_code: f('uint32_t hsession_error_code(void *err)'),
  error_message: f('const char *hsession_error_message(void *err)'),
  error_url: f('const char *hsession_error_url(void *err)'),
  error_free: f('void hsession_error_free(void *err)'),

  cookies_list: f('uint32_t hsession_cookies_list(void *s, void *list_out, void *err_out)'),
  cookies_for_url: f('uint32_t hsession_cookies_for_url(void *s, const char *url, void *list_out, void *err_out)'),
  cookie_list_free: f('void hsession_cookie_list_free(void *list)'),
  cookie_list_count: f('size_t hsession_cookie_list_count(void *list)'),
  cookie_list_at: f(
    'uint32_t hsession_cookie_list_at(void *list, size_t index, _Out_ const char **name, _Out_ const char **value, ' +
      '_Out_ const char **domain, _Out_ const char **path, _Out_ int64_t *expires, _Out_ uint32_t *flags)'
  ),
  cookies_set: f('uint32_t hsession_cookies_set(void *s, const char *url, const char *set_cookie, void *err_out)'),
  cookies_set_fields: f(
    'uint32_t hsession_cookies_set_fields(void *s, const char *url, const char *name, const char *value, ' +
      'const char *domain, const char *path, int64_t expires, uint32_t flags, void *err_out)'
  ),
  cookies_delete: f('uint32_t hsession_cookies_delete(void *s, const char *domain, const char *path, const char *name, void *err_out)'),
  cookies_clear: f('uint32_t hsession_cookies_clear(void *s)'),
  cookies_clear_domain: f('uint32_t hsession_cookies_clear_domain(void *s, const char *domain, void *removed_out, void *err_out)'),
  cookies_clear_session: f('uint32_t hsession_cookies_clear_session(void *s, void *removed_out)'),
  cookies_save: f('uint32_t hsession_cookies_save(void *s, const char *path, uint32_t format, void *count_out, void *err_out)'),
  cookies_load: f('uint32_t hsession_cookies_load(void *s, const char *path, uint32_t format, void *count_out, void *err_out)'),
  set_cookie_file: f('uint32_t hsession_set_cookie_file(void *s, const char *path, uint32_t format, void *count_out, void *err_out)'),
};

// Completion callbacks (hsession_callback, hsession_read_callback). They are
// registered once for the process; koffi relays each call from hsession's
// callback thread to the JS main thread.
const NotifyProto = koffi.proto('void hsession_node_notify(void *user_data)');
const CallbackProto = koffi.proto('void hsession_node_done(uintptr_t user_data, void *call, uint32_t result)');
const ReadProto = koffi.proto('void hsession_node_read(uintptr_t user_data, uint32_t result, size_t n)');

// Completion queues (hsession_queue_*): absent from libraries built before
// them, where the binding falls back to one callback per request.
const optional = (sig) => {
  try {
    return lib.func(sig);
  } catch {
    return null;
  }
};
C.queue_new = optional('uint32_t hsession_queue_new(void *notify, void *user_data, void *queue_out)');
// Streamed request bodies (lib/upload.js), absent before them.
C.request_set_body_pipe = optional('uint32_t hsession_request_set_body_pipe(void *request, int64_t length, void *fd_out, void *err_out)');
C.send_queued = optional('uint32_t hsession_send_queued(void *s, void *request, void *queue, uint64_t tag, void *call_out, void *err_out)');
C.queue_new_fd = optional('uint32_t hsession_queue_new_fd(void *queue_out, void *fd_out, void *err_out)');
C.queue_poll = optional('size_t hsession_queue_poll(void *queue, void *tags_out, size_t cap)');
C.send_packed_queued = optional(
  'uint32_t hsession_send_packed_queued(void *s, const uint8_t *data, size_t len, void *queue, uint64_t tag, void *call_out, void *err_out)'
);

// The log callback (lib/logging.js).
C.set_log_callback = optional('uint32_t hsession_set_log_callback(void *callback, void *user_data, int min_level, void *err_out)');
C.log_dropped = optional('uint64_t hsession_log_dropped()');

module.exports = { koffi, lib, C, libPath, NotifyProto, CallbackProto, ReadProto };
