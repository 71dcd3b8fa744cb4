package hsession_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	hsession "github.com/hsession/hsession/bindings/go"
)

// The library's messages often begin with the code's own text ("TLS
// failure: invalid peer certificate"); Error() says the kind once.
func TestErrorTextNamesItsKindOnce(t *testing.T) {
	tlsURL, stop, err := startServer("--tls-self-signed", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s := newSession(t) // verifies certificates; the server's is self-signed
	_, err = s.Get(context.Background(), tlsURL+"/get")
	var he *hsession.Error
	if !errors.As(err, &he) || he.Code != hsession.CodeTLS {
		t.Fatalf("want a TLS failure, got %v", err)
	}
	text := err.Error()
	kind := hsession.CodeTLS.String()
	if !strings.HasPrefix(text, "hsession: "+kind+": ") {
		t.Fatalf("%q does not start with %q", text, "hsession: "+kind+": ")
	}
	if strings.Count(text, kind) != 1 {
		t.Fatalf("%q repeats %q", text, kind)
	}
	if !strings.HasSuffix(text, "("+tlsURL+"/get)") {
		t.Fatalf("%q does not end with the URL", text)
	}
}

func TestErrorTextForms(t *testing.T) {
	cases := []struct {
		err  hsession.Error
		want string
	}{
		{hsession.Error{Code: hsession.CodeTLS, Message: "TLS failure: invalid peer certificate: UnknownIssuer", URL: "https://x/"},
			"hsession: TLS failure: invalid peer certificate: UnknownIssuer (https://x/)"},
		{hsession.Error{Code: hsession.CodeTLS, Message: "TLS failure"}, "hsession: TLS failure"},
		{hsession.Error{Code: hsession.CodeTLS, Message: "handshake eof"}, "hsession: TLS failure: handshake eof"},
		{hsession.Error{Code: hsession.CodeTLS}, "hsession: TLS failure"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
