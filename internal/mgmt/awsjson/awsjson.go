// Package awsjson serves AWS JSON 1.1 services (acm today; wafv2,
// cloudtrail and logs share it) on the management router, beside the
// REST-JSON ones: every call is POST / naming its operation in
// X-Amz-Target ("CertificateManager.ImportCertificate"), member names are
// PascalCase, successes are 200 with a JSON body, and errors carry their
// type in the body's "__type" member. Authentication is the server's
// (SigV4 with the service's signing name); this package only routes,
// decodes and shapes.
package awsjson

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
)

// Handler runs one operation: it returns the output (marshalled as JSON;
// nil sends {}) or an error (an *awserr.Error, sent as AWS JSON 1.1 does).
type Handler func(ctx context.Context, r *restjson.Request) (any, error)

// Service is one AWS JSON 1.1 service.
type Service struct {
	// TargetPrefix is what X-Amz-Target holds before the operation name:
	// "CertificateManager", "AWSWAF_20190729", "Logs_20140328".
	TargetPrefix string
	// SigningName is the SigV4 credential-scope service: "acm", "wafv2".
	SigningName string
	// Aliases are other prefixes the service answers under: CloudTrail's
	// botocore model names "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
	// while the JavaScript SDK sends the service shape's name alone,
	// "CloudTrail_20131101" [M: botocore service-2.json; the SDK's wire].
	Aliases []string
	// Ops are the operations by name.
	Ops map[string]Handler
}

// Register adds the service's operations to rt. A target with the
// service's prefix and an unknown operation name is answered 400
// UnknownOperationException, signed for the service like the others.
func (s Service) Register(rt *restjson.Router) {
	ops := make(map[string]restjson.Op, len(s.Ops))
	for name, h := range s.Ops {
		ops[name] = restjson.Op{Name: name, Service: s.SigningName, Status: http.StatusOK,
			Handler: output(h), WriteError: awserr.WriteJSON11}
	}
	unknown := restjson.Op{Name: "Unknown", Service: s.SigningName, Status: http.StatusOK, WriteError: awserr.WriteJSON11,
		Handler: func(_ context.Context, r *restjson.Request) (any, error) {
			return nil, UnknownOperation(r.HTTP.Header.Get(restjson.TargetHeader))
		}}
	for _, prefix := range append([]string{s.TargetPrefix}, s.Aliases...) {
		rt.HandleTargets(prefix, ops, unknown)
	}
}

// UnknownOperation is the answer to a target the service does not have
// [U: AWS's message text].
func UnknownOperation(target string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "UnknownOperationException", "Unknown operation "+target)
}

// output sends h's result as an AWS JSON 1.1 body.
func output(h Handler) restjson.Handler {
	return func(ctx context.Context, r *restjson.Request) (any, error) {
		out, err := h(ctx, r)
		if err != nil {
			return nil, err
		}
		body := []byte("{}")
		if out != nil {
			if body, err = json.Marshal(out); err != nil {
				return nil, err
			}
		}
		return &restjson.Raw{ContentType: awserr.JSON11ContentType, Body: body}, nil
	}
}

// Decode unmarshals the request body into v. An empty body decodes as {};
// malformed JSON and members of the wrong JSON type are a 400
// SerializationException, unknown members are ignored (as the REST-JSON
// services do).
func Decode(r *restjson.Request, v any) error { return r.Decode(v) }

// Validation errors of AWS JSON services use the same
// "1 validation error detected: …" form as apigateway's; see
// awserr.Validation.
