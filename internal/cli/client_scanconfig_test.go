package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// startServer runs `vigil server` on SQLite until the test ends and points
// VIGIL_SERVER and VIGIL_TOKEN at it.
func startServer(t *testing.T) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--db-dir", testDB, "server", "--listen", addr, "--data-dir", t.TempDir(),
			"--update-interval", "0", "--workers", "1"}, nil, &out, &errb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("server exit code %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not stop after cancellation")
		}
	})
	var token string
	deadline := time.Now().Add(20 * time.Second)
	for token == "" {
		if m := adminTokenRE.FindStringSubmatch(out.String()); m != nil {
			token = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no admin token printed:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server does not answer /healthz")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Setenv("VIGIL_SERVER", "http://"+addr)
	t.Setenv("VIGIL_TOKEN", token)
}

// TestScanConfigCommands: get shows the default; set changes only the
// settings given; "" clears a filter list; bad values are refused.
func TestScanConfigCommands(t *testing.T) {
	startServer(t)
	code, stdout, stderr := run(t, "scan-config", "get")
	if code != ExitOK {
		t.Fatalf("get: %d %s", code, stderr)
	}
	containsAll(t, "default table", stdout, "SETTING", "FUNCTION,HOST,IMAGE,SBOM", "CONTINUOUS", "LIFETIME", "default (never set)")

	getJSON := func(args ...string) model.ScanConfig {
		t.Helper()
		code, stdout, stderr := run(t, append(args, "--format", "json")...)
		var c model.ScanConfig
		if code != ExitOK || json.Unmarshal([]byte(stdout), &c) != nil {
			t.Fatalf("%v: %d %s %s", args, code, stdout, stderr)
		}
		c.AccountID, c.UpdatedAt, c.UpdatedBy = "", time.Time{}, ""
		return c
	}
	steps := []struct {
		args []string
		want model.ScanConfig
	}{
		{[]string{"--types", "host,IMAGE", "--include", "Env=Prod", "--exclude", "Scan=off", "--exclude", "Legacy", "--rescan-duration", "days_30"},
			model.ScanConfig{ResourceTypes: []model.ResourceType{model.ResourceHost, model.ResourceImage}, Mode: model.ScanContinuous,
				IncludeTags: []model.TagFilter{{Key: "Env", Value: "Prod"}}, ExcludeTags: []model.TagFilter{{Key: "Legacy"}, {Key: "Scan", Value: "off"}},
				ImageRescanDuration: model.RescanDays30}},
		{[]string{"--mode", "on-demand"},
			model.ScanConfig{ResourceTypes: []model.ResourceType{model.ResourceHost, model.ResourceImage}, Mode: model.ScanOnDemand,
				IncludeTags: []model.TagFilter{{Key: "Env", Value: "Prod"}}, ExcludeTags: []model.TagFilter{{Key: "Legacy"}, {Key: "Scan", Value: "off"}},
				ImageRescanDuration: model.RescanDays30}},
		{[]string{"--include", "", "--types", ""},
			model.ScanConfig{ResourceTypes: []model.ResourceType{}, Mode: model.ScanOnDemand,
				IncludeTags: []model.TagFilter{}, ExcludeTags: []model.TagFilter{{Key: "Legacy"}, {Key: "Scan", Value: "off"}},
				ImageRescanDuration: model.RescanDays30}},
	}
	for _, s := range steps {
		set := getJSON(append([]string{"scan-config", "set"}, s.args...)...)
		if diff := cmp.Diff(s.want, set); diff != "" {
			t.Errorf("set %v (-want +got):\n%s", s.args, diff)
		}
		if diff := cmp.Diff(s.want, getJSON("scan-config", "get")); diff != "" {
			t.Errorf("get after set %v (-want +got):\n%s", s.args, diff)
		}
	}
	_, stdout, _ = run(t, "scan-config", "get")
	containsAll(t, "table", stdout, "ON_DEMAND", "Legacy,Scan=off", "DAYS_30")
	if strings.Contains(stdout, "default (never set)") {
		t.Errorf("a stored configuration shown as the default:\n%s", stdout)
	}
	for _, bad := range [][]string{{"--mode", "weekly"}, {"--rescan-duration", "DAYS_5"}, {"--types", "VM"}, {"--include", "=x"}} {
		if code, _, stderr := run(t, append([]string{"scan-config", "set"}, bad...)...); code != ExitError || stderr == "" {
			t.Errorf("set %v: exit %d %q, want an error", bad, code, stderr)
		}
	}
	if code, _, stderr := run(t, "scan-config", "get", "--account", "acct-elsewhere"); code != ExitError || !strings.Contains(stderr, "not found") {
		t.Errorf("get of an unknown account: %d %s", code, stderr)
	}
}
