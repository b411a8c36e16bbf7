// Package mgmt is Tollgate's management API server: the AWS REST-JSON
// front door that authenticates every call with SigV4, dispatches it to an
// operation, and gives every outcome AWS's shape.
package mgmt

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/store"
)

// DefaultMaxBody bounds a management request body (OpenAPI imports are the
// largest: AWS accepts up to 6 MB).
const DefaultMaxBody = 10 << 20

// Registrar adds a family of operations to the router.
type Registrar interface {
	Register(rt *restjson.Router)
}

// Config configures a Server.
type Config struct {
	// Auth verifies signatures; nil disables authentication (tests only).
	Auth Authenticator
	// Services are the operation families served.
	Services []Registrar
	Logger   *slog.Logger
	// MaxBody bounds request bodies; 0 means DefaultMaxBody.
	MaxBody int64
	// BodyBudget bounds the bytes of request bodies held in memory at
	// once; 0 means DefaultBodyBudget.
	BodyBudget int64
	// DefaultService is the signing name checked for unknown operations.
	DefaultService string
	// Observe, when set, is told about every call (for metrics).
	Observe func(op string, status int, d time.Duration)
	// Audit, when set, records every authenticated call (audit.go).
	Audit Auditor
}

// Server is the management API handler.
type Server struct {
	auth    Authenticator
	router  *restjson.Router
	log     *slog.Logger
	maxBody int64
	bodies  bodyReader
	defSvc  string
	observe func(op string, status int, d time.Duration)
	audit   Auditor
}

// New builds a Server.
func New(cfg Config) *Server {
	s := &Server{auth: cfg.Auth, router: restjson.NewRouter(), log: cfg.Logger, maxBody: cfg.MaxBody, defSvc: cfg.DefaultService, observe: cfg.Observe,
		audit: cfg.Audit}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	size := cfg.BodyBudget
	if size <= 0 {
		size = DefaultBodyBudget
	}
	s.bodies = bodyReader{budget: newBudget(size)}
	if s.defSvc == "" {
		s.defSvc = "apigateway"
	}
	for _, svc := range cfg.Services {
		svc.Register(s.router)
	}
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := uuid.NewString()
	w.Header()["x-amzn-RequestId"] = []string{reqID}
	rec := &statusRecorder{ResponseWriter: w, capture: s.audit != nil}
	op := "Unknown"
	var matched *restjson.Op
	var call callState
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("management handler panic", "requestId", reqID, "op", op, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				call.err = errorWriter(matched)(rec, awserr.Internal())
			}
		}
		s.record(r, start, reqID, matched, &call, rec)
		call.release()
		d := time.Since(start)
		s.log.Info("management call", "requestId", reqID, "op", op, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "ms", d.Milliseconds())
		if s.observe != nil {
			s.observe(op, rec.status, d)
		}
	}()
	matched = s.router.Match(r)
	if matched != nil {
		op = matched.Name
	}
	out, err := s.serve(r, w, matched, &call)
	if err != nil {
		call.err = s.fail(rec, reqID, op, matched, err)
		return
	}
	writeOutput(rec, matched.Status, out)
}

// serve authenticates r and runs its operation. The order keeps what an
// unauthenticated caller can make the server do small: the signature is
// checked as far as the headers allow before any of the body is read (so a
// request without a well-formed signature for a known access key costs no
// body read at all), a declared Content-Length over the limit is refused
// unread, and bodies are read within the memory budget, hashed as they
// stream in for the rest of the signature check.
func (s *Server) serve(r *http.Request, w http.ResponseWriter, matched *restjson.Op, call *callState) (any, error) {
	var check BodyCheck
	if s.auth != nil {
		svc := s.defSvc
		if matched != nil {
			svc = matched.Service
		}
		var err error
		if check, err = s.auth.Begin(r, svc); err != nil {
			return nil, err
		}
	}
	limit := s.maxBody
	tooLarge := error(errTooLarge)
	if matched != nil && matched.MaxBody > 0 {
		limit = matched.MaxBody
	}
	if matched != nil && matched.TooLarge != nil {
		tooLarge = matched.TooLarge
	}
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	// An unknown operation's body is only hashed, never held.
	body, sum, done, err := s.bodies.read(w, r, limit, matched != nil, check != nil)
	call.done = done
	if errors.Is(err, errTooLarge) {
		err = tooLarge
	}
	if err != nil {
		return nil, err
	}
	if check != nil {
		id, err := check(sum)
		if err != nil {
			return nil, err
		}
		call.caller, call.body = &id, body
	}
	if matched == nil {
		return nil, awserr.UnknownOperation(r.Method, r.URL.EscapedPath())
	}
	return matched.Handler(r.Context(), restjson.NewRequest(r, body))
}

