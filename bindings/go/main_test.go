package hsession_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// base is the URL of the test server TestMain starts, e.g. "http://127.0.0.1:41234".
var base string

// startServer runs hsession-testserver (HSESSION_TESTSERVER, else the
// repository's target/release build) on a free port. It exits when its
// stdin closes, so a crashed test binary never leaves it behind.
func startServer(args ...string) (url string, stop func(), err error) {
	bin := os.Getenv("HSESSION_TESTSERVER")
	if bin == "" {
		bin, _ = filepath.Abs("../../target/release/hsession-testserver")
	}
	cmd := exec.Command(bin, append([]string{"--exit-on-stdin-eof"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s (run cargo build --release --workspace): %w", bin, err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "PORT=")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, fmt.Errorf("test server said %q: %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	scheme := "http"
	for _, a := range args {
		if strings.HasPrefix(a, "--tls") {
			scheme = "https"
		}
	}
	stop = func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}
	return scheme + "://127.0.0.1:" + port, stop, nil
}

func TestMain(m *testing.M) {
	url, stop, err := startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	base = url
	code := m.Run()
	stop()
	os.Exit(code)
}
