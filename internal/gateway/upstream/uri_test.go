package upstream

import (
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// TestCheckTarget: a rendered integration URI whose path has a dot-segment
// from the request is refused; one the API's own template has is not.
func TestCheckTarget(t *testing.T) {
	for _, c := range []struct {
		template, value string
		vars            map[string]string
		refused         bool
	}{
		{"http://b/public/{p}", "x", nil, false},
		{"http://b/public/{p}", "a%2Fb", nil, false},
		{"http://b/public/{p}?q=..", "x", nil, false},
		{"http://b.example.com:8080/{p}", "v1.2", nil, false},
		{"http://b/public/{p}", "..", nil, true},
		{"http://b/public/{p}", "..%2Fadmin", nil, true},
		{"http://b/public/{p}", "%252e%252e", nil, true},
		{"http://b/public/{p}/x", ".", nil, true},
		{"http://b/${stageVariables.base}/{p}", "x", map[string]string{"base": "v1/../v2"}, false},
		{"http://b/a/../{p}", "x", nil, false},
	} {
		tpl, err := ParseURI(c.template)
		if err != nil {
			t.Fatalf("%s: %v", c.template, err)
		}
		target := tpl.Render(func(string) (string, bool) { return c.value, true }, c.vars)
		err = tpl.CheckTarget(target, c.vars)
		if refused := errors.Is(err, pipeline.ErrBadRequest); refused != c.refused {
			t.Errorf("%s with %q (%s): refused %v, want %v", c.template, c.value, target, refused, c.refused)
		}
	}
}

// TestCheckTargetHost: a URI without a host is AWS's "Invalid endpoint
// address", a configuration error.
func TestCheckTargetHost(t *testing.T) {
	for _, c := range []struct {
		template string
		ok       bool
	}{
		{"http://${stageVariables.host}/pets", false},
		{"http://${stageVariables.host}:8080/pets", false},
		{"https://${stageVariables.host}", false},
		{"http://b.example/pets", true},
		{"http://[::1]:8080/x", true},
	} {
		tpl, err := ParseURI(c.template)
		if err != nil {
			t.Fatalf("%s: %v", c.template, err)
		}
		target := tpl.Render(func(string) (string, bool) { return "", false }, nil)
		err = tpl.CheckTarget(target, nil)
		if ok := err == nil; ok != c.ok {
			t.Errorf("%s (%s): %v", c.template, target, err)
		}
		if err != nil && pipeline.FailureOf(err).Type != pipeline.APIConfigurationError {
			t.Errorf("%s: %v is not a configuration error", c.template, err)
		}
	}
}
