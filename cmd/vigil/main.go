// Command vigil is the single binary of the vigil vulnerability assessment
// service: a CLI for one-off and CI scans, the advisory database commands,
// and (later) the server, worker and agent roles. All logic lives under
// internal/; this file only hands the process to internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/vigilsec/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
