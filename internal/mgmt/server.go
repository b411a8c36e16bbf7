// Package mgmt is Tollgate's management API server: the AWS REST-JSON
// front door that authenticates every call with SigV4, dispatches it to an
// operation, and gives every outcome AWS's shape.
package mgmt

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// DefaultMaxBody bounds a management request body (OpenAPI imports are the
// largest: AWS accepts up to 6 MB).
const DefaultMaxBody = 10 << 20

// Authenticator verifies a request's signature for a service. It returns an
// *awserr.Error (or an error that maps to one) when the caller is not
// authenticated.
type Authenticator interface {
	Authenticate(r *http.Request, body []byte, service string) error
}

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
	// DefaultService is the signing name checked for unknown operations.
	DefaultService string
	// Observe, when set, is told about every call (for metrics).
	Observe func(op string, status int, d time.Duration)
}

// Server is the management API handler.
type Server struct {
	auth    Authenticator
	router  *restjson.Router
	log     *slog.Logger
	maxBody int64
	defSvc  string
	observe func(op string, status int, d time.Duration)
}

// New builds a Server.
func New(cfg Config) *Server {
	s := &Server{auth: cfg.Auth, router: restjson.NewRouter(), log: cfg.Logger, maxBody: cfg.MaxBody, defSvc: cfg.DefaultService, observe: cfg.Observe}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
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
	rec := &statusRecorder{ResponseWriter: w}
	op := "Unknown"
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("management handler panic", "requestId", reqID, "op", op, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				awserr.Write(rec, awserr.Internal())
			}
		}
		d := time.Since(start)
		s.log.Info("management call", "requestId", reqID, "op", op, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "ms", d.Milliseconds())
		if s.observe != nil {
			s.observe(op, rec.status, d)
		}
	}()
	matched := s.router.Match(r)
	if matched != nil {
		op = matched.Name
	}
	limit := s.maxBody
	if matched != nil && matched.MaxBody > 0 {
		limit = matched.MaxBody
	}
	body, err := readBody(w, r, limit)
	if errors.Is(err, errTooLarge) && matched != nil && matched.TooLarge != nil {
		err = matched.TooLarge
	}
	if err != nil {
		s.fail(rec, reqID, op, err)
		return
	}
	if s.auth != nil {
		svc := s.defSvc
		if matched != nil {
			svc = matched.Service
		}
		if err := s.auth.Authenticate(r, body, svc); err != nil {
			s.fail(rec, reqID, op, err)
			return
		}
	}
	if matched == nil {
		s.fail(rec, reqID, op, awserr.UnknownOperation(r.Method, r.URL.EscapedPath()))
		return
	}
	out, err := matched.Handler(r.Context(), restjson.NewRequest(r, body))
	if err != nil {
		s.fail(rec, reqID, op, err)
		return
	}
	writeOutput(rec, matched.Status, out)
}

// fail sends err and logs internal failures with their cause.
func (s *Server) fail(w http.ResponseWriter, reqID, op string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	e := awserr.Write(w, err)
	if e.Status >= 500 {
		s.log.Error("management call failed", "requestId", reqID, "op", op, "err", err)
	}
}

var errTooLarge = awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
	"Request payload size exceeds the maximum allowed") // [U] AWS's front door text

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, awserr.BadRequest("Could not read the request body")
	}
	return body, nil
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

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.status, s.wrote = http.StatusOK, true
	}
	return s.ResponseWriter.Write(b)
}
