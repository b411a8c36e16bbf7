package jwtauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// signatureAlgs lists the accepted JWS algorithms: asymmetric only, so
// "none" and HMAC (HS256/384/512, the classic "public key as HMAC secret"
// confusion) never verify.
var signatureAlgs = map[string]jwa.SignatureAlgorithm{
	"RS256":   jwa.RS256(),
	"RS384":   jwa.RS384(),
	"RS512":   jwa.RS512(),
	"PS256":   jwa.PS256(),
	"PS384":   jwa.PS384(),
	"PS512":   jwa.PS512(),
	"ES256":   jwa.ES256(),
	"ES384":   jwa.ES384(),
	"ES512":   jwa.ES512(),
	"EdDSA":   jwa.EdDSA(),
	"Ed25519": jwa.EdDSAEd25519(),
}

var (
	rsaAlgs     = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	ed25519Algs = []string{"EdDSA", "Ed25519"}
)

// verifyKey is one usable public key of a JWKS.
type verifyKey struct {
	kid  string
	raw  any      // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	algs []string // algorithms this key may verify
}

func (k *verifyKey) allows(alg string) bool { return slices.Contains(k.algs, alg) }

// keyset is an immutable, indexed snapshot of an issuer's JWKS.
type keyset struct {
	byKID     map[string][]*verifyKey
	all       []*verifyKey
	fetchedAt time.Time
}

// has reports whether any key carries kid.
func (ks *keyset) has(kid string) bool {
	_, ok := ks.byKID[kid]
	return ok
}

// candidates returns the keys that may verify a token with header kid and
// alg. A token without kid is tried against every key allowing alg.
func (ks *keyset) candidates(kid, alg string) []*verifyKey {
	pool := ks.all
	if kid != "" {
		pool = ks.byKID[kid]
	}
	if len(pool) == 1 {
		if pool[0].allows(alg) {
			return pool
		}
		return nil
	}
	var out []*verifyKey
	for _, k := range pool {
		if k.allows(alg) {
			out = append(out, k)
		}
	}
	return out
}

// newKeyset indexes the usable signature keys of set: RSA, EC (P-256/384/521)
// and Ed25519 public keys whose "use" is absent or "sig". A key's "alg", when
// present, restricts it to that algorithm. Symmetric and unsupported keys are
// skipped.
func newKeyset(set jwk.Set) (*keyset, error) {
	ks := &keyset{byKID: make(map[string][]*verifyKey)}
	for i := range set.Len() {
		k, ok := set.Key(i)
		if !ok || jwk.IsUnsupportedKey(k) {
			continue
		}
		if use, ok := k.KeyUsage(); ok && use != "sig" {
			continue
		}
		pub, err := k.PublicKey()
		if err != nil {
			continue
		}
		var raw any
		if err := jwk.Export(pub, &raw); err != nil {
			continue
		}
		algs := algsForKey(raw)
		if a, ok := k.Algorithm(); ok && a.String() != "" {
			if slices.Contains(algs, a.String()) {
				algs = []string{a.String()}
			} else {
				algs = nil
			}
		}
		if len(algs) == 0 {
			continue
		}
		kid, _ := k.KeyID()
		vk := &verifyKey{kid: kid, raw: raw, algs: algs}
		ks.all = append(ks.all, vk)
		if kid != "" {
			ks.byKID[kid] = append(ks.byKID[kid], vk)
		}
	}
	if len(ks.all) == 0 {
		return nil, errors.New("JWKS holds no usable signature verification key")
	}
	return ks, nil
}

// algsForKey lists the signature algorithms compatible with a raw public key.
func algsForKey(raw any) []string {
	switch k := raw.(type) {
	case *rsa.PublicKey:
		return rsaAlgs
	case *ecdsa.PublicKey:
		if k.Curve == nil {
			return nil
		}
		switch k.Curve.Params().Name {
		case "P-256":
			return []string{"ES256"}
		case "P-384":
			return []string{"ES384"}
		case "P-521":
			return []string{"ES512"}
		}
	case ed25519.PublicKey:
		return ed25519Algs
	}
	return nil
}

// checkAlg rejects header algorithms that are never acceptable.
func checkAlg(alg string) error {
	if _, ok := signatureAlgs[alg]; ok {
		return nil
	}
	switch alg {
	case "":
		return errors.New("token header has no alg")
	case "none", "None", "NONE":
		return errors.New("unsigned token (alg none) rejected")
	case "HS256", "HS384", "HS512":
		return fmt.Errorf("symmetric alg %s rejected", alg)
	}
	return fmt.Errorf("unsupported alg %q", clip(alg, 20))
}
