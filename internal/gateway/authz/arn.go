package authz

import (
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// InvokeAction is the action every data-plane call is authorized for.
const InvokeAction = "execute-api:Invoke"

// ExecuteAPIARN is the request's execute-api ARN (a REST method's, an
// HTTP API route's):
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path} with
// the real verb (also for ANY methods) and the concrete path without its
// leading slash; the root is ".../{VERB}/" (reference §4.1).
func ExecuteAPIARN(region, account string, x *pipeline.Exchange) string {
	var b strings.Builder
	path := strings.TrimPrefix(x.StagePath, "/")
	b.Grow(40 + len(region) + len(account) + len(x.APIID) + len(x.StageName) + len(path))
	b.WriteString("arn:aws:execute-api:")
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	b.WriteString(x.APIID)
	b.WriteByte('/')
	b.WriteString(x.StageName)
	b.WriteByte('/')
	b.WriteString(x.Req.Method())
	b.WriteByte('/')
	b.WriteString(path)
	return b.String()
}

// MaskAccount replaces all but the last four digits of the account in an
// execute-api ARN with '*', as AWS prints resources in its deny messages
// ("arn:aws:execute-api:us-east-1:********1234:abc/dev/GET/x") [C].
func MaskAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || len(parts[4]) <= 4 {
		return arn
	}
	acct := parts[4]
	parts[4] = strings.Repeat("*", len(acct)-4) + acct[len(acct)-4:]
	return strings.Join(parts, ":")
}
