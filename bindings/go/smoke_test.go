package hsession_test

import (
	"context"
	"testing"

	hsession "github.com/hsession/hsession/bindings/go"
)

func TestSmoke(t *testing.T) {
	s, err := hsession.New(hsession.WithHeader("X-A", "1"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Get(context.Background(), base+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := r.Text()
	t.Log(r.Status, r.Header, txt, err)
}
