package hsession

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Transport is an http.RoundTripper over a Session: an http.Client using
// it gets the session's connection pool, cookie jar, default headers and
// auth, retries, proxies and TLS settings.
//
// As the RoundTripper contract asks, redirects are left to the
// http.Client (each hop is one round trip; the session's jar sees every
// hop). A Cookie header the client sets (an http.Client with its own Jar)
// replaces the session jar's cookies for that request.
type Transport struct {
	Session *Session
	// Stream reads response bodies from the network as they arrive
	// instead of receiving them whole before RoundTrip returns.
	Stream bool
}

// Transport returns an http.RoundTripper sending through s:
//
//	client := &http.Client{Transport: s.Transport()}
func (s *Session) Transport() http.RoundTripper { return &Transport{Session: s} }

// bodies up to this size are read before sending, so retries and 307/308
// redirects can replay them; larger or unknown ones are streamed.
const bufferLimit = 4 << 20

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := &Request{Method: req.Method, URL: req.URL.String(), Header: req.Header, Stream: t.Stream}
	if req.Body != nil && req.Body != http.NoBody {
		defer req.Body.Close()
		if req.ContentLength > 0 && req.ContentLength <= bufferLimit {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			r.Body = bytes.NewReader(b)
		} else {
			r.Body = req.Body
			r.ContentLength = req.ContentLength
		}
	}
	if req.Host != "" && req.Host != req.URL.Host {
		h := req.Header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Host", req.Host)
		r.Header = h
	}
	resp, err := t.Session.do(req.Context(), r, true)
	if err != nil {
		return nil, err
	}
	major, minor := 1, 1
	if v, ok := strings.CutPrefix(resp.Proto, "HTTP/"); ok {
		a, b, _ := strings.Cut(v, ".")
		major, _ = strconv.Atoi(a)
		minor, _ = strconv.Atoi(b)
	}
	length := int64(-1)
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			length = n
		}
	}
	return &http.Response{
		Status: resp.Status, StatusCode: resp.StatusCode,
		Proto: resp.Proto, ProtoMajor: major, ProtoMinor: minor,
		Header: resp.Header, Body: resp.Body, ContentLength: length,
		Request: req,
	}, nil
}
