package hsession

// #include "hsession.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Code is one of the library's result codes (docs/c-api.md, "Result codes"). The
// numbers are stable. A Code is itself an error, so
// errors.Is(err, hsession.CodeReadTimeout) tests for one exact code.
type Code uint32

// The result codes, as in include/hsession.h.
const (
	CodeOK                 Code = C.HSESSION_OK
	CodeNullArgument       Code = C.HSESSION_NULL_ARGUMENT
	CodeInvalidUTF8        Code = C.HSESSION_INVALID_UTF8
	CodeInvalidArgument    Code = C.HSESSION_INVALID_ARGUMENT
	CodeInvalidMethod      Code = C.HSESSION_INVALID_METHOD
	CodeInvalidURL         Code = C.HSESSION_INVALID_URL
	CodeUnsupportedScheme  Code = C.HSESSION_UNSUPPORTED_SCHEME
	CodeInvalidHeaderName  Code = C.HSESSION_INVALID_HEADER_NAME
	CodeInvalidHeaderValue Code = C.HSESSION_INVALID_HEADER_VALUE
	CodeNotFound           Code = C.HSESSION_NOT_FOUND
	CodeConnect            Code = C.HSESSION_CONNECT
	CodeConnectTimeout     Code = C.HSESSION_CONNECT_TIMEOUT
	CodeReadTimeout        Code = C.HSESSION_READ_TIMEOUT
	CodeTimeout            Code = C.HSESSION_TIMEOUT
	CodeConnectionClosed   Code = C.HSESSION_CONNECTION_CLOSED
	CodeProtocol           Code = C.HSESSION_PROTOCOL
	CodeTLS                Code = C.HSESSION_TLS
	CodeDecode             Code = C.HSESSION_DECODE
	CodeTooManyRedirects   Code = C.HSESSION_TOO_MANY_REDIRECTS
	CodeCancelled          Code = C.HSESSION_CANCELLED
	CodeWrongThread        Code = C.HSESSION_WRONG_THREAD
	CodeRuntime            Code = C.HSESSION_RUNTIME
	CodePanic              Code = C.HSESSION_PANIC
	CodeInternal           Code = C.HSESSION_INTERNAL
	CodePending            Code = C.HSESSION_PENDING
	CodeIO                 Code = C.HSESSION_IO
	CodeParse              Code = C.HSESSION_PARSE
	CodeBodyTooLarge       Code = C.HSESSION_BODY_TOO_LARGE
	CodeTooManyRetries     Code = C.HSESSION_TOO_MANY_RETRIES
	CodeProxy              Code = C.HSESSION_PROXY
)

// String is the library's description of the code.
func (c Code) String() string { return C.GoString(C.hsession_result_str(C.hsession_result(c))) }

func (c Code) Error() string { return "hsession: " + c.String() }

// Kinds of failure that span several codes, for errors.Is:
//
//	errors.Is(err, hsession.ErrTimeout)   // connect, read-idle or total timeout
//	errors.Is(err, hsession.ErrCancelled) // context cancelled or deadline passed
var (
	ErrTimeout   error = &kind{"timeout", []Code{CodeConnectTimeout, CodeReadTimeout, CodeTimeout}}
	ErrCancelled error = &kind{"cancelled", []Code{CodeCancelled}}
	ErrTLS       error = &kind{"TLS failure", []Code{CodeTLS}}
	ErrConnect   error = &kind{"cannot connect", []Code{CodeConnect, CodeConnectTimeout}}
	// ErrProxy: the proxy could not be reached or refused the tunnel.
	ErrProxy error = &kind{"proxy failure", []Code{CodeProxy}}
	// ErrInvalid: bad input (method, URL, header, argument); nothing was sent.
	ErrInvalid error = &kind{"invalid input", []Code{CodeNullArgument, CodeInvalidUTF8, CodeInvalidArgument,
		CodeInvalidMethod, CodeInvalidURL, CodeUnsupportedScheme, CodeInvalidHeaderName, CodeInvalidHeaderValue}}
	// ErrClosed: the session was closed before the call.
	ErrClosed = errors.New("hsession: session closed")
)

type kind struct {
	name  string
	codes []Code
}

func (k *kind) Error() string { return "hsession: " + k.name }

func (k *kind) has(c Code) bool {
	for _, x := range k.codes {
		if x == c {
			return true
		}
	}
	return false
}

// Error is a failed call: the library's code, its message and the URL it
// concerns (credentials replaced by "***"). When a context ended the
// request, Unwrap gives the context's error, so
// errors.Is(err, context.DeadlineExceeded) works as with net/http.
type Error struct {
	Code    Code
	Message string
	URL     string
	ctxErr  error
}

func (e *Error) Error() string {
	// The library's message often starts with the code's own text ("TLS
	// failure: ..."); the kind is said once.
	kind := e.Code.String()
	msg := "hsession: " + kind
	if detail := strings.TrimPrefix(e.Message, kind+": "); e.Message != "" && e.Message != kind {
		msg += ": " + detail
	}
	if e.URL != "" {
		msg += fmt.Sprintf(" (%s)", e.URL)
	}
	if e.ctxErr != nil {
		msg += ": " + e.ctxErr.Error()
	}
	return msg
}

// Is matches a Code equal to e.Code, and the kinds ErrTimeout, ErrCancelled,
// ErrTLS, ErrConnect and ErrInvalid. A context deadline also counts as
// ErrTimeout.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Code == t
	case *kind:
		if t == ErrTimeout && errors.Is(e.ctxErr, context.DeadlineExceeded) {
			return true
		}
		return t.has(e.Code)
	}
	return false
}

// Unwrap gives the context error that cancelled the request, if any.
func (e *Error) Unwrap() error { return e.ctxErr }

// Timeout reports a timeout (net.Error), a context deadline included.
func (e *Error) Timeout() bool { return errors.Is(e, ErrTimeout) }

// Temporary is false; it exists for net.Error and is deprecated there.
func (e *Error) Temporary() bool { return false }
