package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
)

// SDK runs `tollgate sdk`: it writes the client SDK of a deployed stage as
// a zip (GetSdk), as `aws apigateway get-sdk` does.
func SDK(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("tollgate sdk", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cf clientFlags
	cf.register(fs, env.getenv())
	var apiID, stage, typ, out string
	params := map[string]string{}
	fs.StringVar(&apiID, "rest-api-id", "", "the REST API (required)")
	fs.StringVar(&stage, "stage", "dev", "the deployed stage")
	fs.StringVar(&typ, "type", "javascript", "javascript, typescript or go")
	fs.StringVar(&out, "o", "", "the zip file to write (required)")
	fs.Func("param", "an SDK parameter k=v (invokeUrl, npmPackageName, goModulePath, …); repeatable", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return errors.New("want k=v")
		}
		params[k] = v
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if apiID == "" || out == "" || fs.NArg() != 0 {
		fmt.Fprintln(env.Stderr, "usage: tollgate sdk --rest-api-id ID [--stage NAME] [--type javascript|typescript|go] [--param k=v]… -o FILE")
		return errUsage
	}
	c, err := newMgmtClient(cf.adminAddr, cf.dataDir, cf.region, env.getenv())
	if err != nil {
		return err
	}
	p := "/restapis/" + url.PathEscape(apiID) + "/stages/" + url.PathEscape(stage) + "/sdks/" + url.PathEscape(typ)
	if len(params) > 0 {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		q := url.Values{}
		for _, k := range keys {
			q.Set(k, params[k])
		}
		p += "?" + q.Encode()
	}
	b, err := c.do(ctx, "GET", p, nil, nil)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return fmt.Errorf("sdk: %w", ae)
		}
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s SDK of %s/%s, %d bytes)\n", out, typ, apiID, stage, len(b))
	return nil
}
