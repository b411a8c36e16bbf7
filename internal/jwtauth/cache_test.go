package jwtauth

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestKeyRotationRefetchesOnce(t *testing.T) {
	k1, k2, k3 := newRSAKey(t, "k1"), newECKey(t, "k2"), newRSAKey(t, "k3")
	ti := newIssuer(t, k1)
	c := newClock()
	v := newVerifier(t, c, nil)
	iss := []string{ti.iss}
	ctx := context.Background()

	if _, err := v.Authorize(ctx, sign(t, k1, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := ti.jwksHits.Load(); n != 1 {
		t.Fatalf("jwks hits %d", n)
	}

	// The issuer rotates to k2; a k2 token triggers exactly one refetch.
	ti.publish(k2)
	c.Advance(5 * time.Second)
	if _, err := v.Authorize(ctx, sign(t, k2, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := ti.jwksHits.Load(); n != 2 {
		t.Fatalf("jwks hits %d after rotation, want 2", n)
	}
	if n := ti.discoHits.Load(); n != 1 {
		t.Fatalf("discovery hits %d, want 1 (jwks_uri cached)", n)
	}
	// k2 is cached now; k1 is gone from the new set.
	if _, err := v.Authorize(ctx, sign(t, k2, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	old := sign(t, k1, idClaims(ti.iss))
	_, err := v.Authorize(ctx, old, iss, nil, "")
	mustFail(t, err, "rate-limited", old)
	if n := ti.jwksHits.Load(); n != 2 {
		t.Fatalf("jwks hits %d, want 2", n)
	}

	// Rate limit: another rotation within RefetchInterval is not picked up,
	// and unknown kids do not cause fetches.
	ti.publish(k2, k3)
	tok3 := sign(t, k3, idClaims(ti.iss))
	for range 5 {
		_, err := v.Authorize(ctx, tok3, iss, nil, "")
		mustFail(t, err, `no key for kid "k3"`, tok3)
	}
	bogus := newRSAKey(t, "bogus")
	_, err = v.Authorize(ctx, sign(t, bogus, idClaims(ti.iss)), iss, nil, "")
	mustFail(t, err, "rate-limited", "")
	if n := ti.jwksHits.Load(); n != 2 {
		t.Fatalf("jwks hits %d within the rate limit, want 2", n)
	}

	// Once RefetchInterval has passed, the next miss refetches.
	c.Advance(DefaultRefetchInterval)
	if _, err := v.Authorize(ctx, tok3, iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := ti.jwksHits.Load(); n != 3 {
		t.Fatalf("jwks hits %d, want 3", n)
	}
}

func TestRefetchIntervalConfigurable(t *testing.T) {
	k1, k2, k3 := newRSAKey(t, "k1"), newRSAKey(t, "k2"), newRSAKey(t, "k3")
	ti := newIssuer(t, k1)
	c := newClock()
	v := newVerifier(t, c, func(cfg *Config) { cfg.RefetchInterval = 2 * time.Second })
	iss := []string{ti.iss}
	ctx := context.Background()
	if _, err := v.Authorize(ctx, sign(t, k1, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	ti.publish(k2)
	if _, err := v.Authorize(ctx, sign(t, k2, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	ti.publish(k3)
	tok3 := sign(t, k3, idClaims(ti.iss))
	_, err := v.Authorize(ctx, tok3, iss, nil, "")
	mustFail(t, err, "rate-limited", tok3)
	c.Advance(2 * time.Second)
	if _, err := v.Authorize(ctx, tok3, iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := ti.jwksHits.Load(); n != 3 {
		t.Fatalf("jwks hits %d, want 3", n)
	}
}

func TestUnknownKidOnFirstFetchDoesNotRefetch(t *testing.T) {
	k1, k2 := newRSAKey(t, "k1"), newRSAKey(t, "k2")
	ti := newIssuer(t, k1)
	v := newVerifier(t, newClock(), nil)
	tok := sign(t, k2, idClaims(ti.iss))
	_, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, `no RS256 key for kid "k2"`, tok)
	if n := ti.jwksHits.Load(); n != 1 {
		t.Fatalf("jwks hits %d, want 1", n)
	}
}

func TestLazyRefresh(t *testing.T) {
	k1, k2 := newRSAKey(t, "k1"), newRSAKey(t, "k2")
	ti := newIssuer(t, k1)
	c := newClock()
	v, err := New(Config{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	iss := []string{ti.iss}
	ctx := context.Background()
	tok1 := sign(t, k1, with(idClaims(ti.iss), map[string]any{"exp": t0.Add(24 * time.Hour).Unix()}))
	if _, err := v.Authorize(ctx, tok1, iss, nil, ""); err != nil {
		t.Fatal(err)
	}

	ti.publish(k2)
	c.Advance(DefaultRefreshInterval)
	// The stale set still serves this call while a refresh runs behind it.
	if _, err := v.Authorize(ctx, tok1, iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return v.state(ti.iss).cur.Load().fetchedAt.Equal(c.Now()) })
	if n := ti.jwksHits.Load(); n != 2 {
		t.Fatalf("jwks hits %d, want 2", n)
	}
	_, err = v.Authorize(ctx, tok1, iss, nil, "")
	mustFail(t, err, "kid", tok1) // k1 disappeared with the refresh
	if n := ti.jwksHits.Load(); n != 3 {
		t.Fatalf("jwks hits %d, want 3 (one unknown-kid refetch)", n)
	}

	// A failing refresh keeps the stale set and retries only after
	// RefetchInterval.
	ti.set(func(ti *testIssuer) { ti.jwksFail = true })
	c.Advance(DefaultRefreshInterval)
	tok2 := sign(t, k2, with(idClaims(ti.iss), map[string]any{"exp": t0.Add(24 * time.Hour).Unix()}))
	if _, err := v.Authorize(ctx, tok2, iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		st := v.state(ti.iss)
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.lastErr != nil
	})
	for range 3 {
		if _, err := v.Authorize(ctx, tok2, iss, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := ti.jwksHits.Load(); n != 4 {
		t.Fatalf("jwks hits %d, want 4 (failed refresh retried too early)", n)
	}
	// After RefetchInterval the refresh is retried and succeeds.
	ti.set(func(ti *testIssuer) { ti.jwksFail = false })
	c.Advance(DefaultRefetchInterval)
	if _, err := v.Authorize(ctx, tok2, iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return v.state(ti.iss).cur.Load().fetchedAt.Equal(c.Now()) })
	_ = v.Close()
	if n := ti.jwksHits.Load(); n != 5 {
		t.Fatalf("jwks hits %d, want 5", n)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("condition not met")
}

func TestConcurrentAuthorize(t *testing.T) {
	kr, ke := newRSAKey(t, "rsa"), newECKey(t, "ec")
	ti := newIssuer(t, kr, ke)
	ti.set(func(ti *testIssuer) { ti.jwksDelay = 50 * time.Millisecond })
	v := newVerifier(t, newClock(), nil)
	iss := []string{"https://unused.example", ti.iss}
	good := []string{
		sign(t, kr, idClaims(ti.iss)),
		sign(t, ke, idClaims(ti.iss)),
		"Bearer " + sign(t, kr, idClaims(ti.iss)),
	}
	expired := sign(t, kr, with(idClaims(ti.iss), map[string]any{"exp": t0.Unix() - 100}))

	var wg sync.WaitGroup
	errs := make(chan error, 64*20)
	for g := range 64 {
		wg.Go(func() {
			for i := range 20 {
				tok := good[(g+i)%len(good)]
				res, err := v.Authorize(context.Background(), tok, iss, nil, "client.*")
				if err != nil {
					errs <- err
					continue
				}
				if res.Claims["sub"] == "" {
					t.Error("missing sub")
				}
				if _, err := v.Authorize(context.Background(), expired, iss, nil, ""); err == nil {
					t.Error("expired token accepted")
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := ti.jwksHits.Load(); n != 1 {
		t.Fatalf("jwks hits %d under concurrency, want 1 (singleflight)", n)
	}
}

func TestConcurrentRotation(t *testing.T) {
	k1, k2 := newRSAKey(t, "k1"), newRSAKey(t, "k2")
	ti := newIssuer(t, k1)
	c := newClock()
	v := newVerifier(t, c, nil)
	iss := []string{ti.iss}
	if _, err := v.Authorize(context.Background(), sign(t, k1, idClaims(ti.iss)), iss, nil, ""); err != nil {
		t.Fatal(err)
	}
	ti.publish(k1, k2)
	ti.set(func(ti *testIssuer) { ti.jwksDelay = 30 * time.Millisecond })
	tok2 := sign(t, k2, idClaims(ti.iss))
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if _, err := v.Authorize(context.Background(), tok2, iss, nil, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := ti.jwksHits.Load(); n != 2 {
		t.Fatalf("jwks hits %d, want 2", n)
	}
}

func TestClosedVerifier(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	_ = v.Close()
	tok := sign(t, key, idClaims(ti.iss))
	_, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "closed", tok)
}
