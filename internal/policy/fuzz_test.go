package policy

import (
	"encoding/json"
	"errors"
	"testing"
)

// catchAllDeny is a statement that denies every request.
const catchAllDeny = `{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`

func FuzzParseEvaluate(f *testing.F) {
	seed := func(doc string) {
		f.Add([]byte(doc), "execute-api:Invoke", testBase+"/prod/GET/pets/1", "192.0.2.7", "alice")
	}
	for _, tc := range evalCases {
		seed(tc.doc)
		if tc.expand {
			if out, err := ExpandExecuteAPI([]byte(tc.doc), "us-east-1", testAccount, "abc123"); err == nil {
				seed(string(out))
			}
		}
	}
	for _, tc := range condCases {
		seed(condDoc(tc.cond, tc.version))
	}
	for _, tc := range parseErrorCases {
		seed(tc.doc)
	}
	f.Add([]byte(authorizerGetPolicy), "execute-api:invoke", "arn:aws:execute-api:x:y:abc123/a/GET/", "2001:db8::1", "")
	f.Add([]byte(condDoc(`{"StringLike":{"aws:username":"*a?b*${aws:username}*"}}`, "")), "s3:x", "*", "junk", "a*b?")

	denyAll, err := Parse([]byte(catchAllDeny))
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, doc []byte, action, resource, ip, user string) {
		p, err := Parse(doc)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned both a policy and an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		c := map[string][]string{
			"aws:SourceIp":    {ip},
			"aws:username":    {user},
			"aws:CurrentTime": {ip},
			"aws:TagKeys":     {user, ip},
			"n":               {user},
		}
		requests := []Request{
			{Action: action, Resource: resource, Principal: Principal{Anonymous: true}, Context: c},
			{Action: action, Resource: resource, Principal: Principal{ARN: user, Account: ip}, Context: c},
			{Action: action, Resource: resource, Principal: Principal{ARN: aliceARN}},
		}
		for i := range requests {
			r := &requests[i]
			got := p.Evaluate(r)

			// Each Deny statement that denies alone makes the policy deny.
			for j := range p.stmts {
				single := &Policy{version: p.version, stmts: p.stmts[j : j+1]}
				if p.stmts[j].deny && single.Evaluate(r) == Deny && got != Deny {
					t.Fatalf("statement %d alone denies, policy says %v", j, got)
				}
			}

			// A catch-all Deny wins, before or after the other statements.
			after := &Policy{version: p.version, stmts: append(append([]statement(nil), p.stmts...), denyAll.stmts...)}
			before := &Policy{version: p.version, stmts: append(append([]statement(nil), denyAll.stmts...), p.stmts...)}
			if d := after.Evaluate(r); d != Deny {
				t.Fatalf("catch-all Deny appended: %v", d)
			}
			if d := before.Evaluate(r); d != Deny {
				t.Fatalf("catch-all Deny prepended: %v", d)
			}
		}

		// The same through JSON: append the catch-all Deny to the document.
		var top map[string]any
		dec := json.NewDecoder(bytesReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&top); err != nil {
			t.Fatalf("Parse accepted a document encoding/json rejects: %v", err)
		}
		var stmts []any
		switch s := top["Statement"].(type) {
		case []any:
			stmts = s
		case map[string]any:
			stmts = []any{s}
		default:
			t.Fatalf("Parse accepted Statement of type %T", s)
		}
		top["Statement"] = append(stmts, map[string]any{"Effect": "Deny", "Action": "*", "Resource": "*"})
		doc2, err := json.Marshal(top)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := Parse(doc2)
		if err != nil {
			t.Fatalf("re-encoded document with a Deny appended does not parse: %v\n%s", err, doc2)
		}
		for i := range requests {
			if d := p2.Evaluate(&requests[i]); d != Deny {
				t.Fatalf("document with a catch-all Deny appended evaluates to %v", d)
			}
		}
	})
}
