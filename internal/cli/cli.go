// Package cli implements the tollgate command: one file per subcommand,
// each a Run(ctx, args) error.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/store"
)

// Env is what a command may touch of the process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// wrapStore, when set, wraps the store `serve` opens (tests inject
	// store failures with it).
	wrapStore func(store.Store) store.Store
}

func (e Env) getenv() func(string) string {
	if e.Getenv == nil {
		return os.Getenv
	}
	return e.Getenv
}

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(ctx context.Context, args []string) int {
	env := Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	err := Run(ctx, args, env)
	switch {
	case err == nil, errors.Is(err, config.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(env.Stderr, "tollgate:", err)
		return 1
	}
}

var errUsage = errors.New("usage")

// Run dispatches to a subcommand.
func Run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		usage(env.Stderr)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return Serve(ctx, args[1:], env)
	case "import":
		return Import(ctx, args[1:], env)
	case "deploy":
		return Deploy(ctx, args[1:], env)
	case "export":
		return Export(ctx, args[1:], env)
	case "console-url":
		return ConsoleURL(ctx, args[1:], env)
	case "sdk":
		return SDK(ctx, args[1:], env)
	case "version", "--version", "-version":
		return Version(env.Stdout)
	case "help", "-h", "--help":
		usage(env.Stdout)
		return nil
	}
	fmt.Fprintf(env.Stderr, "tollgate: unknown command %q\n", args[0])
	usage(env.Stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Tollgate: a self-hosted Amazon API Gateway.

Usage:
  tollgate serve [flags]   run the gateway (tollgate serve -h lists the settings)
  tollgate import FILE     import an OpenAPI/Swagger file into a running gateway and deploy it
  tollgate deploy --template FILE [--stack-name NAME] [--parameter-overrides K=V …]
                           create or update a SAM/CloudFormation template's stack on a running gateway
  tollgate export --rest-api-id ID [--stage NAME]
                           print a deployed stage as OpenAPI with API Gateway extensions
  tollgate console-url [--next PATH]
                           print a one-time sign-in link to the running gateway's web console
  tollgate sdk --rest-api-id ID [--stage NAME] [--type javascript|typescript|go] -o FILE
                           write a deployed stage's client SDK as a zip
  tollgate version         print the version
`)
}
