package jwtauth

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// stringifyHTTPAPIClaims renders claims as HTTP API JWT authorizers expose
// them in requestContext.authorizer.jwt.claims and
// $context.authorizer.claims.<name> [C: DefinitelyTyped#75458 real capture;
// E: two emulators that measured AWS]:
//
//   - strings as they are; numbers as their decimal text ("exp" ->
//     "1787996002"); booleans "true"/"false";
//   - arrays printed the way Go prints a slice: "[admin poweruser]"
//     (elements by the same rules inside, objects as Go maps);
//   - objects as their compact JSON text;
//   - null claims are left out.
//
// This differs from the REST Cognito authorizer's rendering
// ([stringifyClaims]), which keeps arrays as JSON; numbers, booleans and
// objects are shared with it.
func stringifyHTTPAPIClaims(claims map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(claims))
	for k, raw := range claims {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
			continue
		case raw[0] == '[':
			out[k] = goStyle(raw)
		default:
			out[k] = stringifyClaim(raw)
		}
	}
	return out
}

// goStyle prints a JSON array as fmt prints the []any encoding/json
// decodes it into (numbers kept as their text).
func goStyle(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	return fmt.Sprint(v)
}
