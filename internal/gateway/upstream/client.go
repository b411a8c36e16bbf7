package upstream

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// Clients are the pooled, keep-alive HTTP clients integrations share: one
// verifying TLS certificates, one for integrations with
// tlsConfig.insecureSkipVerification.
type Clients struct {
	secure, insecure *fasthttp.Client
	dial             fasthttp.DialFunc
	// The clients of streamed responses (responseTransferMode STREAM),
	// whose connections end a read after the streams' idle timeout.
	streamSecure, streamInsecure *fasthttp.Client
	streamIdle                   time.Duration
	clientCert                   func(*tls.CertificateRequestInfo) (*tls.Certificate, error)
}

// NewClients returns clients tuned for proxying: answers read whole (up
// to MaxResponseBody) or, from the stream clients, streamed; no header or
// path normalisation (bytes pass through as the client sent
// them), generous per-host pools.
func NewClients() *Clients { return NewClientsWithDial(nil) }

// NewClientsWithDial is NewClients with a custom dialer (nil: TCP), for
// in-memory benchmarks.
func NewClientsWithDial(dial fasthttp.DialFunc) *Clients {
	return newClients(dial, nil, DefaultStreamLimits.Idle)
}

// WithStreamIdle returns clients like c whose streaming clients end a
// read after idle (API Gateway's is DefaultStreamLimits.Idle), with their
// own connection pools.
func (c *Clients) WithStreamIdle(idle time.Duration) *Clients {
	return newClients(c.dial, c.clientCert, idle)
}

// WithCertificate returns clients like c that present cert as their TLS
// client certificate to every backend that asks for one, whatever CAs the
// backend names (a stage's clientCertificateId [D]). They have their own
// connection pools.
func (c *Clients) WithCertificate(cert tls.Certificate) *Clients {
	return newClients(c.dial, func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }, c.streamIdle)
}

func newClients(dial fasthttp.DialFunc, clientCert func(*tls.CertificateRequestInfo) (*tls.Certificate, error), streamIdle time.Duration) *Clients {
	// stream: the client hands bodies over as streams (StreamClient);
	// otherwise it reads them whole, refusing bodies over MaxResponseBody
	// (a limit streaming clients ignore).
	mk := func(skip bool, dial fasthttp.DialFunc, stream bool) *fasthttp.Client {
		return &fasthttp.Client{
			Dial:                          dial,
			MaxConnsPerHost:               4096,
			MaxIdleConnDuration:           90 * time.Second,
			NoDefaultUserAgentHeader:      true,
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			StreamResponseBody:            stream,
			MaxResponseBodySize:           MaxResponseBody,
			ReadBufferSize:                16 << 10,
			WriteBufferSize:               16 << 10,
			TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: skip, //nolint:gosec // opt-in per integration, as AWS's tlsConfig
				GetClientCertificate: clientCert},
		}
	}
	streamDial := func(addr string) (net.Conn, error) {
		d := dial
		if d == nil {
			d = fasthttp.Dial
		}
		conn, err := d(addr)
		if err != nil {
			return nil, err
		}
		return &idleConn{Conn: conn, idle: streamIdle}, nil
	}
	return &Clients{secure: mk(false, dial, false), insecure: mk(true, dial, false), dial: dial, clientCert: clientCert,
		streamSecure: mk(false, streamDial, true), streamInsecure: mk(true, streamDial, true), streamIdle: streamIdle}
}

// StreamClient is Client for streamed responses (responseTransferMode
// STREAM): a read that waits longer than the idle timeout fails.
func (c *Clients) StreamClient(insecure bool) *fasthttp.Client {
	if insecure {
		return c.streamInsecure
	}
	return c.streamSecure
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
	c.streamSecure.CloseIdleConnections()
	c.streamInsecure.CloseIdleConnections()
}
