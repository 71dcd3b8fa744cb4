package hsession

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Timings are one exchange's phases and connection, measured by the
// library. The phases are durations from when the exchange was sent (the
// request's start, or for the exchange after a redirect, when that redirect
// was answered) to when each ended, in order: Queued (handed to the
// connection pool), DNS, Connect (TCP), TLS, FirstByte (the response head)
// and Total (the body read; the head when streamed). A phase that did not
// happen (no DNS for an IP address, no connect or TLS on a reused
// connection, no TLS over http) ends where the one before it ended.
type Timings struct {
	Queued, DNS, Connect, TLS, FirstByte, Total time.Duration
	// Reused: the connection came from the pool. IdleTime: how long it had
	// been unused; WasIdle says whether that is known.
	Reused   bool
	WasIdle  bool
	IdleTime time.Duration
	// LocalAddr and RemoteAddr of the connection (the proxy's when one is used).
	LocalAddr, RemoteAddr netip.AddrPort
	// TLSVersion ("TLSv1.3") and TLSCipher (IANA name) are empty over http.
	TLSVersion, TLSCipher string
	// HTTPVersion: "HTTP/1.1", "HTTP/2".
	HTTPVersion string
}

func (h *headReader) u8() byte {
	if h.off >= len(h.s) {
		h.bad = true
		return 0
	}
	v := h.s[h.off]
	h.off++
	return v
}

func (h *headReader) addr() netip.AddrPort {
	var ip netip.Addr
	switch h.u8() {
	case 0:
		return netip.AddrPort{}
	case 4:
		if h.off+4 > len(h.s) {
			h.bad = true
			return netip.AddrPort{}
		}
		ip = netip.AddrFrom4([4]byte([]byte(h.s[h.off : h.off+4])))
		h.off += 4
	case 6:
		if h.off+16 > len(h.s) {
			h.bad = true
			return netip.AddrPort{}
		}
		ip = netip.AddrFrom16([16]byte([]byte(h.s[h.off : h.off+16])))
		h.off += 16
	default:
		h.bad = true
		return netip.AddrPort{}
	}
	if h.off+2 > len(h.s) {
		h.bad = true
		return netip.AddrPort{}
	}
	port := uint16(h.s[h.off]) | uint16(h.s[h.off+1])<<8
	h.off += 2
	return netip.AddrPortFrom(ip, port)
}

// timings reads one timings record of the packed head.
func (h *headReader) timings() Timings {
	var t Timings
	us := func() time.Duration { return time.Duration(h.u64()) * time.Microsecond }
	t.Queued, t.DNS, t.Connect, t.TLS, t.FirstByte, t.Total = us(), us(), us(), us(), us(), us()
	t.Reused = h.u8() != 0
	if idle := int64(h.u64()); t.Reused && idle >= 0 {
		t.WasIdle, t.IdleTime = true, time.Duration(idle)*time.Microsecond
	}
	t.LocalAddr, t.RemoteAddr = h.addr(), h.addr()
	t.TLSVersion, t.TLSCipher, t.HTTPVersion = h.str(), h.str(), h.str()
	return t
}

// readTimings reads what follows the history in the packed head: each
// hop's reason and headers (skipped), then the hops' and the final
// exchange's timings.
func (h *headReader) readTimings(r *Response) {
	for range r.History {
		h.str()
		for n := int(h.u32()); n > 0 && !h.bad; n-- {
			h.str()
			h.str()
		}
	}
	for i := range r.History {
		r.History[i].Timings = h.timings()
	}
	r.Timings = h.timings()
}

// trace calls the hooks of the httptrace.ClientTrace in ctx, if any, for
// each exchange (redirect hops first), in the order net/http would, once
// the response has arrived: the values are the library's measurements,
// not the moments of the calls (Response.Timings has the durations).
func trace(ctx context.Context, r *Response) {
	ct := httptrace.ContextClientTrace(ctx)
	if ct == nil {
		return
	}
	for i := range r.History {
		traceExchange(ct, r.History[i].URL, &r.History[i].Timings)
	}
	traceExchange(ct, r.URL, &r.Timings)
}

func traceExchange(ct *httptrace.ClientTrace, rawURL string, t *Timings) {
	host := ""
	hostPort := ""
	if u, err := url.Parse(rawURL); err == nil {
		host = u.Hostname()
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		hostPort = net.JoinHostPort(host, port)
	}
	if ct.GetConn != nil {
		ct.GetConn(hostPort)
	}
	remote := net.TCPAddrFromAddrPort(t.RemoteAddr)
	if !t.Reused {
		if t.DNS > t.Queued {
			if ct.DNSStart != nil {
				ct.DNSStart(httptrace.DNSStartInfo{Host: host})
			}
			if ct.DNSDone != nil {
				ct.DNSDone(httptrace.DNSDoneInfo{Addrs: []net.IPAddr{{IP: remote.IP}}})
			}
		}
		if ct.ConnectStart != nil {
			ct.ConnectStart("tcp", remote.String())
		}
		if ct.ConnectDone != nil {
			ct.ConnectDone("tcp", remote.String(), nil)
		}
		if t.TLSVersion != "" {
			if ct.TLSHandshakeStart != nil {
				ct.TLSHandshakeStart()
			}
			if ct.TLSHandshakeDone != nil {
				ct.TLSHandshakeDone(tlsState(t), nil)
			}
		}
	}
	if ct.GotConn != nil {
		ct.GotConn(httptrace.GotConnInfo{
			Conn:     measuredConn{local: net.TCPAddrFromAddrPort(t.LocalAddr), remote: remote},
			Reused:   t.Reused,
			WasIdle:  t.WasIdle,
			IdleTime: t.IdleTime,
		})
	}
	if ct.WroteHeaders != nil {
		ct.WroteHeaders()
	}
	if ct.WroteRequest != nil {
		ct.WroteRequest(httptrace.WroteRequestInfo{})
	}
	if ct.GotFirstResponseByte != nil {
		ct.GotFirstResponseByte()
	}
}

// tlsState is the part of a tls.ConnectionState the library measures.
func tlsState(t *Timings) tls.ConnectionState {
	st := tls.ConnectionState{HandshakeComplete: true}
	switch t.TLSVersion {
	case "TLSv1.3":
		st.Version = tls.VersionTLS13
	case "TLSv1.2":
		st.Version = tls.VersionTLS12
	}
	// rustls names TLS 1.3 suites TLS13_*, Go TLS_*.
	name := strings.Replace(t.TLSCipher, "TLS13_", "TLS_", 1)
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == name {
			st.CipherSuite = s.ID
		}
	}
	if t.HTTPVersion == "HTTP/2" {
		st.NegotiatedProtocol = "h2"
	}
	return st
}

// measuredConn is GotConnInfo.Conn: the connection lives in the library, so
// only its addresses can be read here.
type measuredConn struct{ local, remote net.Addr }

var errMeasuredConn = errors.New("hsession: the connection belongs to the library; only its addresses are available")

func (c measuredConn) Read([]byte) (int, error)         { return 0, errMeasuredConn }
func (c measuredConn) Write([]byte) (int, error)        { return 0, errMeasuredConn }
func (c measuredConn) Close() error                     { return errMeasuredConn }
func (c measuredConn) LocalAddr() net.Addr              { return c.local }
func (c measuredConn) RemoteAddr() net.Addr             { return c.remote }
func (c measuredConn) SetDeadline(time.Time) error      { return errMeasuredConn }
func (c measuredConn) SetReadDeadline(time.Time) error  { return errMeasuredConn }
func (c measuredConn) SetWriteDeadline(time.Time) error { return errMeasuredConn }
