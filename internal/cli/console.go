package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/mgmt"
)

// newConsole builds the web console: it reads and writes through the
// management API handler, signed in process with the management
// credentials; its "try it" requests reach the data-plane listeners (the
// HTTPS one trusting the data dir's local CA).
func newConsole(s config.Settings, api http.Handler, auth mgmt.Authenticator, creds credentials.Pair, metrics prometheus.Gatherer,
	data []dataListener, log *slog.Logger) (*console.Console, error) {
	var bases []string
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, d := range data {
		bases = append(bases, d.scheme+"://"+reachable(d.addr))
		if d.ca != "" {
			if pem, err := os.ReadFile(d.ca); err == nil {
				pool.AppendCertsFromPEM(pem)
			}
		}
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			ResponseHeaderTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c, err := console.New(console.Config{
		Mgmt: api, Auth: auth, Region: s.Region, Metrics: metrics,
		Credentials:  func() (string, string) { return creds.AccessKeyID, creds.SecretAccessKey },
		DataPlane:    bases,
		DataClient:   client,
		PortalPublic: s.PortalPublic,
		Logger:       log.With("component", "console"),
	})
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return c, nil
}

// reachable turns a listener address bound to every interface into one a
// local client can dial.
func reachable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// ConsoleURL runs `tollgate console-url`: it asks the running gateway for
// a one-time sign-in link (SigV4-signed POST /_tollgate/console/tokens)
// and prints it, alone, on stdout.
func ConsoleURL(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("tollgate console-url", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var cf clientFlags
	cf.register(fs, env.getenv())
	next := fs.String("next", "", "the console page to open after sign-in, e.g. "+console.Prefix+"apis/ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c, err := newMgmtClient(cf.adminAddr, cf.dataDir, cf.region, env.getenv())
	if err != nil {
		return err
	}
	in := map[string]string{}
	if *next != "" {
		in["next"] = *next
	}
	var out struct {
		URL string `json:"url"`
	}
	if err := c.doJSON(ctx, http.MethodPost, console.Prefix+"tokens", in, &out); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, out.URL)
	return nil
}
