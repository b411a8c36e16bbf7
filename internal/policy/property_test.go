package policy

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// gen generates random policies and requests from small pools of values
// that overlap, so that statements match requests often.
type gen struct{ r *rand.Rand }

func (g gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

var (
	genActions   = []string{"execute-api:Invoke", "execute-api:*", "*", "execute-api:Inv?ke", "execute-api:InvalidateCache", "s3:*", "EXECUTE-API:invoke"}
	genResources = []string{
		"*", testBase + "/*", testBase + "/prod/*", testBase + "/*/GET/*", testBase + "/prod/GET/pets/?",
		"arn:aws:execute-api:*:*:other/*", testBase + "/*/*/users/${aws:username}", testBase + "/prod/GET/${aws:missing}",
		"arn:aws:execute-api:*:*:*", testBase + "/dev/POST/*",
	}
	genPrincipals = []any{
		"*", map[string]any{"AWS": "*"}, map[string]any{"AWS": testAccount},
		map[string]any{"AWS": []string{aliceARN, "999999999999"}}, map[string]any{"AWS": "arn:aws:iam::123456789012:root"},
		map[string]any{"Service": "lambda.amazonaws.com"},
	}
	genConditions = []map[string]any{
		{"IpAddress": map[string]any{"aws:SourceIp": "192.0.2.0/24"}},
		{"NotIpAddress": map[string]any{"aws:SourceIp": []string{"192.0.2.0/24", "2001:db8::/32"}}},
		{"StringEquals": map[string]any{"aws:username": "alice"}},
		{"StringNotEquals": map[string]any{"aws:username": "${aws:PrincipalAccount}"}},
		{"StringLike": map[string]any{"aws:Referer": "*.example.com"}},
		{"Bool": map[string]any{"aws:SecureTransport": true}},
		{"Null": map[string]any{"aws:username": "true"}},
		{"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{"a", "b"}}},
		{"ForAnyValue:StringLike": map[string]any{"aws:TagKeys": "a*"}},
		{"NumericLessThan": map[string]any{"n": 10}},
		{"DateLessThan": map[string]any{"aws:CurrentTime": "2025-01-01T00:00:00Z"}},
		{"StringEqualsIfExists": map[string]any{"aws:Referer": "a.example.com"}},
		{"ArnNotLike": map[string]any{"aws:PrincipalArn": "arn:aws:iam::123456789012:*"}},
	}
	genRequestResources = []string{
		testBase + "/prod/GET/pets/1", testBase + "/dev/POST/users/alice", testBase + "/prod/GET/users/bob",
		"arn:aws:execute-api:eu-west-1:999999999999:other/x/GET/", testBase + "/prod/GET/pets/",
	}
	genRequestActions = []string{"execute-api:Invoke", "execute-api:InvalidateCache", "s3:GetObject"}
)

func (g gen) list(pool []string) any {
	if g.r.IntN(3) == 0 {
		n := 1 + g.r.IntN(3)
		out := make([]string, n)
		for i := range out {
			out[i] = g.pick(pool)
		}
		return out
	}
	return g.pick(pool)
}

// statement returns a random statement with the given effect ("" = random).
func (g gen) statement(effect string) map[string]any {
	if effect == "" {
		effect = [2]string{"Allow", "Deny"}[g.r.IntN(2)]
	}
	s := map[string]any{"Effect": effect}
	if g.r.IntN(3) == 0 {
		s["NotAction"] = g.list(genActions)
	} else {
		s["Action"] = g.list(genActions)
	}
	if g.r.IntN(4) == 0 {
		s["NotResource"] = g.list(genResources)
	} else {
		s["Resource"] = g.list(genResources)
	}
	switch g.r.IntN(4) {
	case 0:
	case 1:
		s["NotPrincipal"] = genPrincipals[g.r.IntN(len(genPrincipals))]
	default:
		s["Principal"] = genPrincipals[g.r.IntN(len(genPrincipals))]
	}
	if n := g.r.IntN(3); n > 0 {
		cond := map[string]any{}
		for range n {
			for op, v := range genConditions[g.r.IntN(len(genConditions))] {
				cond[op] = v
			}
		}
		s["Condition"] = cond
	}
	return s
}

func (g gen) request() Request {
	r := Request{Action: g.pick(genRequestActions), Resource: g.pick(genRequestResources), Context: map[string][]string{}}
	switch g.r.IntN(3) {
	case 0:
		r.Principal = Principal{Anonymous: true}
	case 1:
		r.Principal = Principal{ARN: aliceARN, Account: testAccount}
		r.Context["aws:username"] = []string{"alice"}
		r.Context["aws:PrincipalArn"] = []string{aliceARN}
		r.Context["aws:PrincipalAccount"] = []string{testAccount}
	default:
		r.Principal = Principal{ARN: otherARN}
		r.Context["aws:PrincipalArn"] = []string{otherARN}
	}
	maybe := func(key string, vals ...string) {
		if g.r.IntN(3) > 0 {
			r.Context[key] = []string{g.pick(vals)}
		}
	}
	maybe("aws:SourceIp", "192.0.2.5", "203.0.113.1", "2001:db8::1", "junk")
	maybe("aws:SecureTransport", "true", "false")
	maybe("aws:Referer", "a.example.com", "evil.test")
	maybe("n", "3", "10", "x")
	maybe("aws:CurrentTime", "2024-06-01T00:00:00Z", "2026-06-01T00:00:00Z")
	if g.r.IntN(2) == 0 {
		var tags []string
		for _, k := range []string{"a", "b", "c"} {
			if g.r.IntN(2) == 0 {
				tags = append(tags, k)
			}
		}
		r.Context["aws:TagKeys"] = tags
	}
	return r
}

func compileStatements(t *testing.T, stmts []map[string]any) *Policy {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"Version": Version2012, "Statement": stmts})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

// TestPropertyDenyWins checks, for random policies and requests, that
//   - if any Deny statement taken alone denies the request, the whole policy
//     denies it, whatever the other statements;
//   - the policy's decision is exactly the IAM combination of the decisions
//     of its statements taken alone;
//   - adding Allow statements (anywhere) never turns a Deny into anything
//     else.
func TestPropertyDenyWins(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(20121017, 1))}
	const policies, requests = 1500, 8
	denies := 0
	for range policies {
		n := 1 + g.r.IntN(6)
		stmts := make([]map[string]any, n)
		singles := make([]*Policy, n)
		for i := range stmts {
			stmts[i] = g.statement("")
			singles[i] = compileStatements(t, stmts[i:i+1])
		}
		p := compileStatements(t, stmts)
		for range requests {
			r := g.request()
			got := p.Evaluate(&r)
			anyDeny, anyAllow := false, false
			for i, s := range singles {
				switch s.Evaluate(&r) {
				case Deny:
					anyDeny = true
					if got != Deny {
						t.Fatalf("statement %d alone denies but the policy says %v\npolicy: %v\nrequest: %+v", i, got, stmts, r)
					}
				case Allow:
					anyAllow = true
				}
			}
			want := NotApplicable
			switch {
			case anyDeny:
				want = Deny
			case anyAllow:
				want = Allow
			}
			if got != want {
				t.Fatalf("policy says %v, statements alone say %v\npolicy: %v\nrequest: %+v", got, want, stmts, r)
			}
			if got != Deny {
				continue
			}
			denies++
			more := append([]map[string]any(nil), stmts...)
			for range 1 + g.r.IntN(3) {
				at := g.r.IntN(len(more) + 1)
				more = append(more[:at], append([]map[string]any{g.statement("Allow")}, more[at:]...)...)
			}
			if got2 := compileStatements(t, more).Evaluate(&r); got2 != Deny {
				t.Fatalf("adding Allow statements turned Deny into %v\npolicy: %v\nrequest: %+v", got2, more, r)
			}
		}
	}
	t.Logf("%d of %d evaluations denied", denies, policies*requests)
	if denies < policies/10 {
		t.Errorf("generator produced only %d denies; the property is barely exercised", denies)
	}
}
