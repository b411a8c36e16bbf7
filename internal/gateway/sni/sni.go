// Package sni chooses the TLS configuration of each HTTPS data-plane
// connection by the server name the client asks for (SNI): a custom domain
// name's certificate, security policy and mutual TLS, or, for every other
// name and for clients that send none, the listener's own configuration
// (the local CA's certificate for localhost and the execute-api names).
//
// The table is immutable and swapped atomically: a change (a new domain, a
// re-imported certificate, a new policy) applies to the next handshake,
// while established connections keep what they negotiated.
package sni

import (
	"crypto/tls"
	"strings"
	"sync"
	"sync/atomic"
)

// Entry is what a custom domain name negotiates.
type Entry struct {
	// Certificate is served with its chain.
	Certificate tls.Certificate
	// MinVersion and MaxVersion bound the protocol versions; CipherSuites
	// are the TLS 1.0–1.2 suites allowed (TLS 1.3's are not configurable).
	MinVersion, MaxVersion uint16
	CipherSuites           []uint16
	// RequestClientCert asks the client for a certificate without
	// requiring one: the front door verifies it and answers 403 when it
	// is missing or not trusted.
	RequestClientCert bool
}

// Table maps server names to configurations. The zero Table serves every
// name with the listener's configuration.
type Table struct {
	mu  sync.Mutex // serialises writers
	cur atomic.Pointer[names]
}

// names is one version of the table: exact names, and wildcard names by
// the suffix after "*.".
type names struct {
	exact, wild map[string]*tls.Config
}

// Set serves name ("api.example.com", or "*.example.com" for the names one
// label under example.com that have no entry of their own) with e.
func (t *Table) Set(name string, e *Entry) {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{e.Certificate},
		MinVersion:   e.MinVersion,
		MaxVersion:   e.MaxVersion,
		CipherSuites: e.CipherSuites,
		NextProtos:   []string{"http/1.1"},
	}
	if e.RequestClientCert {
		cfg.ClientAuth = tls.RequestClientCert
	}
	t.swap(func(n *names) { n.put(strings.ToLower(name), cfg) })
}

// Remove serves name with the listener's configuration again.
func (t *Table) Remove(name string) {
	t.swap(func(n *names) { n.put(strings.ToLower(name), nil) })
}

func (n *names) put(name string, cfg *tls.Config) {
	m, key := n.exact, name
	if suffix, ok := strings.CutPrefix(name, "*."); ok {
		m, key = n.wild, suffix
	}
	if cfg == nil {
		delete(m, key)
	} else {
		m[key] = cfg
	}
}

func (t *Table) swap(fn func(*names)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := &names{exact: map[string]*tls.Config{}, wild: map[string]*tls.Config{}}
	if old := t.cur.Load(); old != nil {
		for k, v := range old.exact {
			next.exact[k] = v
		}
		for k, v := range old.wild {
			next.wild[k] = v
		}
	}
	fn(next)
	t.cur.Store(next)
}

// Lookup returns the configuration of a server name (nil: the listener's).
func (t *Table) Lookup(serverName string) *tls.Config {
	n := t.cur.Load()
	if n == nil || serverName == "" {
		return nil
	}
	name := strings.ToLower(serverName)
	if cfg := n.exact[name]; cfg != nil {
		return cfg
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return n.wild[name[i+1:]]
	}
	return nil
}

// Config returns the listener configuration: def, with each handshake
// choosing its configuration by SNI from the table.
func (t *Table) Config(def *tls.Config) *tls.Config {
	cfg := def.Clone()
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		return t.Lookup(hello.ServerName), nil
	}
	return cfg
}
