package httpapi

import (
	"net"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
)

// eventRequest describes x's request for the Lambda payloads (integration
// and authorizer events) into r.
func (x *Exchange) eventRequest(r *proxyevent.Request, body []byte) {
	host, port := splitHost(x.DomainName)
	*r = proxyevent.Request{
		Method:         x.Req.Method(),
		RawPath:        x.rawPath(),
		RawQuery:       x.Req.RawQuery(),
		Headers:        x.Req,
		Body:           body,
		StageVariables: x.Variables(),
		RequestID:      x.RequestID,
		Time:           x.Start,
		DomainName:     host,
		AccountID:      x.Stage.AccountID,
		APIID:          x.APIID,
		Stage:          x.StageName,
		Authorizer:     x.authorizer,
		// API Gateway sets these: the scheme and port the client used
		// (AWS's are always https and 443), and a trace id unless the
		// client sent one [D].
		ForwardedProto: "http",
		ForwardedPort:  port,
	}
	if x.Req.TLS() {
		r.ForwardedProto = "https"
	}
	if r.ForwardedPort == "" {
		r.ForwardedPort = "80"
		if x.Req.TLS() {
			r.ForwardedPort = "443"
		}
	}
	if !x.PassesTraceHeader() {
		r.TraceID = x.TraceHeader()
	}
	if a := x.Req.RemoteAddr(); a.IsValid() {
		r.SourceIP = a.Addr().Unmap().String()
	}
	if c := x.ClientCert; c != nil {
		// A mutual TLS custom domain verified it [D].
		r.ClientCert = &proxyevent.ClientCert{ClientCertPEM: c.PEM, SubjectDN: c.SubjectDN, IssuerDN: c.IssuerDN,
			SerialNumber: c.SerialNumber, NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	}
	if rt := x.Match.Route; rt != nil {
		r.RouteKey = rt.Key
		if x.Match.Params.Len() > 0 {
			r.PathParams = &x.Match.Params
		}
	}
}

// splitHost splits a Host header into host and port ("" when it has none).
func splitHost(hostport string) (host, port string) {
	if !strings.Contains(hostport, ":") {
		return hostport, "" // the usual Host; SplitHostPort would build an error for it
	}
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, ""
	}
	return h, p
}
