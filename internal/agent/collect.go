package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/extract"
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

// collector gathers reports and keeps what is costly to read: the last
// inventory, the package owning each executable seen (both until the
// package databases change) and the last firewall (re-read every
// FirewallPoll).
type collector struct {
	cfg        *Config
	inv        *model.Inventory
	invStamp   string
	invAt      time.Time
	owners     map[string]string // executable (as seen from root) → package, "" for none
	sockOwners hostinfo.OwnerCache
	fw         *exposure.HostFirewall
	fwErr      error
	fwAt       time.Time
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
			scan.Options{Index: index.Options{Parallelism: 1, TempDir: cfg.StateDir, Limits: extract.Limits{ReadRate: cfg.ReadRate}}})
		if err != nil {
			return nil, fmt.Errorf("inventory of %s: %w", cfg.Root, err)
		}
		c.inv, c.invStamp, c.invAt = inv, stamp, time.Now()
		c.owners = map[string]string{}
	}
	rep.Inventory = c.inv
	var err error
	if rep.Kernel, rep.Machine, err = hostinfo.Kernel(); err != nil {
		rep.Errors = append(rep.Errors, "uname: "+err.Error())
	}
	if rep.Host.Interfaces, err = hostinfo.Interfaces(); err != nil {
		rep.Errors = append(rep.Errors, "interfaces: "+err.Error())
	}
	if rep.Host.Sockets, err = hostinfo.Sockets(ctx, cfg.ProcRoot, &c.sockOwners); err != nil {
		rep.Errors = append(rep.Errors, "sockets: "+err.Error())
	}
	if err := c.attachPackages(ctx, rep.Host.Sockets); err != nil {
		rep.Errors = append(rep.Errors, "socket packages: "+err.Error())
	}
	if !cfg.NoFirewall {
		if c.fwAt.IsZero() || full || time.Since(c.fwAt) >= cfg.FirewallPoll {
			c.fw, c.fwErr = hostinfo.Firewall(ctx)
			c.fwAt = time.Now()
		}
		rep.Host.Firewall = c.fw
		if c.fwErr != nil {
			rep.Errors = append(rep.Errors, "firewall: "+c.fwErr.Error())
		}
	}
	rep.Host.Host = cfg.Hostname
	return rep, ctx.Err()
}

// attachPackages fills the sockets' packages, reading the package file
// lists only for executables not seen since the last inventory.
func (c *collector) attachPackages(ctx context.Context, socks []exposure.Socket) error {
	var fresh []exposure.Socket
	var idx []int
	for i := range socks {
		if socks[i].Exe == "" {
			continue
		}
		if pkg, ok := c.owners[socks[i].Exe]; ok {
			socks[i].Exe, _ = hostinfo.RootRelative(c.cfg.Root, socks[i].Exe)
			if socks[i].Package = pkg; pkg != "" {
				socks[i].Ecosystem = hostinfo.PackageManager(c.cfg.Root)
			}
			continue
		}
		fresh = append(fresh, socks[i])
		idx = append(idx, i)
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := hostinfo.AttachPackages(ctx, c.cfg.Root, fresh, hostinfo.NewLimiter(c.cfg.ReadRate)); err != nil {
		return err
	}
	for j, i := range idx {
		c.owners[socks[i].Exe] = fresh[j].Package // keyed by the path read from /proc
		socks[i] = fresh[j]
	}
	return nil
}

// changeKey is a cheap digest of what a report says, for change detection:
// the inventory is named by when it was indexed (it changes only then),
// the rest is hashed.
func (c *collector) changeKey(rep *api.AgentReport) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00", c.invAt.UnixNano(), rep.Kernel, strings.Join(rep.Errors, "\x00"))
	if err := json.NewEncoder(h).Encode(&rep.Host); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
