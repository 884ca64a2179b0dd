package hostinfo

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"time"

	"github.com/vigilsec/vigil/internal/exposure"
)

// maxRulesetBytes bounds one ruleset dump.
const maxRulesetBytes = 32 << 20

// Firewall reads the host firewall with `nft -j list ruleset`,
// `iptables-save` and `ip6tables-save` (each when installed) and merges
// them; it returns nil without an error when no tool is installed. Tool
// failures are returned joined, with whatever could be read.
func Firewall(ctx context.Context) (*exposure.HostFirewall, error) {
	var errs []error
	var nft *exposure.HostFirewall
	if out, err := runTool(ctx, "nft", "-j", "list", "ruleset"); err != nil {
		errs = append(errs, err)
	} else if out != nil {
		if nft, err = exposure.ParseNftables(out); err != nil {
			errs = append(errs, err)
		}
	}
	var ipts []*exposure.HostFirewall
	for _, t := range []struct {
		tool string
		fam  exposure.Family
	}{{"iptables-save", exposure.FamilyV4}, {"ip6tables-save", exposure.FamilyV6}} {
		out, err := runTool(ctx, t.tool)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if out == nil {
			continue
		}
		fw, err := exposure.ParseIptablesSave(out, t.fam)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ipts = append(ipts, fw)
	}
	return exposure.MergeFirewalls(nft, ipts...), errors.Join(errs...)
}

// runTool runs a tool with a timeout; nil output and no error when the
// tool is not installed.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Stdout, cmd.Stderr = &limitedBuffer{b: &out, n: maxRulesetBytes}, &limitedBuffer{b: &stderr, n: 4096}
	if err := cmd.Run(); err != nil {
		return nil, &ToolError{Tool: name, Err: err, Stderr: stderr.String()}
	}
	return out.Bytes(), nil
}

// ToolError is a failed firewall tool.
type ToolError struct {
	Tool   string
	Err    error
	Stderr string
}

func (e *ToolError) Error() string { return e.Tool + ": " + e.Err.Error() + ": " + e.Stderr }

func (e *ToolError) Unwrap() error { return e.Err }

// limitedBuffer keeps the first n bytes written and discards the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
