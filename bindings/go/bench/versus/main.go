// Command versus compares the Go binding with net/http on one server in
// one run (make bench-bindings-go): GET of a 100-byte body, read whole,
// sequentially and from 8 and 64 goroutines. Runs alternate between the
// clients and repeat; the table gives each client's medians and the ratio
// hsession ÷ net/http of those medians. CPU is this process's user+sys
// time (getrusage, every thread, the library's included) per request.
// "C floor" is the bare blocking packed call (hsession_request_packed and
// hsession_response_free) through cgo with no Response built: what the
// library costs under the binding.
//
//	versus [-n requests] [-rounds r] [-goroutines 1,8,64] BASE_URL
//
// A benchmark prints figures; it asserts nothing about speed.
package main

/*
#cgo pkg-config: hsession
#include <stdint.h>
#include <stdlib.h>
#include "hsession.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	hsession "github.com/hsession/hsession/bindings/go"
)

type client struct {
	name string
	get  func() error
}

type result struct{ cpuUs, rps float64 }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs n gets spread over g goroutines.
func measure(get func() error, n, g int) result {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	var failed atomic.Value
	cpu0, t0 := cpuTime(), time.Now()
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				if err := get(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	if err := failed.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "versus:", err)
		os.Exit(1)
	}
	return result{cpuUs: float64(cpu.Microseconds()) / float64(n), rps: float64(n) / wall.Seconds()}
}

func drain(body io.ReadCloser) error {
	_, err := io.Copy(io.Discard, body)
	body.Close()
	return err
}

// packedGet is a packed GET of url (docs/packed-format.md): tag, u32 length, bytes.
func packedGet(url string) []byte {
	var b []byte
	for _, f := range []struct {
		tag byte
		s   string
	}{{C.HSESSION_PACKED_METHOD, "GET"}, {C.HSESSION_PACKED_URL, url}} {
		b = append(b, f.tag)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(f.s)))
		b = append(b, f.s...)
	}
	return b
}

func cFloor(url string) (client, func()) {
	var s *C.hsession
	if rc := C.hsession_new(&s, nil); rc != C.HSESSION_OK {
		fmt.Fprintln(os.Stderr, "versus: hsession_new:", rc)
		os.Exit(1)
	}
	packed := packedGet(url)
	p := C.CBytes(packed) // C memory: no pinning rules to mind
	get := func() error {
		var resp *C.hsession_response
		if rc := C.hsession_request_packed(s, (*C.uint8_t)(p), C.size_t(len(packed)), &resp, nil); rc != C.HSESSION_OK {
			return fmt.Errorf("hsession_request_packed: %d", rc)
		}
		C.hsession_response_free(resp)
		return nil
	}
	return client{"C floor (cgo)", get}, func() { C.hsession_free(s); C.free(unsafe.Pointer(p)) }
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func main() {
	n := flag.Int("n", 5000, "requests per run")
	rounds := flag.Int("rounds", 3, "runs of each client per mode (alternating)")
	modes := flag.String("goroutines", "1,8,64", "goroutine counts to run, comma-separated")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: versus [-n requests] [-rounds r] [-goroutines 1,8,64] BASE_URL")
		os.Exit(2)
	}
	url := flag.Arg(0) + "/bytes/100"

	s, err := hsession.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, "versus:", err)
		os.Exit(1)
	}
	defer s.Close()
	ctx := context.Background()
	hs := client{"hsession", func() error {
		r, err := s.Get(ctx, url)
		if err != nil {
			return err
		}
		return drain(r.Body)
	}}
	nh := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	peer := client{"net/http", func() error {
		r, err := nh.Get(url)
		if err != nil {
			return err
		}
		return drain(r.Body)
	}}
	floor, freeFloor := cFloor(url)
	defer freeFloor()
	clients := []client{hs, peer, floor}

	fmt.Printf("Go %s, GOMAXPROCS %d: GET %s, %d requests per run, %d runs per client and mode, alternating\n",
		runtime.Version(), runtime.GOMAXPROCS(0), url, *n, *rounds)
	fmt.Printf("%-14s %-14s %12s %10s %12s\n", "mode", "client", "CPU µs/req", "req/s", "ratio ÷ peer")
	for _, f := range strings.Split(*modes, ",") {
		g, err := strconv.Atoi(f)
		if err != nil || g < 1 {
			fmt.Fprintln(os.Stderr, "versus: -goroutines takes positive counts, e.g. 1,8,64")
			os.Exit(2)
		}
		mode := "sequential"
		if g > 1 {
			mode = fmt.Sprintf("%d goroutines", g)
		}
		for _, c := range clients { // warm: connections open for g goroutines
			measure(c.get, max(200, 4*g), g)
		}
		cpu := make([][]float64, len(clients))
		rps := make([][]float64, len(clients))
		for range *rounds {
			for i, c := range clients {
				r := measure(c.get, *n, g)
				cpu[i], rps[i] = append(cpu[i], r.cpuUs), append(rps[i], r.rps)
			}
		}
		for i, c := range clients {
			ratio := ""
			if i == 0 {
				ratio = fmt.Sprintf("CPU %.2f× req/s %.2f×", median(cpu[0])/median(cpu[1]), median(rps[0])/median(rps[1]))
			}
			fmt.Printf("%-14s %-14s %12.1f %10.0f   %s\n", mode, c.name, median(cpu[i]), median(rps[i]), ratio)
		}
	}
}
