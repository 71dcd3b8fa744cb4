package hsession_test

// hsession against net/http on the same test server in the same run:
//
//	go test -run '^$' -bench . -benchmem
//
// Each benchmark GETs a 100-byte body and reads it whole, sequentially
// and from 8 goroutines. Besides ns/op (wall) it reports cpu-ns/op: the
// client process's CPU time per request (the server is another process).

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"syscall"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

const benchPath = "/bytes/100"

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// run times get, sequentially or from 8 goroutines.
func run(b *testing.B, parallel bool, get func() error) {
	if err := get(); err != nil { // warm: a pooled connection
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	if parallel {
		b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := get(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for i := 0; i < b.N; i++ {
			if err := get(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

func drain(body io.ReadCloser) error {
	_, err := io.Copy(io.Discard, body)
	body.Close()
	return err
}

func benchHsession(b *testing.B, parallel bool) {
	s, err := hsession.New()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	url := base + benchPath
	run(b, parallel, func() error {
		r, err := s.Get(ctx, url)
		if err != nil {
			return err
		}
		return drain(r.Body)
	})
}

func benchClient(b *testing.B, parallel bool, client *http.Client) {
	url := base + benchPath
	run(b, parallel, func() error {
		r, err := client.Get(url)
		if err != nil {
			return err
		}
		return drain(r.Body)
	})
}

func netHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
}

func BenchmarkGet(b *testing.B) {
	for _, mode := range []struct {
		name     string
		parallel bool
	}{{"sequential", false}, {"8-way", true}} {
		b.Run(mode.name+"/hsession", func(b *testing.B) { benchHsession(b, mode.parallel) })
		b.Run(mode.name+"/net-http", func(b *testing.B) { benchClient(b, mode.parallel, netHTTPClient()) })
		b.Run(mode.name+"/http.Client-over-hsession", func(b *testing.B) {
			s, err := hsession.New()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			benchClient(b, mode.parallel, &http.Client{Transport: s.Transport()})
		})
	}
}
