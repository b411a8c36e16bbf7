package validate

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tollgate/tollgate/internal/model"
)

// ModelURL is the address by which a model's schema refers to another
// model of the same API ("$ref": "https://apigateway.amazonaws.com/
// restapis/{api}/models/{name}") [D][V].
func ModelURL(apiID, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/" + name
}

// Models are one deployment's models, compiled as JSON Schema draft 4 on
// first use and then shared. "$ref" may name another model by ModelURL or
// a part of the same schema ("#/definitions/x").
type Models struct {
	apiID string
	mu    sync.Mutex
	c     *jsonschema.Compiler
	// bad are models whose schema is not JSON.
	bad      map[string]error
	compiled map[string]compiled
}

type compiled struct {
	s   *Schema
	err error
}

// errNoModel is a method naming a model the snapshot does not hold.
var errNoModel = errors.New("no such model")

// NewModels registers every model of an API. Nothing is compiled yet.
func NewModels(apiID string, models []model.Model) *Models {
	ms := &Models{apiID: apiID, c: jsonschema.NewCompiler(), bad: map[string]error{}, compiled: map[string]compiled{}}
	ms.c.DefaultDraft(jsonschema.Draft4)
	// Never fetch a $ref from the network or the file system: only the
	// API's own models resolve.
	ms.c.UseLoader(noLoader{})
	for _, m := range models {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(model.Deref(m.Schema))))
		if err != nil {
			ms.bad[m.Name] = fmt.Errorf("schema is not JSON: %w", err)
			continue
		}
		if err := ms.c.AddResource(ModelURL(apiID, m.Name), doc); err != nil {
			ms.bad[m.Name] = fmt.Errorf("adding the schema: %w", err)
		}
	}
	return ms
}

// Schema returns the compiled schema of the named model.
func (ms *Models) Schema(name string) (*Schema, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if c, ok := ms.compiled[name]; ok {
		return c.s, c.err
	}
	var c compiled
	if err, ok := ms.bad[name]; ok {
		c.err = err
	} else {
		s, err := ms.compile(name)
		c = compiled{s, err}
	}
	ms.compiled[name] = c
	return c.s, c.err
}

func (ms *Models) compile(name string) (s *Schema, err error) {
	defer func() {
		// The compiler must never take the data plane down.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("compiling the schema: panic: %v", r)
		}
	}()
	sch, err := ms.c.Compile(ModelURL(ms.apiID, name))
	if err != nil {
		var lerr *jsonschema.LoadURLError
		if errors.As(err, &lerr) && lerr.URL == ModelURL(ms.apiID, name) {
			return nil, fmt.Errorf("%w: %s", errNoModel, name)
		}
		return nil, fmt.Errorf("compiling the schema: %w", err)
	}
	return &Schema{s: sch}, nil
}

// noLoader refuses every URL that is not one of the API's models.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s: only models of the same API can be referenced", url)
}

// Schema is a compiled model.
type Schema struct{ s *jsonschema.Schema }

// Check validates a request body and returns "" when it is valid, else
// the validation error string ($context.error.validationErrorString). An
// empty body is validated as {} [L].
func (s *Schema) Check(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		// [U] AWS's wording for a body that is not JSON.
		return "[Invalid JSON: " + err.Error() + "]"
	}
	err = s.s.Validate(doc)
	if err == nil {
		return ""
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return "[" + err.Error() + "]"
	}
	return Message(verr, doc)
}
