package tracing

import (
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/xray"
)

// API types, for StageSpec.Type.
const (
	REST      = "REST"
	HTTP      = "HTTP"
	WebSocket = "WEBSOCKET"
)

// StageSpec describes a traced stage.
type StageSpec struct {
	APIID, APIName, Stage string
	// Type is REST, HTTP or WebSocket.
	Type string
}

// Stage starts and ends the spans of one traced stage's requests.
type Stage struct {
	t    *Tracer
	name string
	// seq orders a batch's spans by stage; scope is the stage's
	// instrumentation scope, encoded.
	seq   uint64
	scope []byte
}

// Stage prepares the spans of a stage: named like API Gateway's X-Ray
// segment, "{api name}/{stage}" [D: apigateway-understanding-xray-traces].
// What identifies the stage (API id, name and type, stage, account,
// region, the stage's ARN) is its instrumentation scope's attributes, sent
// once per export batch rather than with each span, and encoded here. A
// nil Tracer (no collector configured) returns nil: the stage does not
// trace.
func (t *Tracer) Stage(spec StageSpec) *Stage {
	if t == nil {
		return nil
	}
	name := spec.APIName
	if name == "" {
		name = spec.APIID
	}
	collection := "restapis"
	if spec.Type != REST {
		collection = "apis"
	}
	scope := encodeScope(scopeName, "", []attribute.KeyValue{
		attribute.String("aws.api_gateway.api_id", spec.APIID),
		attribute.String("aws.api_gateway.api_name", spec.APIName),
		attribute.String("aws.api_gateway.stage", spec.Stage),
		attribute.String("aws.api_gateway.api_type", spec.Type),
		attribute.String("cloud.account.id", t.accountID),
		attribute.String("cloud.region", t.region),
		attribute.String("cloud.resource_id", "arn:aws:apigateway:"+t.region+"::/"+collection+"/"+spec.APIID+"/stages/"+spec.Stage),
	})
	return &Stage{t: t, name: name + "/" + spec.Stage, seq: t.stages.Add(1), scope: scope}
}

// methodKey is the attribute of the request's method.
const methodKey = attribute.Key("http.request.method")

// methods are the common request methods' attributes, encoded.
var methods = func() (m [7][]byte) {
	for i, name := range [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		m[i] = appendKeyValue(nil, tagAttribute, methodKey, attribute.StringValue(name))
	}
	return m
}()

// setMethod sets the request method's attribute.
func (s *span) setMethod(m string) {
	i := -1
	switch m {
	case "GET":
		i = 0
	case "HEAD":
		i = 1
	case "POST":
		i = 2
	case "PUT":
		i = 3
	case "PATCH":
		i = 4
	case "DELETE":
		i = 5
	case "OPTIONS":
		i = 6
	}
	if i < 0 {
		s.set(methodKey, attribute.StringValue(m))
		return
	}
	s.setEncoded(methodKey, methods[i])
}

// Start starts the request's span (server kind, from the request's
// start) and makes it x's: the caller's trace continues (its trace id,
// its span the parent), its sampling decision holds; without one, the
// tracer's ratio of the traces are sampled.
func (s *Stage) Start(x *pipeline.Exchange) {
	h, fromCaller := x.CallerTrace()
	r := s.t.record()
	r.stage, r.n, r.start, r.startNs = s, 1, x.Start, x.Start.UnixNano()
	sp := &r.spans[0]
	sp.rec, sp.traceID, sp.spanID = r, h.Root, xray.NewSpanID()
	if fromCaller && h.Parent.IsValid() {
		sp.parent, sp.remoteParent = h.Parent, true
	}
	sp.kind, sp.name, sp.start = oteltrace.SpanKindServer, s.name, r.startNs
	sp.sampled = s.t.sampled(h)
	if sp.sampled { // an unsampled request's span records nothing
		// Attributes are encoded as they are set: the request's strings
		// (the engine's buffers) need no copy.
		sp.setMethod(x.Req.Method())
		sp.setString("url.path", x.Req.Path())
		sp.setString("aws.api_gateway.request_id", x.RequestID)
		if a := x.Req.RemoteAddr(); a.IsValid() {
			var buf [64]byte
			b := a.Addr().Unmap().AppendTo(buf[:0])
			sp.setString("client.address", unsafe.String(unsafe.SliceData(b), len(b)))
		}
	}
	x.SetRequestSpan(sp)
}

// End ends the request's span of a completed exchange with what it
// answered: status, route, size; an answer of 500 or more is an error
// (OpenTelemetry's rule for server spans).
func End(x *pipeline.Exchange) {
	sp, ok := x.RequestSpan().(*span)
	if !ok {
		return
	}
	if sp.IsRecording() {
		sp.set("http.response.status_code", attribute.IntValue(x.Status))
		if r := x.Route; r != nil {
			sp.setString("http.route", r.ResourcePath)
		}
		if x.IsCanary {
			sp.set("aws.api_gateway.canary", attribute.BoolValue(true))
		}
		if x.Status >= 500 {
			msg := x.ErrorType.String()
			if x.IntegrationError != "" {
				msg = x.IntegrationError
			}
			sp.SetStatus(codes.Error, msg)
		}
	}
	sp.End()
}
