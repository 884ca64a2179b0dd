package agent

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestBackoffBounded checks that delays grow, stay within [d/2, d] and
// never exceed the maximum.
func TestBackoffBounded(t *testing.T) {
	b := backoff{base: 100 * time.Millisecond, max: 2 * time.Second}
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000, 2000}
	for i, w := range want {
		w *= time.Millisecond
		if d := b.next(); d < w/2 || d > w {
			t.Errorf("attempt %d: %v, want within [%v, %v]", i, d, w/2, w)
		}
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

// TestCredentialFile checks the state file's mode and round trip.
func TestCredentialFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	c := &Credential{Server: "http://x", AgentID: "agt-1", ResourceID: "res-1", Secret: "s3cret"}
	if err := saveCredential(dir, c); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, credFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v", di.Mode().Perm())
	}
	got, err := loadCredential(dir)
	if err != nil || *got != *c {
		t.Errorf("load: %+v, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, credFile), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	var se *StateError
	if _, err := loadCredential(dir); !errors.As(err, &se) {
		t.Errorf("empty credential: %v, want *StateError", err)
	}
}

// flakyServer is the real API over a real SQLite store, behind a listener
// that can be closed and reopened on the same address.
type flakyServer struct {
	t    *testing.T
	addr string
	h    http.Handler
	mu   sync.Mutex
	srv  *http.Server
}

func (f *flakyServer) up() {
	f.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after close
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	f.mu.Lock()
	f.srv = &http.Server{Handler: f.h}
	f.mu.Unlock()
	go func() { _ = f.srv.Serve(ln) }()
}

func (f *flakyServer) down() {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = f.srv.Close()
}

// TestRunReportsThroughOutage enrolls an agent against the real API,
// takes the server down after the first report, changes the host (a new
// listener), and checks that the agent keeps retrying and delivers the
// change once the server is back; then revokes the agent and checks that
// Run stops with a *RefusedError.
func TestRunReportsThroughOutage(t *testing.T) {
	ctx := context.Background()
	st, err := storeopen.Open(ctx, "", t.TempDir(), store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	secret := store.NewToken()
	var acct model.Account
	err = st.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "o")
		if err != nil {
			return err
		}
		if acct, err = tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a", DelegatedAdmin: true}); err != nil {
			return err
		}
		_, err = tx.Agents(store.AccountScope(acct.ID)).CreateEnrollmentToken(ctx, store.EnrollmentToken{AccountID: acct.ID, Name: "t", Hash: store.HashToken(secret)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fs := &flakyServer{t: t, addr: "127.0.0.1:0", h: api.New(api.Config{Store: st, Logger: quiet})}
	fs.up()
	root := t.TempDir() // an empty root: no packages, still a report
	a, err := New(Config{Server: "http://" + fs.addr, EnrollToken: secret, StateDir: t.TempDir(), Hostname: "h", Root: root,
		Poll: 50 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, NoFirewall: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	lnPort := 0
	reported := func(n int) bool {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			var count int
			_ = st.View(ctx, func(tx store.Tx) error {
				as, err := tx.Agents(store.AccountScope(acct.ID)).List(ctx)
				if len(as) == 1 && as[0].ReportHash != "" {
					count = 1
					if n > 1 {
						_, data, _ := tx.Agents(store.AccountScope(acct.ID)).Report(ctx, as[0].ResourceID)
						if len(data) > 0 && containsPort(data, lnPort) {
							count = 2
						}
					}
				}
				return err
			})
			if count >= n {
				return true
			}
			time.Sleep(50 * time.Millisecond)
		}
		return false
	}
	if !reported(1) {
		t.Fatal("no first report")
	}
	fs.down()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lnPort = ln.Addr().(*net.TCPAddr).Port
	time.Sleep(500 * time.Millisecond) // several failed attempts
	fs.up()
	if !reported(2) {
		t.Fatal("the change made during the outage never arrived")
	}
	var ag store.Agent
	_ = st.InTx(ctx, func(tx store.Tx) error {
		as, _ := tx.Agents(store.AccountScope(acct.ID)).List(ctx)
		ag, err = tx.Agents(store.AccountScope(acct.ID)).Revoke(ctx, as[0].ID)
		return err
	})
	ln2, err := net.Listen("tcp", "127.0.0.1:0") // a change, so the agent reports again
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	select {
	case err := <-done:
		var re *RefusedError
		if !errors.As(err, &re) {
			t.Errorf("Run after revocation of %s: %v, want *RefusedError", ag.ID, err)
		}
	case <-time.After(20 * time.Second):
		t.Error("Run goes on after revocation")
	}
}

// containsPort reports whether a stored report lists a socket on port.
func containsPort(data []byte, port int) bool {
	return port > 0 && bytes.Contains(data, []byte(`"port":`+strconv.Itoa(port)+`,`))
}
