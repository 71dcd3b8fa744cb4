package hsession

/*
#include <stdlib.h>
#include "hsession.h"
*/
import "C"

import (
	"runtime"
	"time"
)

// Cookie is a cookie in the session's jar.
type Cookie struct {
	Name, Value string
	// Domain: the host of a host-only cookie, else the Domain attribute
	// without a leading dot.
	Domain string
	Path   string
	// Expires is zero for a session cookie.
	Expires  time.Time
	Secure   bool
	HttpOnly bool
	// HostOnly: sent only to Domain itself, not its subdomains.
	HostOnly bool
}

// CookieFormat is a cookie file format.
type CookieFormat uint32

const (
	// CookieFileNetscape is curl's and wget's cookies.txt.
	CookieFileNetscape CookieFormat = C.HSESSION_COOKIE_FILE_NETSCAPE
	// CookieFileJSON is hsession's JSON format (docs/behaviour.md, "Cookies").
	CookieFileJSON CookieFormat = C.HSESSION_COOKIE_FILE_JSON
)

func readCookieList(list *C.hsession_cookie_list) []Cookie {
	n := int(C.hsession_cookie_list_count(list))
	out := make([]Cookie, 0, n)
	for i := 0; i < n; i++ {
		var name, value, domain, path *C.char
		var expires C.int64_t
		var flags C.uint32_t
		if C.hsession_cookie_list_at(list, C.size_t(i), &name, &value, &domain, &path, &expires, &flags) != C.HSESSION_OK {
			break
		}
		c := Cookie{
			Name: C.GoString(name), Value: C.GoString(value), Domain: C.GoString(domain), Path: C.GoString(path),
			Secure:   flags&C.HSESSION_COOKIE_SECURE != 0,
			HttpOnly: flags&C.HSESSION_COOKIE_HTTP_ONLY != 0,
			HostOnly: flags&C.HSESSION_COOKIE_HOST_ONLY != 0,
		}
		if expires != 0 {
			c.Expires = time.Unix(int64(expires), 0)
		}
		out = append(out, c)
	}
	return out
}

// Cookies lists every cookie in the jar, oldest first.
func (s *Session) Cookies() ([]Cookie, error) {
	var list *C.hsession_cookie_list
	var e *C.hsession_error
	if err := s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_list(p, &list, &e) }, &e); err != nil {
		return nil, err
	}
	defer C.hsession_cookie_list_free(list)
	return readCookieList(list), nil
}

// CookiesFor lists the cookies a request to rawURL would carry, in the
// order they would be sent; nothing is sent.
func (s *Session) CookiesFor(rawURL string) ([]Cookie, error) {
	cu := cString(rawURL)
	defer cFree(cu)
	var list *C.hsession_cookie_list
	var e *C.hsession_error
	if err := s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_for_url(p, cu, &list, &e) }, &e); err != nil {
		return nil, err
	}
	defer C.hsession_cookie_list_free(list)
	return readCookieList(list), nil
}

// SetCookieHeader stores a cookie from a Set-Cookie value ("id=42; Path=/;
// Max-Age=3600") as if rawURL had sent it. A cookie the jar's rules refuse
// is an *Error with CodeInvalidArgument naming the rule.
func (s *Session) SetCookieHeader(rawURL, setCookie string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_cookies_set(p, a[0], a[1], e)
	}, rawURL, setCookie)
}

