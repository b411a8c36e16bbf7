package httpapi

import (
	"github.com/tollgate/tollgate/internal/gateway/parammap"
)

// Integration is a compiled route target: it sends the request to its
// backend and writes the backend's answer to x.Resp, or returns the
// failure to answer with.
type Integration interface {
	Invoke(x *Exchange) error
	// Responses are the integration's responseParameters (nil: none),
	// applied to its answers by the pipeline.
	Responses() *parammap.ResponseMapping
}

// unsupported is an integration of a kind Tollgate does not serve: a
// private integration (connectionType VPC_LINK: the load balancer or
// Cloud Map service it names is in a VPC Tollgate cannot reach) or an AWS
// service integration (integrationSubtype: Tollgate emulates no AWS
// service). Its routes answer as AWS does when it cannot reach such a
// target (see compileIntegration), and the log names what is unsupported.
type unsupported struct {
	id     string  // the integration's id
	what   string  // what is unsupported, for the log
	answer *answer // what the client gets
}

func (u *unsupported) Invoke(*Exchange) error             { return u }
func (*unsupported) Responses() *parammap.ResponseMapping { return nil }

func (u *unsupported) Error() string {
	return "integration " + u.id + ": " + u.what + " are not served by Tollgate"
}
