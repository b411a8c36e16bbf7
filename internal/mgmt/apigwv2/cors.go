package apigwv2

import (
	"strings"

	"github.com/tollgate/tollgate/internal/modelv2"
)

// corsInput is a Cors member of CreateApi or UpdateApi. Members left out of
// an update keep their values [U: AWS documents partial updates for the
// API, not for this nested member].
type corsInput struct {
	AllowCredentials *bool     `json:"allowCredentials"`
	AllowHeaders     *[]string `json:"allowHeaders"`
	AllowMethods     *[]string `json:"allowMethods"`
	AllowOrigins     *[]string `json:"allowOrigins"`
	ExposeHeaders    *[]string `json:"exposeHeaders"`
	MaxAge           *int64    `json:"maxAge"`
}

// check enforces the model's constraints on the members sent.
func (in *corsInput) check() error {
	var c checker
	c.between(in.MaxAge, "maxAge", -1, 86400)
	if in.AllowMethods != nil {
		for _, m := range *in.AllowMethods {
			c.length(&m, "allowMethods", 1, 64)
		}
	}
	return c.err
}

// apply merges the members sent into old (nil: none) and returns the
// result.
func (in *corsInput) apply(old *modelv2.Cors) *modelv2.Cors {
	out := &modelv2.Cors{}
	if old != nil {
		*out = *old
	}
	if in.AllowCredentials != nil {
		out.AllowCredentials = in.AllowCredentials
	}
	set := func(dst *[]string, src *[]string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&out.AllowHeaders, in.AllowHeaders)
	set(&out.AllowMethods, in.AllowMethods)
	set(&out.AllowOrigins, in.AllowOrigins)
	set(&out.ExposeHeaders, in.ExposeHeaders)
	if in.MaxAge != nil {
		out.MaxAge = in.MaxAge
	}
	return out
}

// checkCors refuses a configuration AWS refuses: credentials with a
// wildcard origin [C].
func checkCors(c *modelv2.Cors) error {
	if c == nil || c.AllowCredentials == nil || !*c.AllowCredentials {
		return nil
	}
	for _, o := range c.AllowOrigins {
		if strings.TrimSpace(o) == "*" {
			return bad("allow-credentials is not supported if 'allow-origin' is *")
		}
	}
	return nil
}
