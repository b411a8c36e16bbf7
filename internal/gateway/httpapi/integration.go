package httpapi

import (
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
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

// failing is an integration that always fails one way (a kind of target
// Tollgate does not serve yet); the cause goes to the log.
type failing struct{ f *pipeline.Failure }

func (f failing) Invoke(*Exchange) error             { return f.f }
func (failing) Responses() *parammap.ResponseMapping { return nil }
