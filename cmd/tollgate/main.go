// Command tollgate is a self-hosted Amazon API Gateway in one binary.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tollgate/tollgate/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
