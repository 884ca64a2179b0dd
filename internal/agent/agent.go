package agent

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/hostinfo"
)

// Config configures an agent.
type Config struct {
	// Server is the vigil server's base URL.
	Server string
	// EnrollToken is the enrollment token used when the state directory
	// holds no credential yet.
	EnrollToken string
	// StateDir keeps the credential (0600) and scratch files.
	StateDir string
	// Hostname names the host's resource; os.Hostname() by default.
	Hostname string
	// Root is the file system whose packages are inventoried ("/").
	Root string
	// ProcRoot is the proc file system sockets are read from ("/proc").
	ProcRoot string
	// Interval is the period of full reports (a fresh inventory is sent
	// even if nothing changed); Poll the period of change checks of the
	// sockets and package databases; FirewallPoll the period of firewall
	// reads (each runs nft and iptables-save).
	Interval, Poll, FirewallPoll time.Duration
	// MinBackoff and MaxBackoff bound the retry delay while the server is
	// unreachable.
	MinBackoff, MaxBackoff time.Duration
	// ReadRate bounds the file reads of the inventory walk and of the
	// package-ownership lookup, in bytes per second (0 = unlimited).
	ReadRate int64
	// Nice is the CPU nice level to run at (0 leaves the priority alone);
	// the I/O class becomes idle too.
	Nice int
	// NoFirewall skips reading the firewall.
	NoFirewall bool
	// Once stops after the first successful report.
	Once    bool
	Version string
	Client  *http.Client
	Logger  *slog.Logger
}

// RefusedError is returned when the server refuses the enrollment token
// or the agent's credential (revoked): the agent stops.
type RefusedError struct {
	What string
	Err  *HTTPError
}

func (e *RefusedError) Error() string { return e.What + " refused by the server: " + e.Err.Body }

func (e *RefusedError) Unwrap() error { return e.Err }

// Agent reports one host to one server.
type Agent struct {
	cfg  Config
	log  *slog.Logger
	cred *Credential
	col  collector
	// Reports counts successful reports (tests and logs).
	Reports int
}

// New checks cfg and fills its defaults.
func New(cfg Config) (*Agent, error) {
	if cfg.Server == "" {
		return nil, errors.New("agent: --server is required")
	}
	if cfg.StateDir == "" {
		return nil, errors.New("agent: --state-dir is required")
	}
	cfg.Server = strings.TrimRight(cfg.Server, "/")
	if cfg.Root == "" {
		cfg.Root = "/"
	}
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = min(time.Minute, cfg.Interval)
	}
	if cfg.FirewallPoll <= 0 {
		cfg.FirewallPoll = max(cfg.Poll, 30*time.Second)
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &Agent{cfg: cfg, log: cfg.Logger}
	a.col.cfg = &a.cfg
	return a, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// enroll obtains a credential, retrying while the server is unreachable.
func (a *Agent) enroll(ctx context.Context) error {
	c, err := loadCredential(a.cfg.StateDir)
	if err != nil {
		return err
	}
	if c != nil {
		a.cred = c
		return nil
	}
	if a.cfg.EnrollToken == "" {
		return errors.New("agent: not enrolled yet and no --enroll-token given")
	}
	b := backoff{base: a.cfg.MinBackoff, max: a.cfg.MaxBackoff}
	for {
		var out api.Enrolled
		err := post(ctx, a.cfg.Client, a.cfg.Server+"/v1/agent/enroll", a.cfg.EnrollToken,
			api.EnrollRequest{Hostname: a.cfg.Hostname, Version: a.cfg.Version}, &out)
		var he *HTTPError
		switch {
		case err == nil:
			a.cred = &Credential{Server: a.cfg.Server, AgentID: out.AgentID, ResourceID: string(out.ResourceID), Secret: out.Credential}
			if err := saveCredential(a.cfg.StateDir, a.cred); err != nil {
				return err
			}
			a.log.Info("enrolled", "agent", out.AgentID, "resource", out.ResourceID)
			return nil
		case errors.As(err, &he) && he.Refused():
			return &RefusedError{What: "enrollment token", Err: he}
		}
		d := b.next()
		a.log.Warn("enrollment failed; retrying", "err", err, "in", d)
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Run enrolls if needed and reports until ctx ends (nil then), the
// credential is refused, or, with Once, after the first report.
func (a *Agent) Run(ctx context.Context) error {
	if a.cfg.Nice > 0 {
		if err := hostinfo.LowerPriority(a.cfg.Nice); err != nil {
			a.log.Warn("cannot lower CPU/I/O priority", "err", err)
		}
	}
	if err := a.enroll(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	b := backoff{base: a.cfg.MinBackoff, max: a.cfg.MaxBackoff}
	var sentHash string
	var sentAt, retryAt time.Time
	for {
		now := time.Now()
		full := !sentAt.IsZero() && now.Sub(sentAt) >= a.cfg.Interval
		rep, err := a.col.collect(ctx, full)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			a.log.Error("collection failed", "err", err)
		} else if hash, herr := a.col.changeKey(rep); herr != nil {
			a.log.Error("cannot hash the report", "err", herr)
		} else if (hash != sentHash || full || sentAt.IsZero()) && !now.Before(retryAt) {
			var out api.ReportAccepted
			err := post(ctx, a.cfg.Client, a.cfg.Server+"/v1/agent/report", a.cred.Secret, rep, &out)
			var he *HTTPError
			switch {
			case err == nil:
				sentHash, sentAt, retryAt = hash, time.Now(), time.Time{}
				b.reset()
				a.Reports++
				a.log.Info("reported", "resource", out.ResourceID, "changed", out.Changed, "packages", len(rep.Inventory.Packages), "sockets", len(rep.Host.Sockets))
				if a.cfg.Once {
					return nil
				}
			case errors.As(err, &he) && he.Refused():
				return &RefusedError{What: "agent credential", Err: he}
			case ctx.Err() != nil:
				return nil
			default:
				d := b.next()
				retryAt = time.Now().Add(d)
				a.log.Warn("report failed; will retry", "err", err, "in", d)
			}
		}
		wait := a.cfg.Poll
		if !retryAt.IsZero() {
			wait = min(wait, time.Until(retryAt))
		}
		if err := sleep(ctx, max(wait, 10*time.Millisecond)); err != nil {
			return nil
		}
	}
}
