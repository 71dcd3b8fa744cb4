package hsession_test

// The classic requests.Session examples in Go, run by
// `go test` (and `make demo-go`) against the test server TestMain starts;
// base is its URL, where the note has https://api.example.com.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

// Grundlegende Verwendung: a session with a default User-Agent, a GET and a
// form POST, then Close.
func Example() {
	session, err := hsession.New(hsession.WithHeader("User-Agent", "MyApp/1.0"))
	if err != nil {
		panic(err)
	}
	defer session.Close()
	ctx := context.Background()

	response1, err := session.Get(ctx, base+"/json")
	if err != nil {
		panic(err)
	}
	var data struct {
		Slideshow struct{ Title string } `json:"slideshow"`
	}
	if err := response1.JSON(&data); err != nil {
		panic(err)
	}
	fmt.Println(response1.StatusCode, data.Slideshow.Title)

	response2, err := session.PostForm(ctx, base+"/submit", url.Values{"key": {"value"}})
	if err != nil {
		panic(err)
	}
	var submitted struct {
		Form    map[string]string `json:"form"`
		Headers [][2]string       `json:"headers"`
	}
	if err := response2.JSON(&submitted); err != nil {
		panic(err)
	}
	fmt.Println(submitted.Form["key"], submitted.Headers[0])
	// Output:
	// 200 Sample Slide Show
	// value [user-agent MyApp/1.0]
}

// Cookies beibehalten: the login cookie is kept and sent to the protected page.
func Example_cookies() {
	session, err := hsession.New()
	if err != nil {
		panic(err)
	}
	defer session.Close()
	ctx := context.Background()

	loginData := url.Values{"username": {"user"}, "password": {"pass"}}
	response, err := session.PostForm(ctx, base+"/login", loginData)
	if err != nil {
		panic(err)
	}
	response.Body.Close()

	protectedPage, err := session.Get(ctx, base+"/protected")
	if err != nil {
		panic(err)
	}
	text, _ := protectedPage.Text()
	fmt.Println(protectedPage.StatusCode, text)
	// Output: 200 {"authenticated":true,"user":"user"}
}

// Standardparameter setzen: default headers, bearer auth and a 5 s timeout
// for every request.
func Example_defaults() {
	session, err := hsession.New(
		hsession.WithBearerAuth("my_token"),
		hsession.WithHeader("Accept", "application/json"),
		hsession.WithTimeout(5*time.Second),
	)
	if err != nil {
		panic(err)
	}
	defer session.Close()
	ctx := context.Background()

	for _, path := range []string{"/anything/endpoint1", "/anything/endpoint2"} {
		response, err := session.Get(ctx, base+path)
		if err != nil {
			panic(err)
		}
		var e struct {
			Path    string      `json:"path"`
			Headers [][2]string `json:"headers"`
		}
		if err := response.JSON(&e); err != nil {
			panic(err)
		}
		for _, h := range e.Headers {
			if h[0] == "authorization" || h[0] == "accept" {
				fmt.Println(e.Path, h[0]+":", h[1])
			}
		}
	}
	// Output:
	// /anything/endpoint1 accept: application/json
	// /anything/endpoint1 authorization: Bearer my_token
	// /anything/endpoint2 accept: application/json
	// /anything/endpoint2 authorization: Bearer my_token
}

// Connection Pooling: five requests without a session (a new one each)
// against five on one session; the counters show the connections opened.
func Example_pooling() {
	ctx := context.Background()
	start := time.Now()
	var without uint64
	for i := 0; i < 5; i++ {
		one, err := hsession.New()
		if err != nil {
			panic(err)
		}
		r, err := one.Get(ctx, base+"/data")
		if err != nil {
			panic(err)
		}
		r.Body.Close()
		without += one.ConnectionsOpened()
		one.Close()
	}
	tookWithout := time.Since(start)

	session, err := hsession.New()
	if err != nil {
		panic(err)
	}
	defer session.Close()
	start = time.Now()
	for i := 0; i < 5; i++ {
		r, err := session.Get(ctx, base+"/data")
		if err != nil {
			panic(err)
		}
		r.Body.Close()
	}
	tookWith := time.Since(start)
	// Timings vary (stderr); the connection counts do not.
	fmt.Fprintf(os.Stderr, "without session: %v, with session: %v\n", tookWithout, tookWith)
	fmt.Printf("Without session: %d connections\n", without)
	fmt.Printf("With session: %d connection for %d requests\n", session.ConnectionsOpened(), session.RequestsSent())
	// Output:
	// Without session: 5 connections
	// With session: 1 connection for 5 requests
}

// Authentifizierung: HTTP basic auth on every request.
func Example_auth() {
	session, err := hsession.New(hsession.WithBasicAuth("user", "pass"))
	if err != nil {
		panic(err)
	}
	defer session.Close()
	response, err := session.Get(context.Background(), base+"/basic-auth/user/pass")
	if err != nil {
		panic(err)
	}
	text, _ := response.Text()
	fmt.Println(text)
	// Output: {"authenticated":true,"user":"user"}
}

// Benutzerdefinierte Adapter: Retry(total=3, backoff_factor=0.1,
// status_forcelist=[500, 502, 503, 504]) against an endpoint that fails
// twice first.
func Example_retries() {
	retries := hsession.NewRetry(3)
	retries.BackoffFactor = 100 * time.Millisecond
	retries.StatusForcelist = []int{500, 502, 503, 504}
	session, err := hsession.New(hsession.WithRetry(retries))
	if err != nil {
		panic(err)
	}
	defer session.Close()

	response, err := session.Get(context.Background(), base+"/flaky/unstable_endpoint/2")
	if err != nil {
		panic(err)
	}
	text, _ := response.Text()
	fmt.Println(response.StatusCode, text, "after", response.Retries, "retries")
	// Output: 200 {"attempts":3} after 2 retries
}

// Eine Sitzung schließen: Close releases the connections; defer is Go's
// "with" block. Unlike requests.Session, one session serves many
// goroutines at once (Erweiterte Hinweise: Thread-Sicherheit).
func Example_closeAndGoroutines() {
	session, err := hsession.New(hsession.WithHeader("User-Agent", "MyApp/1.0"))
	if err != nil {
		panic(err)
	}
	defer session.Close()

	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := session.Get(context.Background(), base+"/json")
			if err != nil {
				panic(err)
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			codes[i] = r.StatusCode
		}()
	}
	wg.Wait()
	fmt.Println(codes)
	// Output: [200 200 200 200 200 200 200 200]
}

// A context cancels a request in the library, as it does in net/http.
func ExampleSession_Do() {
	session, err := hsession.New()
	if err != nil {
		panic(err)
	}
	defer session.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = session.Do(ctx, &hsession.Request{Method: "GET", URL: base + "/delay/5000"})
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, hsession.ErrTimeout))
	// Output: true true
}

// An http.Client over the session: its pool, jar and retries.
func ExampleSession_Transport() {
	session, err := hsession.New()
	if err != nil {
		panic(err)
	}
	defer session.Close()
	client := &http.Client{Transport: session.Transport()}
	r, err := client.Get(base + "/cookies/set?flavour=oatmeal")
	if err != nil {
		panic(err)
	}
	r.Body.Close()
	cookies, _ := session.Cookies()
	fmt.Println(cookies[0].Name, cookies[0].Value)
	// Output: flavour oatmeal
}
