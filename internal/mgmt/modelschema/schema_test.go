package modelschema

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/awserr"
)

// TestCheckDraft4: schemas are accepted when they are non-empty JSON
// objects that compile as draft 4 with draft 4's keywords only; refusals
// are BadRequestExceptions with AWS's messages.
func TestCheckDraft4(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`{"type":"object","properties":{"a":{"type":"string"}}}`, ""},
		{`{"$schema":"http://json-schema.org/draft-04/schema#","title":"T","type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/a/models/Other"}}`, ""},
		{`{"definitions":{"x":{"type":"integer","minimum":0,"exclusiveMinimum":true}},"properties":{"x":{"$ref":"#/definitions/x"}}}`, ""},
		{``, ErrEmpty},
		{`   `, ErrEmpty},
		{`{}`, ErrEmpty},
		{`[1]`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{`{"type":`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{`{"type":5}`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{`{"properties":{"a":{"pattern":"("}}}`, "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{`{"$id":"http://x","type":"object"}`, `Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): ["$id"]]`},
		{`{"type":"object","properties":{"a":{"type":"string","const":"x"}},"allOf":[{"dependentRequired":{}}]}`,
			`Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): ["const","dependentRequired"]]`},
	} {
		s := tc.schema
		err := CheckDraft4(&s)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", s, err)
			}
			continue
		}
		e, ok := awserr.As(err)
		if !ok || e.Code != "BadRequestException" || e.Message != tc.want {
			t.Errorf("%s: %v, want BadRequestException %q", s, err, tc.want)
		}
	}
	if err := CheckDraft4(nil); err == nil {
		t.Error("a missing schema was accepted")
	}
}

// TestFlatten: references to other models are inlined (recursively),
// unknown ones and cycles kept.
func TestFlatten(t *testing.T) {
	models := map[string]string{
		"Pet":  `{"type":"object","properties":{"tag":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/Tag"}}}`,
		"Tag":  `{"type":"string"}`,
		"Loop": `{"items":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/Loop"}}`,
	}
	lookup := func(name string) (string, bool) { s, ok := models[name]; return s, ok }
	got, err := Flatten(`{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/Pet"},"x":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/Nope"}}`, lookup)
	want := `{"items":{"properties":{"tag":{"type":"string"}},"type":"object"},"type":"array","x":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/Nope"}}`
	if err != nil || got != want {
		t.Errorf("Flatten: %s %v\nwant %s", got, err, want)
	}
	loop, err := Flatten(models["Loop"], lookup)
	if err != nil || strings.Count(loop, `"items"`) < 10 {
		t.Errorf("a cycle: %s %v", loop, err)
	}
}

// TestReferences: the references leaving a schema, each once; internal
// ones and schemas that are not JSON have none.
func TestReferences(t *testing.T) {
	got := References(`{"a":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/A"},"b":[{"$ref":"#/definitions/c"},{"$ref":"B"}],` +
		`"c":{"items":{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/A"}}}`)
	want := []string{"https://apigateway.amazonaws.com/restapis/x/models/A", "B"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("References: %q, want %q", got, want)
	}
	if got := References("{"); got != nil {
		t.Errorf("References of a broken schema: %q", got)
	}
	if ModelURL("x", "A") != want[0] {
		t.Errorf("ModelURL: %s", ModelURL("x", "A"))
	}
}
