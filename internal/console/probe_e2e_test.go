package console_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/probe"
)

// TestConsoleProbeEvidence opens a NETWORK_REACHABILITY finding that has
// probe evidence attached (POST /v1/probe-results): the page shows the
// confirmation and the evidence's vantage point, address and banner.
func TestConsoleProbeEvidence(t *testing.T) {
	ctx := browser(t)
	s := startSite(t)
	p := &page{t: t, ctx: ctx, base: s.base, dir: artifacts(t)}
	dir := "../exposure/aws/testdata/07-port-range"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]json.RawMessage{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "describe-") {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = b
		}
	}
	s.a.do("POST", "/v1/network-models/aws", api.NetworkModelRequest{Name: "prod", Files: files}, nil)
	var att api.ProbeAttached
	s.a.do("POST", "/v1/probe-results", api.ProbeResults{Addr: "203.0.113.10", Ports: "8000-8002", Vantage: "office-vantage",
		Open:     []probe.Result{{Port: 8001, Service: &probe.Service{Name: "ssh", Banner: "SSH-2.0-OpenSSH_9.2p1"}}},
		ProbedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}, &att)
	if len(att.Findings) != 1 || !att.Findings[0].Confirmed {
		t.Fatalf("attached %+v", att)
	}
	p.login(admin)
	p.open("#/findings/" + string(att.Findings[0].ID))
	p.run("finding", chromedp.WaitVisible(`#main[data-ready^="/findings/"] #finding-title`, chromedp.ByQuery))
	detail := p.text("#main")
	for _, w := range []string{"Confirmed by probe", "YES", "Probe evidence", "office-vantage", "203.0.113.10", "8001 ssh (SSH-2.0-OpenSSH_9.2p1)"} {
		if !strings.Contains(detail, w) {
			t.Errorf("the finding page lacks %q:\n%s", w, detail)
		}
	}
	var f model.Finding
	s.a.do("GET", "/v1/findings/"+string(att.Findings[0].ID), nil, &f)
	if f.Network == nil || len(f.Network.Evidence) != 1 {
		t.Errorf("API detail %+v", f.Network)
	}
	p.shot("probe-evidence")
}
