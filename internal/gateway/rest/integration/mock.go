package integration

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// Mock answers from the integration's templates without a backend.
type Mock struct {
	requests  *RequestTemplates
	responses *Responses
}

// NewMock compiles a MOCK integration.
func NewMock(in *model.Integration) (*Mock, error) {
	rt, err := NewRequestTemplates(in)
	if err != nil {
		return nil, err
	}
	rs, err := NewResponses(in.IntegrationResponses)
	if err != nil {
		return nil, err
	}
	return &Mock{requests: rt, responses: rs}, nil
}

// statusCodeRE finds the status code in a rendered MOCK request template;
// AWS also accepts the non-strict `{ statusCode: 200 }` CDK emits [L].
var statusCodeRE = regexp.MustCompile(`"?statusCode"?\s*:\s*"?(\d{3})"?`)

var errMockStatus = errors.New("unable to parse statusCode. It should be an integer that is defined in the request template")

// Invoke implements rest.Integration.
func (m *Mock) Invoke(x *rest.Exchange) error {
	rendered, _, err := m.requests.Transform(x)
	if err != nil {
		return err
	}
	mt := statusCodeRE.FindSubmatch(rendered)
	if mt == nil {
		return pipeline.Fail(pipeline.APIConfigurationError, errMockStatus)
	}
	status, _ := strconv.Atoi(string(mt[1]))
	x.IntegrationStatus = status
	r, err := m.responses.Select(strconv.Itoa(status))
	if err != nil {
		return err
	}
	// A MOCK has no backend body: responses come from templates only.
	return r.write(x, backendResult{header: func(string) []string { return nil }})
}
