// A program outside the repository that requires the Go binding from a
// copy of its module directory and links an installed libhsession (found
// by pkg-config, run with no LD_LIBRARY_PATH): scripts/test-install.sh.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	hsession "github.com/hsession/hsession/bindings/go"
)

func main() {
	base := os.Args[1]
	s, err := hsession.New(hsession.WithHeader("User-Agent", "install-test/1.0"))
	if err != nil {
		fail(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Get(ctx, base+"/cookies/set?installed=yes"); err != nil {
		fail(err)
	}
	resp, err := s.Get(ctx, base+"/echo")
	if err != nil {
		fail(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"installed":"yes"`) || !strings.Contains(string(body), "install-test/1.0") {
		fail(fmt.Errorf("unexpected echo: %d %s", resp.StatusCode, body))
	}
	_, err = s.Get(ctx, "http://127.0.0.1:1/")
	var he *hsession.Error
	if !errors.As(err, &he) || he.Code != hsession.CodeConnect || strings.Count(err.Error(), he.Code.String()) != 1 {
		fail(fmt.Errorf("want one CONNECT error text, got %v", err))
	}
	fmt.Println("go: installed module OK, library", hsession.Version())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go:", err)
	os.Exit(1)
}