// SetCookie stores c as if rawURL had sent it. An empty Domain makes a
// host-only cookie for the URL's host, an empty Path the URL's default
// path, a zero Expires a session cookie; an Expires in the past deletes the
// matching cookie.
func (s *Session) SetCookie(rawURL string, c Cookie) error {
	cu, cn, cv := cString(rawURL), cString(c.Name), cString(c.Value)
	defer cFree(cu)
	defer cFree(cn)
	defer cFree(cv)
	var cd, cp *C.char
	if c.Domain != "" {
		cd = cString(c.Domain)
		defer cFree(cd)
	}
	if c.Path != "" {
		cp = cString(c.Path)
		defer cFree(cp)
	}
	var expires int64
	if !c.Expires.IsZero() {
		expires = c.Expires.Unix()
		if expires <= 0 {
			expires = 1 // before 1970: still "in the past", not "session cookie"
		}
	}
	var flags C.uint32_t
	if c.Secure {
		flags |= C.HSESSION_COOKIE_SECURE
	}
	if c.HttpOnly {
		flags |= C.HSESSION_COOKIE_HTTP_ONLY
	}
	if c.HostOnly {
		flags |= C.HSESSION_COOKIE_HOST_ONLY
	}
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_cookies_set_fields(p, cu, cn, cv, cd, cp, C.int64_t(expires), flags, &e)
	}, &e)
}

// DeleteCookie deletes the cookie name of domain at path ("" = every
// path). An *Error with CodeNotFound if there was none.
func (s *Session) DeleteCookie(domain, path, name string) error {
	cd, cn := cString(domain), cString(name)
	defer cFree(cd)
	defer cFree(cn)
	cp := optCString(path)
	defer cFree(cp)
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_delete(p, cd, cp, cn, &e) }, &e)
}

// ClearCookies deletes every cookie.
func (s *Session) ClearCookies() error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_clear(p) }, nil)
}

// ClearDomainCookies deletes the cookies of domain and its subdomains and
// returns how many.
func (s *Session) ClearDomainCookies(domain string) (int, error) {
	cd := cString(domain)
	defer cFree(cd)
	var n C.size_t
	var e *C.hsession_error
	err := s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_clear_domain(p, cd, &n, &e) }, &e)
	return int(n), err
}

// ClearSessionCookies deletes the cookies without expiry and returns how many.
func (s *Session) ClearSessionCookies() (int, error) {
	var n C.size_t
	err := s.with(func(p *C.hsession) C.hsession_result { return C.hsession_cookies_clear_session(p, &n) }, nil)
	return int(n), err
}

func (s *Session) cookieFile(f func(p *C.hsession, path *C.char, n *C.size_t, e **C.hsession_error) C.hsession_result, path string) (int, error) {
	cp := cString(path)
	defer cFree(cp)
	var n C.size_t
	var e *C.hsession_error
	err := s.with(func(p *C.hsession) C.hsession_result { return f(p, cp, &n, &e) }, &e)
	runtime.KeepAlive(cp)
	return int(n), err
}

// SaveCookies writes the jar, session cookies included, to path (mode
// 0600, atomically) and returns how many cookies it saved.
func (s *Session) SaveCookies(path string, format CookieFormat) (int, error) {
	return s.cookieFile(func(p *C.hsession, cp *C.char, n *C.size_t, e **C.hsession_error) C.hsession_result {
		return C.hsession_cookies_save(p, cp, C.hsession_cookie_format(format), n, e)
	}, path)
}

// LoadCookies adds the cookies of the file at path to the jar and returns
// how many it stored. A malformed file (CodeParse) changes nothing.
func (s *Session) LoadCookies(path string, format CookieFormat) (int, error) {
	return s.cookieFile(func(p *C.hsession, cp *C.char, n *C.size_t, e **C.hsession_error) C.hsession_result {
		return C.hsession_cookies_load(p, cp, C.hsession_cookie_format(format), n, e)
	}, path)
}

// SetCookieFile loads the file at path now (a missing file is an empty
// jar) and saves the jar there when the session is closed, so a login
// survives a restart. Returns how many cookies it loaded.
func (s *Session) SetCookieFile(path string, format CookieFormat) (int, error) {
	return s.cookieFile(func(p *C.hsession, cp *C.char, n *C.size_t, e **C.hsession_error) C.hsession_result {
		return C.hsession_set_cookie_file(p, cp, C.hsession_cookie_format(format), n, e)
	}, path)
}
