package mgmt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// waitFor waits until n acquires are queued (no clock involved: the
// queue length is the budget's own state).
func (b *budget) waitFor(n int) {
	for {
		b.mu.Lock()
		l := b.waiters.Len()
		b.mu.Unlock()
		if l == n {
			return
		}
		runtime.Gosched()
	}
}

func acquireAsync(b *budget, ctx context.Context, n int64) <-chan error {
	ch := make(chan error, 1)
	go func() {
		_, err := b.acquire(ctx, n)
		ch <- err
	}()
	return ch
}

func granted(ch <-chan error) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// The budget is a FIFO: a small request that would fit waits behind a
// large one already waiting, so large bodies are not starved.
func TestBudgetFIFO(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if n, err := b.acquire(ctx, 6); err != nil || n != 6 {
		t.Fatalf("first acquire: %d %v", n, err)
	}
	big := acquireAsync(b, ctx, 6)
	b.waitFor(1)
	small := acquireAsync(b, ctx, 1)
	b.waitFor(2)
	if granted(big) || granted(small) {
		t.Fatal("granted beyond the budget or out of order")
	}
	if idle := b.release(6); idle {
		t.Error("release reported idle with requests granted")
	}
	if err := <-big; err != nil {
		t.Fatal(err)
	}
	if err := <-small; err != nil {
		t.Fatal(err)
	}
	b.release(6)
	if !b.release(1) {
		t.Error("last release did not report the budget idle")
	}
}

// A request for more than the whole budget is granted the whole budget
// (it runs alone) rather than never.
func TestBudgetOversized(t *testing.T) {
	b := newBudget(10)
	n, err := b.acquire(context.Background(), 70)
	if err != nil || n != 10 {
		t.Fatalf("oversized acquire: %d %v", n, err)
	}
	other := acquireAsync(b, context.Background(), 1)
	b.waitFor(1)
	if granted(other) {
		t.Fatal("granted while an oversized request holds the budget")
	}
	b.release(n)
	if err := <-other; err != nil {
		t.Fatal(err)
	}
}

// A waiter whose request ends leaves the queue, and those behind it move
// up.
func TestBudgetCancel(t *testing.T) {
	b := newBudget(10)
	held, _ := b.acquire(context.Background(), 8)
	ctx, cancel := context.WithCancel(context.Background())
	first := acquireAsync(b, ctx, 5)
	b.waitFor(1)
	second := acquireAsync(b, context.Background(), 2)
	b.waitFor(2)
	cancel()
	if err := <-first; err == nil {
		t.Fatal("cancelled acquire succeeded")
	}
	// 8 + 2 fits: the second is granted once the first has left.
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	b.release(held)
	if !b.release(2) {
		t.Error("budget not idle after every release")
	}
}

// echoOps is one operation that answers with the size of its body.
type echoOps struct{}

func (echoOps) Register(rt *restjson.Router) {
	rt.Handle("POST /echo", restjson.Op{Name: "Echo", Service: "apigateway", Status: http.StatusOK,
		Handler: func(_ context.Context, r *restjson.Request) (any, error) {
			return map[string]int{"size": len(r.Body)}, nil
		}})
}

// TestBodyReadsWaitForBudget: through a real socket, a signed call whose
// body does not fit in what is left of the budget is not read until an
// earlier one is done with its body.
func TestBodyReadsWaitForBudget(t *testing.T) {
	const size = 1 << 20
	secret := "budget/test/secret"
	s := New(Config{
		Auth: SigV4{Verifier: &sigv4.Verifier{Region: "us-east-1", Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
			return secret, id == "AKIABUDGET"
		})}},
		Services:   []Registrar{echoOps{}},
		BodyBudget: size,
	})
	ts := httptest.NewServer(s)
	defer ts.Close()
	body := bytes.Repeat([]byte("x"), size)
	sum := sha256.Sum256(body)
	send := func(r io.Reader) <-chan int {
		req, err := http.NewRequest("POST", ts.URL+"/echo", r)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = size
		creds := aws.Credentials{AccessKeyID: "AKIABUDGET", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "apigateway", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		done := make(chan int, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				done <- 0
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			done <- res.StatusCode
		}()
		return done
	}
	used := func() int64 {
		s.bodies.budget.mu.Lock()
		defer s.bodies.budget.mu.Unlock()
		return s.bodies.budget.used
	}

	pr, pw := io.Pipe()
	first := send(pr)
	if _, err := pw.Write(body[:size/2]); err != nil {
		t.Fatal(err)
	}
	for used() != size { // the first body is being read
		runtime.Gosched()
	}
	second := send(bytes.NewReader(body))
	s.bodies.budget.waitFor(1)
	select {
	case code := <-second:
		t.Fatalf("second call answered (%d) while the first held the budget", code)
	default:
	}
	if _, err := pw.Write(body[size/2:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if code := <-first; code != http.StatusOK {
		t.Errorf("first: %d", code)
	}
	if code := <-second; code != http.StatusOK {
		t.Errorf("second: %d", code)
	}
	if u := used(); u != 0 {
		t.Errorf("%d bytes still held", u)
	}
}
