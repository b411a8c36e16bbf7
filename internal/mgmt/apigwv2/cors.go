package apigwv2

import (
	"errors"

	"github.com/tollgate/tollgate/internal/gateway/cors"
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

// checkCors validates a configuration as it would be stored with the
// rules the data plane compiles it by (cors.Validate), so that nothing the
// management API accepts fails to deploy. Its refusals are
// BadRequestExceptions carrying the validator's message.
func checkCors(c *modelv2.Cors) error {
	if c == nil {
		return nil
	}
	if err := cors.Validate(corsConfig(c)); err != nil {
		if errors.Is(err, cors.ErrInvalid) {
			return bad("%s", err.Error())
		}
		return err
	}
	return nil
}

// corsConfig is the data plane's view of a stored configuration. A maxAge
// beyond int's range (only on 32-bit platforms) is clamped to one the
// validator refuses.
func corsConfig(c *modelv2.Cors) cors.Config {
	cfg := cors.Config{
		AllowOrigins:     c.AllowOrigins,
		AllowMethods:     c.AllowMethods,
		AllowHeaders:     c.AllowHeaders,
		ExposeHeaders:    c.ExposeHeaders,
		AllowCredentials: c.AllowCredentials != nil && *c.AllowCredentials,
	}
	if c.MaxAge != nil {
		n := *c.MaxAge
		const maxInt = int64(^uint(0) >> 1)
		if n > maxInt || n < -maxInt-1 {
			n = cors.MaxAgeLimit + 1
		}
		v := int(n)
		cfg.MaxAge = &v
	}
	return cfg
}
