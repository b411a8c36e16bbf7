package authz

import (
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/policy"
)

// PolicyRequest is the question whether x may invoke arn (caller nil: an
// anonymous caller), with the condition keys API Gateway supplies
// (reference §8.1).
func PolicyRequest(x *pipeline.Exchange, arn string, caller *pipeline.Caller) *policy.Request {
	now := time.Now().UTC()
	ctx := map[string][]string{
		"aws:CurrentTime":     {now.Format(time.RFC3339)},
		"aws:EpochTime":       {strconv.FormatInt(now.Unix(), 10)},
		"aws:SecureTransport": {strconv.FormatBool(x.Req.TLS())},
	}
	if a := x.Req.RemoteAddr(); a.IsValid() {
		ip := a.Addr().Unmap().String()
		if x.Network != nil {
			// Private APIs see the VPC endpoint and the client's VPC
			// address, not aws:SourceIp [D].
			ctx["aws:VpcSourceIp"] = []string{ip}
		} else {
			ctx["aws:SourceIp"] = []string{ip}
		}
	}
	if n := x.Network; n != nil {
		ctx["aws:SourceVpce"] = []string{n.Name}
		if n.VPC != "" {
			ctx["aws:SourceVpc"] = []string{n.VPC}
		}
	}
	if ua := x.Req.Header("User-Agent"); ua != "" {
		ctx["aws:UserAgent"] = []string{ua}
	}
	if ref := x.Req.Header("Referer"); ref != "" {
		ctx["aws:Referer"] = []string{ref}
	}
	r := &policy.Request{Action: InvokeAction, Resource: arn, Context: ctx}
	if caller == nil {
		r.Principal = policy.Principal{Anonymous: true}
		return r
	}
	r.Principal = policy.Principal{ARN: caller.ARN, Account: caller.AccountID}
	ctx["aws:username"] = []string{caller.Name}
	ctx["aws:userid"] = []string{caller.UserID}
	ctx["aws:PrincipalArn"] = []string{caller.ARN}
	ctx["aws:PrincipalAccount"] = []string{caller.AccountID}
	ctx["aws:PrincipalType"] = []string{"User"}
	return r
}
