package waf

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/waf/transform"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// RateCounter counts the requests of rate-based rules: in memory on one
// gateway, in Redis for a cluster (ratelimit.Windows).
type RateCounter = ratelimit.Windows

// defaultRateWindow is EvaluationWindowSec's default [M].
const defaultRateWindow = 300 * time.Second

// Aggregate key kinds.
const (
	keyIP uint8 = iota
	keyForwardedIP
	keyConstant
	keyCustom
)

// rateKey is one custom aggregation key.
type rateKey struct {
	kind uint8 // 'h' header, 'c' cookie, 'q' query argument, 's' query string, 'm' method, 'f' forwarded IP, 'i' IP, 'l' labels, 'u' URI path
	name string
	tf   []transform.Func
}

// rateRule is a RateBasedStatement: each request that reaches it,
// matches its scope-down statement and has every part of its aggregation
// key is counted (limited requests too, so that a client that keeps
// sending stays limited); once the count over the evaluation window
// exceeds the limit, the rule's action applies [D] [T: counts are exact
// and immediate, not AWS's periodic estimate].
type rateRule struct {
	limit   float64
	window  time.Duration
	prefix  string
	keyType uint8
	fwd     *forwarded
	scope   matcher
	keys    []rateKey
	rates   RateCounter
}

func compileRate(r *wafmodel.RateBasedStatement, c *compiler, ruleName string) (*rateRule, error) {
	rr := &rateRule{limit: float64(deref64(r.Limit)), window: defaultRateWindow, rates: c.opt.Rates}
	if r.EvaluationWindowSec != nil {
		rr.window = time.Duration(*r.EvaluationWindowSec) * time.Second
	}
	if rr.rates == nil {
		return nil, fmt.Errorf("rule %s: no rate counter", ruleName)
	}
	if r.ScopeDownStatement != nil {
		m, err := c.statement(r.ScopeDownStatement)
		if err != nil {
			return nil, err
		}
		rr.scope = m
	}
	if f := r.ForwardedIPConfig; f != nil {
		rr.fwd = &forwarded{header: strings.ToLower(f.HeaderName), matchFallback: f.FallbackBehavior == "MATCH", position: posFirst}
	}
	switch r.AggregateKeyType {
	case "IP":
		rr.keyType = keyIP
	case "FORWARDED_IP":
		rr.keyType = keyForwardedIP
	case "CONSTANT":
		rr.keyType = keyConstant
	case "CUSTOM_KEYS":
		rr.keyType = keyCustom
		for _, k := range r.CustomKeys {
			var rk rateKey
			var ts []wafmodel.TextTransformation
			switch {
			case k.Header != nil:
				rk, ts = rateKey{kind: 'h', name: strings.ToLower(k.Header.Name)}, k.Header.TextTransformations
			case k.Cookie != nil:
				rk, ts = rateKey{kind: 'c', name: k.Cookie.Name}, k.Cookie.TextTransformations
			case k.QueryArgument != nil:
				rk, ts = rateKey{kind: 'q', name: strings.ToLower(k.QueryArgument.Name)}, k.QueryArgument.TextTransformations
			case k.QueryString != nil:
				rk, ts = rateKey{kind: 's'}, k.QueryString.TextTransformations
			case k.UriPath != nil:
				rk, ts = rateKey{kind: 'u'}, k.UriPath.TextTransformations
			case k.HTTPMethod != nil:
				rk = rateKey{kind: 'm'}
			case k.ForwardedIP != nil:
				rk = rateKey{kind: 'f'}
			case k.IP != nil:
				rk = rateKey{kind: 'i'}
			case k.LabelNamespace != nil:
				rk = rateKey{kind: 'l', name: k.LabelNamespace.Namespace}
			default:
				return nil, fmt.Errorf("rule %s: unsupported aggregation key", ruleName)
			}
			tf, err := compileTransforms(ts)
			if err != nil {
				return nil, err
			}
			rk.tf = tf
			rr.keys = append(rr.keys, rk)
		}
	default:
		return nil, fmt.Errorf("rule %s: aggregate key type %q", ruleName, r.AggregateKeyType)
	}
	// Counts are kept per web ACL, rule and rate settings: changing any
	// of them starts the counts afresh, as on AWS [D].
	h := fnv.New64a()
	settings, _ := jsonOf(r)
	h.Write(settings)
	rr.prefix = "waf/" + c.doc.ID + "/" + ruleName + "/" + strconv.FormatUint(h.Sum64(), 36) + "/"
	return rr, nil
}

// limited reports whether the request is over its instance's limit.
func (r *rateRule) limited(e *eval) bool {
	if r.scope != nil && !r.scope.match(e) {
		return false
	}
	key, ok := r.key(e)
	if !ok {
		return false // a request missing a key part is not counted [D]
	}
	n, err := r.rates.Hit(e.ctx, key, r.window, e.now)
	if err != nil {
		e.err = err
		return false
	}
	return n > r.limit
}

// key is the request's aggregation instance.
func (r *rateRule) key(e *eval) (string, bool) {
	switch r.keyType {
	case keyIP:
		return r.prefix + clientIP(e).String(), true
	case keyConstant:
		return r.prefix, true
	case keyForwardedIP:
		a, ok, fallback := r.fwd.firstAddress(e)
		switch {
		case ok:
			return r.prefix + a.Unmap().String(), true
		case fallback:
			return r.prefix + "malformed", true // [U] MATCH: counted together
		}
		return "", false
	}
	h := fnv.New128a()
	for _, k := range r.keys {
		v, ok := r.part(e, k)
		if !ok {
			return "", false
		}
		h.Write([]byte{k.kind, byte(len(v) >> 24), byte(len(v) >> 16), byte(len(v) >> 8), byte(len(v))})
		h.Write(v)
	}
	return r.prefix + hex.EncodeToString(h.Sum(nil)), true
}

// part is one custom key's value of the request.
func (r *rateRule) part(e *eval, k rateKey) ([]byte, bool) {
	var v []byte
	switch k.kind {
	case 'h':
		var ok bool
		if v, ok = e.header(k.name); !ok {
			return nil, false
		}
	case 'c':
		found := false
		for _, c := range e.cookieList() {
			if string(c.name) == k.name {
				v, found = c.value, true
				break
			}
		}
		if !found {
			return nil, false
		}
	case 'q':
		found := false
		for _, a := range e.queryArgs() {
			if argNameEqual(a.name, k.name) {
				v, found = a.value, true
				break
			}
		}
		if !found {
			return nil, false
		}
	case 's':
		if v = []byte(e.req.RawQuery()); len(v) == 0 {
			return nil, false
		}
	case 'u':
		v = []byte(e.req.URI())
	case 'm':
		return []byte(e.req.Method()), true
	case 'i':
		return []byte(clientIP(e).String()), true
	case 'f':
		if r.fwd == nil {
			return nil, false
		}
		a, ok, fallback := r.fwd.firstAddress(e)
		switch {
		case ok:
			return []byte(a.Unmap().String()), true
		case fallback:
			return []byte("malformed"), true
		}
		return nil, false
	case 'l':
		var b bytes.Buffer
		for _, l := range e.labels {
			if strings.HasPrefix(l, k.name) || strings.Contains(l, ":"+k.name) {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
		if b.Len() == 0 {
			return nil, false
		}
		return b.Bytes(), true
	}
	out := transform.Chain(k.tf, &e.bufs, v)
	return append([]byte(nil), out...), true
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
