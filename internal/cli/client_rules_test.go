package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// TestRulesAndTargetsCommands runs `vigil server` and manages a webhook
// target and a rule with the client subcommands; a pushed host's CRITICAL
// finding reaches the webhook and shows in `targets deliveries`.
func TestRulesAndTargetsCommands(t *testing.T) {
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--db-dir", testDB, "server", "--listen", addr, "--data-dir", t.TempDir(),
			"--update-interval", "0", "--workers", "2"}, nil, &out, &errb)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop after cancellation")
		}
	}()
	var token string
	deadline := time.Now().Add(30 * time.Second)
	for token == "" {
		if m := adminTokenRE.FindStringSubmatch(out.String()); m != nil {
			token = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no admin token printed:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Setenv("VIGIL_SERVER", "http://"+addr)
	t.Setenv("VIGIL_TOKEN", token)
	for {
		if code, _, _ := run(t, "targets", "list"); code == ExitOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server does not answer")
		}
		time.Sleep(20 * time.Millisecond)
	}

	code, stdout, stderr := run(t, "targets", "create", "--name", "siem", "--url", hook.URL, "--config", `{"maxAttempts":3}`)
	m := regexp.MustCompile(`created target (tgt-[0-9a-f]+) \(webhook\)\nsigning secret \(shown once, store it now\): whsec_[0-9a-f]+\n`).FindStringSubmatch(stdout)
	if code != ExitOK || m == nil {
		t.Fatalf("targets create: %d %q %s", code, stdout, stderr)
	}
	tgt := m[1]
	if code, _, stderr := run(t, "targets", "create", "--name", "bad", "--kind", "command"); code != ExitError || !strings.Contains(stderr, "argv") {
		t.Errorf("command target without argv: %d %s", code, stderr)
	}
	code, stdout, stderr = run(t, "rules", "create", "--name", "crit-prod", "--target", tgt,
		"--pattern", `{"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL"],"resources":{"tags":{"Env":["Prod"]}}}}`)
	if code != ExitOK || !strings.HasPrefix(stdout, "created rule rul-") {
		t.Fatalf("rules create: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "rules", "create", "--name", "broken", "--pattern", `{"detail":{"severity":"CRITICAL"}}`); code != ExitError || !strings.Contains(stderr, "pattern") {
		t.Errorf("rules create with a bad pattern: %d %s", code, stderr)
	}
	_, stdout, _ = run(t, "rules", "list")
	containsAll(t, "rules table", stdout, "crit-prod", "true", tgt, `"CRITICAL"`)
	_, stdout, _ = run(t, "targets", "list")
	containsAll(t, "targets table", stdout, "siem", "webhook", hook.URL)

	inv := model.Inventory{Packages: []model.Package{{Ecosystem: model.EcosystemNPM, Name: "minimist", Version: "1.2.0",
		PURL: "pkg:npm/minimist@1.2.0", Manager: model.ManagerNPM, Path: "/srv/package-lock.json"}}}
	body, _ := json.Marshal(api.PushHostRequest{Name: "web-1", Tags: map[string]string{"Env": "Prod"}, Inventory: &inv})
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/resources/hosts", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("push host: %v %v", resp, err)
	}
	resp.Body.Close()
	for hits.Load() == 0 {
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatal("the webhook got nothing")
		}
		time.Sleep(50 * time.Millisecond)
	}
	code, stdout, stderr = run(t, "events", "watch", "--since", "0", "--limit", "2")
	var lines []api.EventView
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e api.EventView
		if json.Unmarshal([]byte(l), &e) == nil {
			lines = append(lines, e)
		}
	}
	if code != ExitOK || len(lines) != 2 || lines[0].Seq >= lines[1].Seq {
		t.Errorf("events watch: %d %q %s", code, stdout, stderr)
	}
	_, stdout, _ = run(t, "targets", "deliveries", tgt)
	containsAll(t, "deliveries table", stdout, "OUTCOME", "delivered", "204")
	_, stdout, _ = run(t, "targets", "dead-letters", tgt, "--format", "json")
	containsAll(t, "dead letters", stdout, `"deadLetters": []`)
	code, stdout, _ = run(t, "targets", "replay", tgt)
	if code != ExitOK || stdout != "replaying 0 dead letters\n" {
		t.Errorf("replay: %d %q", code, stdout)
	}
	_, stdout, _ = run(t, "rules", "list", "--format", "json")
	var rl api.EventRuleList
	if json.Unmarshal([]byte(stdout), &rl) != nil || len(rl.Rules) != 1 {
		t.Fatalf("rules list json: %s", stdout)
	}
	for _, args := range [][]string{{"rules", "delete", string(rl.Rules[0].ID)}, {"targets", "delete", tgt}} {
		if code, stdout, stderr := run(t, args...); code != ExitOK || !strings.HasPrefix(stdout, "deleted ") {
			t.Errorf("%v: %d %s %s", args, code, stdout, stderr)
		}
	}
}
