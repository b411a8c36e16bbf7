package apigw

import (
	"context"
	"strconv"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

// defaultAccount is the account before any UpdateAccount [D].
func defaultAccount() model.Account {
	return model.Account{
		ThrottleSettings: model.ThrottleSettings{BurstLimit: 5000, RateLimit: 10000},
		Features:         []string{"UsagePlans"},
		ApiKeyVersion:    "4",
	}
}

func (a *API) loadAccount(ctx context.Context, rd store.Reader) (model.Account, error) {
	acct, _, err := get[model.Account](ctx, rd, model.KeyAccount)
	if isNotFound(err) {
		return defaultAccount(), nil
	}
	return acct, err
}

func (a *API) getAccount(ctx context.Context, _ *restjson.Request) (any, error) {
	var acct model.Account
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		acct, err = a.loadAccount(ctx, rd)
		return err
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}

// updateAccount supports AWS's paths (/cloudwatchRoleArn, /features) and,
// as a Tollgate extension, /throttleSettings/rateLimit and
// /throttleSettings/burstLimit: AWS sets account limits through support
// tickets, a self-hosted gateway through this call.
func (a *API) updateAccount(ctx context.Context, r *restjson.Request) (any, error) {
	ops, err := decodePatch(r, "updateAccountInput")
	if err != nil {
		return nil, err
	}
	var acct model.Account
	err = a.update(ctx, func(tx store.Tx) error {
		var err error
		acct, err = a.loadAccount(ctx, tx)
		if err != nil {
			return err
		}
		for _, op := range ops {
			if err := patchAccount(&acct, op); err != nil {
				return err
			}
		}
		return put(ctx, tx, model.KeyAccount, 0, acct)
	})
	if err != nil {
		return nil, err
	}
	return acct, nil
}

func patchAccount(acct *model.Account, op patch.Operation) error {
	val := op.Str()
	switch op.Path {
	case "/cloudwatchRoleArn":
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		acct.CloudwatchRoleArn = optional(val)
	case "/features":
		switch op.Op {
		case "add":
			if !in1(val, acct.Features) {
				acct.Features = append(acct.Features, val)
			}
		case "remove":
			acct.Features = without(acct.Features, val)
		default:
			return patch.OpNotAllowed(op, "add", "remove")
		}
	case "/throttleSettings/rateLimit":
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 {
			return awserr.BadRequest("Invalid rate limit specified: %s", val)
		}
		acct.ThrottleSettings.RateLimit = model.Double(f)
	case "/throttleSettings/burstLimit":
		if op.Op != "replace" {
			return patch.InvalidOp("replace")
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return awserr.BadRequest("Invalid burst limit specified: %s", val)
		}
		acct.ThrottleSettings.BurstLimit = n
	default:
		return patch.InvalidPathFor(op, "/cloudwatchRoleArn", "/features", "/throttleSettings/rateLimit", "/throttleSettings/burstLimit")
	}
	return nil
}
