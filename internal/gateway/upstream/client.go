package upstream

import (
	"crypto/tls"
	"time"

	"github.com/valyala/fasthttp"
)

// Clients are the pooled, keep-alive HTTP clients integrations share: one
// verifying TLS certificates, one for integrations with
// tlsConfig.insecureSkipVerification.
type Clients struct {
	secure, insecure *fasthttp.Client
	dial             fasthttp.DialFunc
}

// NewClients returns clients tuned for proxying: streaming responses, no
// header or path normalisation (bytes pass through as the client sent
// them), generous per-host pools.
func NewClients() *Clients { return NewClientsWithDial(nil) }

// NewClientsWithDial is NewClients with a custom dialer (nil: TCP), for
// in-memory benchmarks.
func NewClientsWithDial(dial fasthttp.DialFunc) *Clients { return newClients(dial, nil) }

// WithCertificate returns clients like c that present cert as their TLS
// client certificate to every backend that asks for one, whatever CAs the
// backend names (a stage's clientCertificateId [D]). They have their own
// connection pools.
func (c *Clients) WithCertificate(cert tls.Certificate) *Clients {
	return newClients(c.dial, func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil })
}

func newClients(dial fasthttp.DialFunc, clientCert func(*tls.CertificateRequestInfo) (*tls.Certificate, error)) *Clients {
	mk := func(skip bool) *fasthttp.Client {
		return &fasthttp.Client{
			Dial:                          dial,
			MaxConnsPerHost:               4096,
			MaxIdleConnDuration:           90 * time.Second,
			NoDefaultUserAgentHeader:      true,
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			StreamResponseBody:            true,
			ReadBufferSize:                16 << 10,
			WriteBufferSize:               16 << 10,
			TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skip, //nolint:gosec // opt-in per integration, as AWS's tlsConfig
				GetClientCertificate: clientCert},
		}
	}
	return &Clients{secure: mk(false), insecure: mk(true), dial: dial}
}

// Client returns the client that verifies TLS certificates, or with
// insecure the one that does not (an integration's
// tlsConfig.insecureSkipVerification).
func (c *Clients) Client(insecure bool) *fasthttp.Client {
	if insecure {
		return c.insecure
	}
	return c.secure
}

// CloseIdle closes idle upstream connections.
func (c *Clients) CloseIdle() {
	c.secure.CloseIdleConnections()
	c.insecure.CloseIdleConnections()
}
