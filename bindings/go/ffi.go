package hsession

// The cgo boundary: linking, and small C shims so that Go never passes a
// callback function pointer or a handle disguised as a pointer itself.
//
// Rules kept everywhere in this package (cgo's pointer-passing rules):
//   - Go memory passed to C (a packed request, a read buffer) holds no Go
//     pointers and is used by C only during the call.
//   - C keeps no Go pointer: callbacks get a runtime/cgo.Handle (an integer)
//     or a registry number as user_data.
//   - runtime.KeepAlive after a C call on memory whose cleanup could free it.

/*
#include <stdint.h>
#include <stdlib.h>
#include "hsession.h"

// Defined in Go (callbacks.go, //export).
extern void hsessionGoCallDone(uintptr_t handle, hsession_call *call, hsession_result rc);
extern int64_t hsessionGoBodyRead(uintptr_t id, uint8_t *buf, size_t cap);

static void hs_call_done(void *user_data, hsession_call *call, hsession_result rc) {
	hsessionGoCallDone((uintptr_t)user_data, call, rc);
}

static int64_t hs_body_read(void *user_data, uint8_t *buf, size_t cap) {
	return hsessionGoBodyRead((uintptr_t)user_data, buf, cap);
}

hsession_result hs_send_packed(const hsession *s, const uint8_t *data, size_t len,
                               uintptr_t handle, hsession_call **call, hsession_error **err) {
	return hsession_send_packed(s, data, len, hs_call_done, (void *)handle, call, err);
}

// A blocking packed request that obeys a cancel token (blocking.go): one
// crossing for build, send and free.
hsession_result hs_request_packed_token(const hsession *s, const uint8_t *data, size_t len,
                                        const hsession_cancel_token *token,
                                        hsession_response **resp, hsession_error **err) {
	hsession_request_builder *req = NULL;
	hsession_result rc = hsession_request_new_packed(data, len, &req, err);
	if (rc != HSESSION_OK) return rc;
	rc = hsession_request_set_cancel_token(req, token);
	if (rc == HSESSION_OK) rc = hsession_request(s, req, resp, err);
	hsession_request_free(req);
	return rc;
}

// A packed request whose body comes from a Go io.Reader: build it, attach
// the reader (by registry id), send it, free the builder (the call keeps
// what it needs).
hsession_result hs_send_packed_reader(const hsession *s, const uint8_t *data, size_t len,
                                             uintptr_t reader_id, int64_t length, uintptr_t handle,
                                             hsession_call **call, hsession_error **err) {
	hsession_request_builder *req = NULL;
	hsession_result rc = hsession_request_new_packed(data, len, &req, err);
	if (rc != HSESSION_OK) return rc;
	rc = hsession_request_set_body_callback(req, hs_body_read, (void *)reader_id, length, err);
	if (rc == HSESSION_OK) rc = hsession_send(s, req, hs_call_done, (void *)handle, call, err);
	hsession_request_free(req);
	return rc;
}
*/
import "C"

import (
	"unsafe"
)

// cString copies s to C memory; the caller frees it with C.free.
func cString(s string) *C.char { return C.CString(s) }

// optCString is cString, or NULL for "" (the C API's "none"); cFree takes both.
func optCString(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

func cFree(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// goStringN copies n bytes at p (C memory) into a Go string.
func goStringN(p *C.char, n C.size_t) string {
	if n == 0 {
		return ""
	}
	return C.GoStringN(p, C.int(n))
}

// cBytes views n bytes of C memory as a Go slice, without copying. The view
// is valid only while the C object owning the memory lives.
func cBytes(p *C.uint8_t, n C.size_t) []byte {
	if n == 0 || p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// errorFrom turns a failed result and its optional detail into an *Error,
// freeing the detail.
func errorFrom(rc C.hsession_result, e *C.hsession_error) error {
	err := &Error{Code: Code(rc)}
	if e != nil {
		if m := C.hsession_error_message(e); m != nil {
			err.Message = C.GoString(m)
		}
		if u := C.hsession_error_url(e); u != nil {
			err.URL = C.GoString(u)
		}
		C.hsession_error_free(e)
	}
	return err
}

// check turns a result code into nil or an *Error.
func check(rc C.hsession_result, e *C.hsession_error) error {
	if rc == C.HSESSION_OK {
		return nil
	}
	return errorFrom(rc, e)
}

// Version is the loaded library's version, "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.hsession_version()) }

// SetWorkerThreads sets how many threads hsession's runtime starts with.
// Call it before the first New; afterwards it fails with CodeRuntime.
// Without it the HSESSION_WORKER_THREADS environment variable decides, else
// one thread per four CPUs.
func SetWorkerThreads(n int) error {
	if n < 1 {
		return &Error{Code: CodeInvalidArgument, Message: "worker threads must be at least 1"}
	}
	var e *C.hsession_error
	return check(C.hsession_set_worker_threads(C.size_t(n), &e), e)
}
