package postgres_test

import (
	"context"
	"testing"
	"time"
)

// TestNow: the server's clock, read by two handles, moves forward and
// agrees with this machine's (the test server is local).
func TestNow(t *testing.T) {
	a, _ := openNew(t)
	b, _ := openNew(t)
	ctx := context.Background()
	t1, err := a.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := b.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !t2.After(t1) {
		t.Errorf("clock went %v then %v", t1, t2)
	}
	if d := time.Since(t2); d < -time.Minute || d > time.Minute {
		t.Errorf("server clock %v is %v off this machine's", t2, d)
	}
	a.Close()
	if _, err := a.Now(ctx); err == nil {
		t.Error("Now after Close succeeded")
	}
}
