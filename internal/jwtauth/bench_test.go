package jwtauth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAuthorize verifies an RS256 ID token whose key is cached.
func BenchmarkAuthorize(b *testing.B) {
	key := newRSAKey(b, "k1")
	ti := newIssuer(b, key)
	v, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = v.Close() })
	claims := idClaims(ti.iss)
	claims["iat"] = time.Now().Unix()
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	tok := sign(b, key, claims)
	iss := []string{ti.iss}
	ctx := context.Background()
	if _, err := v.Authorize(ctx, tok, iss, nil, "client123"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Authorize(ctx, tok, iss, nil, "client123"); err != nil {
			b.Fatal(err)
		}
	}
	if n := ti.jwksHits.Load(); n != 1 {
		b.Fatalf("jwks fetched %d times", n)
	}
}
