package mgmt

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// Auditor records authenticated management calls once they are answered
// (audit.Trail). Record may wait until the event is durable: the answer
// reaches the caller after it returns.
type Auditor interface {
	Record(audit.Call)
}

// callState is what ServeHTTP learns about a call as it runs.
type callState struct {
	// caller is set once the signature is verified; body is the request
	// body then.
	caller *sigv4.Identity
	body   []byte
	// err is the error answered, if any.
	err *awserr.Error
	// done releases the body's memory budget.
	done func()
}

func (c *callState) release() {
	if c.done != nil {
		c.done()
		c.done = nil
	}
}

// record hands an authenticated call to the auditor. Calls whose
// signature was not verified are not recorded: their caller is unknown.
func (s *Server) record(r *http.Request, start time.Time, reqID string, matched *restjson.Op, call *callState, rec *statusRecorder) {
	if s.audit == nil || call.caller == nil || matched == nil {
		return
	}
	c := audit.Call{
		Time: start, RequestID: reqID, Service: matched.Service, Operation: matched.Name,
		Path: r.URL.Path, Query: r.URL.Query(), Body: call.body, Status: rec.status,
		AccessKeyID: call.caller.AccessKeyID, SourceIP: sourceIP(r), UserAgent: r.UserAgent(), TLS: tlsDetails(r),
	}
	c.Response, c.ResponseTruncated = rec.body, rec.over
	for _, name := range matched.Params {
		c.PathParams = append(c.PathParams, audit.Param{Name: name, Value: r.PathValue(name)})
	}
	if call.err != nil {
		c.ErrorCode, c.ErrorMessage = call.err.Code, call.err.Message
	}
	s.audit.Record(c)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tlsDetails describes a TLS connection as CloudTrail records do
// ("tlsVersion": "TLSv1.3"; the cipher suite by its IANA name [U: AWS
// writes OpenSSL's names for TLS 1.2 suites]).
func tlsDetails(r *http.Request) *audit.TLSDetails {
	if r.TLS == nil {
		return nil
	}
	return &audit.TLSDetails{
		TLSVersion:               "TLSv" + strings.TrimPrefix(tls.VersionName(r.TLS.Version), "TLS "),
		CipherSuite:              tls.CipherSuiteName(r.TLS.CipherSuite),
		ClientProvidedHostHeader: r.Host,
	}
}