// fail sends err in the shape of matched's protocol and logs internal
// failures with their cause. It returns what was sent (nil when the
// caller has gone).
func (s *Server) fail(w http.ResponseWriter, reqID, op string, matched *restjson.Op, err error) *awserr.Error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if _, ok := awserr.As(err); !ok {
		what := ""
		switch {
		case errors.Is(err, store.ErrUnavailable):
			what = "configuration store"
		case errors.Is(err, ratelimit.ErrUnavailable):
			what = "usage store" // a cluster's Redis, for GetUsage and UpdateUsage
		}
		if what != "" {
			s.log.Warn("management call refused: the "+what+" cannot be reached", "requestId", reqID, "op", op, "err", err)
			return errorWriter(matched)(w, awserr.ServiceUnavailable(what))
		}
	}
	e := errorWriter(matched)(w, err)
	if e.Status >= 500 {
		s.log.Error("management call failed", "requestId", reqID, "op", op, "err", err)
	}
	return e
}

// errorWriter is how matched's errors are sent: in its protocol's shape,
// REST-JSON's by default.
func errorWriter(matched *restjson.Op) func(http.ResponseWriter, error) *awserr.Error {
	if matched != nil && matched.WriteError != nil {
		return matched.WriteError
	}
	return awserr.Write
}

func writeOutput(w http.ResponseWriter, status int, out any) {
	h := w.Header()
	if raw, ok := out.(*restjson.Raw); ok {
		for k, v := range raw.Header {
			h[k] = v
		}
		if raw.ContentType != "" {
			h.Set("Content-Type", raw.ContentType)
		}
		if raw.Status != 0 {
			status = raw.Status
		}
		if raw.Stream != nil {
			w.WriteHeader(status)
			raw.Stream(&streamWriter{w: w, rc: http.NewResponseController(w)})
			return
		}
		if status != http.StatusNoContent {
			h.Set("Content-Length", strconv.Itoa(len(raw.Body)))
		}
		w.WriteHeader(status)
		_, _ = w.Write(raw.Body)
		return
	}
	if out == nil || status == http.StatusNoContent {
		if status != http.StatusNoContent {
			h.Set("Content-Type", "application/json")
			h.Set("Content-Length", "0")
		}
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		awserr.Write(w, awserr.Internal())
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// streamWriter sends each write at once, each within streamWriteTimeout.
type streamWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// streamWriteTimeout bounds one write of a streamed body (the listener's
// own write timeout would bound the whole body).
const streamWriteTimeout = 2 * time.Minute

func (s *streamWriter) Write(b []byte) (int, error) {
	_ = s.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	n, err := s.w.Write(b)
	if err == nil {
		err = s.rc.Flush()
	}
	return n, err
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	// capture keeps the first bytes of the body in body (for the audit
	// trail); over audit.MaxResponse, body is dropped and over set.
	capture, over bool
	body          []byte
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
	}
	if s.capture && !s.over {
		if len(s.body)+len(b) > audit.MaxResponse {
			s.over, s.body = true, nil
		} else {
			s.body = append(s.body, b...)
		}
	}
	return s.ResponseWriter.Write(b)
}
