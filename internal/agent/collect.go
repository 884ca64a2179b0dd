package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/hostinfo"
	"github.com/vigilsec/vigil/internal/index"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
)

// packageDBs are the package databases whose change triggers a new
// inventory between full reports.
var packageDBs = []string{
	"var/lib/dpkg/status", "lib/apk/db/installed", "var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages", "var/lib/rpm/Packages.db",
}

// dbStamp is the size and modification time of each package database.
func dbStamp(root string) string {
	s := ""
	for _, p := range packageDBs {
		if st, err := os.Stat(filepath.Join(root, p)); err == nil {
			s += fmt.Sprintf("%s:%d:%d;", p, st.Size(), st.ModTime().UnixNano())
		}
	}
	return s
}

// collector gathers reports and keeps the last inventory.
type collector struct {
	cfg      *Config
	inv      *model.Inventory
	invStamp string
	invAt    time.Time
}

// collect builds a report. The inventory is re-indexed when the package
// databases changed, when full is set, or on the first call; the sockets,
// interfaces and firewall are read every time (they are cheap).
func (c *collector) collect(ctx context.Context, full bool) (*api.AgentReport, error) {
	cfg := c.cfg
	rep := &api.AgentReport{Hostname: cfg.Hostname, Version: cfg.Version}
	stamp := dbStamp(cfg.Root)
	if c.inv == nil || full || stamp != c.invStamp {
		inv, err := scan.Inventory(ctx, scan.Request{Kind: model.TargetFS, Target: cfg.Root},
			scan.Options{Index: index.Options{Parallelism: 1, TempDir: cfg.StateDir}})
		if err != nil {
			return nil, fmt.Errorf("inventory of %s: %w", cfg.Root, err)
		}
		c.inv, c.invStamp, c.invAt = inv, stamp, time.Now()
	}
	rep.Inventory = c.inv
	var err error
	if rep.Kernel, rep.Machine, err = hostinfo.Kernel(); err != nil {
		rep.Errors = append(rep.Errors, "uname: "+err.Error())
	}
	if rep.Host.Interfaces, err = hostinfo.Interfaces(); err != nil {
		rep.Errors = append(rep.Errors, "interfaces: "+err.Error())
	}
	if rep.Host.Sockets, err = hostinfo.Sockets(ctx, cfg.ProcRoot); err != nil {
		rep.Errors = append(rep.Errors, "sockets: "+err.Error())
	}
	if err := hostinfo.AttachPackages(ctx, cfg.Root, rep.Host.Sockets, hostinfo.NewLimiter(cfg.ReadRate)); err != nil {
		rep.Errors = append(rep.Errors, "socket packages: "+err.Error())
	}
	if !cfg.NoFirewall {
		if rep.Host.Firewall, err = hostinfo.Firewall(ctx); err != nil {
			rep.Errors = append(rep.Errors, "firewall: "+err.Error())
		}
	}
	rep.Host.Host = cfg.Hostname
	return rep, ctx.Err()
}
