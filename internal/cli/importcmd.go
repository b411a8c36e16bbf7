package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// clientFlags are the settings of the commands that drive a running
// gateway, with the same environment variables and defaults as serve.
type clientFlags struct {
	adminAddr, dataDir, region string
}

func (c *clientFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	def := func(env, d string) string {
		if v := getenv(env); v != "" {
			return v
		}
		return d
	}
	fs.StringVar(&c.adminAddr, "admin-addr", def("TOLLGATE_ADMIN_ADDR", "127.0.0.1:4566"), "the gateway's management API (env TOLLGATE_ADMIN_ADDR)")
	fs.StringVar(&c.dataDir, "data-dir", def("TOLLGATE_DATA_DIR", "./tollgate-data"), "the gateway's data dir, for its credentials (env TOLLGATE_DATA_DIR)")
	fs.StringVar(&c.region, "region", def("TOLLGATE_REGION", "us-east-1"), "the gateway's region (env TOLLGATE_REGION)")
}

// importOptions are ImportRestApi's choices.
type importOptions struct {
	stage          string
	failOnWarnings bool
	basePath       string
}

// Import runs `tollgate import FILE`: it imports an OpenAPI/Swagger file
// with API Gateway extensions into a running gateway (replacing the API of
// the same title if there is one), deploys it and prints its invoke URLs.
func Import(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("tollgate import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cf clientFlags
	cf.register(fs, env.getenv())
	var opt importOptions
	fs.StringVar(&opt.stage, "stage", "dev", "stage to deploy to (empty: do not deploy)")
	fs.BoolVar(&opt.failOnWarnings, "fail-on-warnings", false, "refuse the file if the import has warnings")
	fs.StringVar(&opt.basePath, "basepath", "", "basePath handling: ignore, prepend or split")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: tollgate import [flags] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	c, err := newMgmtClient(cf.adminAddr, cf.dataDir, cf.region, env.getenv())
	if err != nil {
		return err
	}
	return importFile(ctx, c, fs.Arg(0), opt, env.Stdout)
}

// reorder puts flags before positional arguments, so that both
// `import FILE --stage x` and `import --stage x FILE` work.
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !isBoolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}

func isBoolFlag(a string) bool {
	a = strings.TrimLeft(a, "-")
	return a == "fail-on-warnings" || a == "yaml" || a == "h" || a == "help"
}

// importFile imports path (overwriting an API with the same title) and
// deploys it to opt.stage.
func importFile(ctx context.Context, c *mgmtClient, path string, opt importOptions, out io.Writer) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	title := specTitle(body)
	existing := ""
	if title != "" {
		if existing, err = c.findAPI(ctx, title); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	q := url.Values{}
	if opt.failOnWarnings {
		q.Set("failonwarnings", "true")
	}
	if opt.basePath != "" {
		q.Set("basepath", opt.basePath)
	}
	ct := "application/json"
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '{' {
		ct = "application/yaml"
	}
	method, p := "POST", "/restapis?mode=import"
	if existing != "" {
		method, p = "PUT", "/restapis/"+existing+"?mode=overwrite"
	}
	if len(q) > 0 {
		p += "&" + q.Encode()
	}
	res, err := c.do(ctx, method, p, body, map[string]string{"Content-Type": ct})
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	var api struct {
		ID       string   `json:"id"`
		Name     string   `json:"name"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(res, &api); err != nil || api.ID == "" {
		return fmt.Errorf("import %s: unexpected answer %.200s", path, res)
	}
	verb := "imported"
	if existing != "" {
		verb = "replaced"
	}
	fmt.Fprintf(out, "%s REST API %s (%s) from %s\n", verb, api.ID, api.Name, path)
	for _, w := range api.Warnings {
		fmt.Fprintf(out, "  warning: %s\n", w)
	}
	if opt.stage == "" {
		return nil
	}
	if err := c.doJSON(ctx, "POST", "/restapis/"+api.ID+"/deployments", map[string]string{"stageName": opt.stage}, nil); err != nil {
		return fmt.Errorf("deploying %s to %s: %w", api.ID, opt.stage, err)
	}
	fmt.Fprintf(out, "deployed to stage %s\n", opt.stage)
	for _, base := range c.dataPlanes(ctx) {
		fmt.Fprintf(out, "  %s/_aws/execute-api/%s/%s/\n", base, api.ID, opt.stage)
	}
	return nil
}

// specTitle is the file's info.title (JSON or YAML), or "".
func specTitle(b []byte) string {
	var doc struct {
		Info struct {
			Title string `json:"title" yaml:"title"`
		} `json:"info" yaml:"info"`
	}
	if json.Unmarshal(b, &doc) != nil {
		_ = yaml.Unmarshal(b, &doc)
	}
	return doc.Info.Title
}

// findAPI returns the id of the REST API named name, or "".
func (c *mgmtClient) findAPI(ctx context.Context, name string) (string, error) {
	position := ""
	for {
		p := "/restapis?limit=500"
		if position != "" {
			p += "&position=" + url.QueryEscape(position)
		}
		var page struct {
			Item []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"item"`
			Position string `json:"position"`
		}
		if err := c.doJSON(ctx, "GET", p, nil, &page); err != nil {
			return "", err
		}
		for _, it := range page.Item {
			if it.Name == name {
				return it.ID, nil
			}
		}
		if page.Position == "" {
			return "", nil
		}
		position = page.Position
	}
}

// dataPlanes asks the gateway for its data-plane base URLs.
func (c *mgmtClient) dataPlanes(ctx context.Context) []string {
	var info struct {
		DataPlane []string `json:"dataPlane"`
	}
	if err := c.doJSON(ctx, "GET", "/_tollgate/listeners", nil, &info); err != nil {
		return nil
	}
	return info.DataPlane
}

// Export runs `tollgate export`: it prints a deployed stage as OpenAPI 3.0
// or Swagger 2.0 with API Gateway's extensions (GetExport).
func Export(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("tollgate export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cf clientFlags
	cf.register(fs, env.getenv())
	var apiID, stage, typ, extensions string
	var asYAML bool
	fs.StringVar(&apiID, "rest-api-id", "", "the REST API (required)")
	fs.StringVar(&stage, "stage", "dev", "the deployed stage to export")
	fs.StringVar(&typ, "type", "oas30", "oas30 or swagger")
	fs.StringVar(&extensions, "extensions", "apigateway", "API Gateway extensions to include: integrations, authorizers, apigateway (all), postman")
	fs.BoolVar(&asYAML, "yaml", false, "YAML instead of JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if apiID == "" || fs.NArg() != 0 {
		fmt.Fprintln(env.Stderr, "usage: tollgate export --rest-api-id ID [--stage NAME] [--type oas30|swagger] [--yaml]")
		return errUsage
	}
	if typ != "oas30" && typ != "swagger" {
		return fmt.Errorf("export: --type %q: want oas30 or swagger", typ)
	}
	c, err := newMgmtClient(cf.adminAddr, cf.dataDir, cf.region, env.getenv())
	if err != nil {
		return err
	}
	accept := "application/json"
	if asYAML {
		accept = "application/yaml"
	}
	p := "/restapis/" + url.PathEscape(apiID) + "/stages/" + url.PathEscape(stage) + "/exports/" + typ
	if extensions != "" {
		p += "?extensions=" + url.QueryEscape(extensions)
	}
	b, err := c.do(ctx, "GET", p, nil, map[string]string{"Accept": accept})
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return fmt.Errorf("export: %w", ae)
		}
		return err
	}
	_, err = env.Stdout.Write(b)
	return err
}
