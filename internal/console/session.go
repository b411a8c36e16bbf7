package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Session and sign-in link lifetimes (the console contract: 12 h idle
// expiry, single-use links valid for 5 minutes).
const (
	SessionIdle = 12 * time.Hour
	TokenTTL    = 5 * time.Minute
	// maxSessions bounds the sessions kept; the oldest goes first.
	maxSessions = 10000
	// maxTokens bounds the unused sign-in links kept.
	maxTokens = 1000
)

// session is one signed-in browser. Its cookie value is never kept: the
// table is keyed by the value's SHA-256, so a lookup's timing tells
// nothing about stored values.
type session struct {
	csrf    string
	expires time.Time
}

// link is an unused one-time sign-in link.
type link struct {
	next    string
	expires time.Time
}

// sessions holds the console's server-side state: sessions and one-time
// sign-in links, in memory (a restart signs everyone out).
type sessions struct {
	mu     sync.Mutex
	now    func() time.Time
	byHash map[[sha256.Size]byte]*session
	links  map[[sha256.Size]byte]link
}

func newSessions(now func() time.Time) *sessions {
	if now == nil {
		now = time.Now
	}
	return &sessions{now: now, byHash: map[[sha256.Size]byte]*session{}, links: map[[sha256.Size]byte]link{}}
}

// randomToken returns 256 random bits, URL-safe base64.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session and returns its cookie value.
func (s *sessions) create() string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	if len(s.byHash) >= maxSessions {
		var oldest [sha256.Size]byte
		var at time.Time
		for h, x := range s.byHash {
			if at.IsZero() || x.expires.Before(at) {
				oldest, at = h, x.expires
			}
		}
		delete(s.byHash, oldest)
	}
	s.byHash[sha256.Sum256([]byte(tok))] = &session{csrf: randomToken(), expires: s.now().Add(SessionIdle)}
	return tok
}

// lookup returns the CSRF token of the live session with cookie value
// tok and extends its idle expiry.
func (s *sessions) lookup(tok string) (csrf string, ok bool) {
	if tok == "" {
		return "", false
	}
	h := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.byHash[h]
	if !ok {
		return "", false
	}
	now := s.now()
	if !now.Before(x.expires) {
		delete(s.byHash, h)
		return "", false
	}
	x.expires = now.Add(SessionIdle)
	return x.csrf, true
}

// end signs the session with cookie value tok out.
func (s *sessions) end(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byHash, sha256.Sum256([]byte(tok)))
}

// newLink makes a one-time sign-in token that leads to next.
func (s *sessions) newLink(next string) (string, time.Time) {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	if len(s.links) >= maxTokens {
		for h := range s.links { // any one: all expire within minutes
			delete(s.links, h)
			break
		}
	}
	exp := s.now().Add(TokenTTL)
	s.links[sha256.Sum256([]byte(tok))] = link{next: next, expires: exp}
	return tok, exp
}

// useLink consumes a one-time token: it works once, within its lifetime.
func (s *sessions) useLink(tok string) (next string, ok bool) {
	if tok == "" {
		return "", false
	}
	h := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[h]
	if !ok {
		return "", false
	}
	delete(s.links, h)
	if !s.now().Before(l.expires) {
		return "", false
	}
	return l.next, true
}

// sweepLocked drops what has expired.
func (s *sessions) sweepLocked() {
	now := s.now()
	for h, x := range s.byHash {
		if !now.Before(x.expires) {
			delete(s.byHash, h)
		}
	}
	for h, l := range s.links {
		if !now.Before(l.expires) {
			delete(s.links, h)
		}
	}
}

// equalSecret compares two secrets in constant time (their lengths are
// hidden too: the SHA-256 digests are compared).
func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// Failed sign-ins: after maxFailures from one address within
// failureWindow, that address's sign-ins are refused (429) until the
// window ends, so the key pair cannot be guessed at speed.
const (
	maxFailures   = 10
	failureWindow = time.Minute
	// maxTracked bounds the addresses remembered.
	maxTracked = 10000
)

type failures struct {
	mu    sync.Mutex
	now   func() time.Time
	byKey map[string]*failureCount
}

type failureCount struct {
	n     int
	since time.Time
}

func newFailures(now func() time.Time) *failures {
	if now == nil {
		now = time.Now
	}
	return &failures{now: now, byKey: map[string]*failureCount{}}
}

// blocked reports whether key has failed too often lately.
func (f *failures) blocked(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.byKey[key]
	if !ok {
		return false
	}
	if f.now().Sub(c.since) >= failureWindow {
		delete(f.byKey, key)
		return false
	}
	return c.n >= maxFailures
}

// fail counts a failed sign-in from key.
func (f *failures) fail(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.byKey) >= maxTracked {
		for k, c := range f.byKey {
			if now.Sub(c.since) >= failureWindow {
				delete(f.byKey, k)
			}
		}
		if len(f.byKey) >= maxTracked {
			f.byKey = map[string]*failureCount{}
		}
	}
	c, ok := f.byKey[key]
	if !ok || now.Sub(c.since) >= failureWindow {
		c = &failureCount{since: now}
		f.byKey[key] = c
	}
	c.n++
}
