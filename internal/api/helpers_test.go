package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// pgEnv names the variable with the test PostgreSQL's connection string.
const pgEnv = "VIGIL_TEST_POSTGRES"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// backends lists the stores every API test runs on.
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := storeopen.Open(context.Background(), "", t.TempDir(), store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostgres opens the test PostgreSQL in a schema of its own, dropped at
// the end of the test.
func openPostgres(t *testing.T) store.Store {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL to test against", pgEnv)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", pgEnv, err)
	}
	defer c.Close(ctx)
	schema := "t_api_" + store.NewToken()[:12]
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := storeopen.Open(ctx, u.String(), "", store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return st
}

// world is a populated installation: organisation 1 with its delegated
// admin A and members B and D, organisation 2 with its admin C. Account B
// owns a resource with an inventory, a finding, a suppression rule, events
// and audit entries.
type world struct {
	st  store.Store
	srv *httptest.Server

	tokA, tokB, tokBRead, tokD, tokC string
	accB, accD, accC                 model.Account
	tokBID                           model.TokenID
	resB                             model.Resource
	findingB                         model.FindingID
	ruleB                            model.SuppressionRuleID
	secrets                          []string // data of B no other account may see
	organization1, organization2     model.OrganizationID
	accA                             model.Account
}

func newWorld(t *testing.T, st store.Store) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{st: st}
	sys := store.SystemScope()
	token := func(tx store.Tx, acct model.AccountID, role model.Role) (string, model.TokenID) {
		secret := store.NewToken()
		tk, err := tx.Tokens(sys).Create(ctx, model.Token{AccountID: acct, Name: "t-" + string(role), Role: role, Hash: store.HashToken(secret)})
		if err != nil {
			t.Fatal(err)
		}
		return secret, tk.ID
	}
	err := st.InTx(ctx, func(tx store.Tx) error {
		o1, err := tx.Accounts(sys).CreateOrganization(ctx, "org-one")
		if err != nil {
			return err
		}
		o2, err := tx.Accounts(sys).CreateOrganization(ctx, "org-two")
		if err != nil {
			return err
		}
		w.organization1, w.organization2 = o1.ID, o2.ID
		if w.accA, err = tx.Accounts(sys).Create(ctx, model.Account{Org: o1.ID, Name: "account-a", DelegatedAdmin: true}); err != nil {
			return err
		}
		if w.accB, err = tx.Accounts(sys).Create(ctx, model.Account{Org: o1.ID, Name: "account-b-secret"}); err != nil {
			return err
		}
		if w.accD, err = tx.Accounts(sys).Create(ctx, model.Account{Org: o1.ID, Name: "account-d"}); err != nil {
			return err
		}
		if w.accC, err = tx.Accounts(sys).Create(ctx, model.Account{Org: o2.ID, Name: "account-c", DelegatedAdmin: true}); err != nil {
			return err
		}
		w.tokA, _ = token(tx, w.accA.ID, model.RoleAdmin)
		w.tokB, w.tokBID = token(tx, w.accB.ID, model.RoleAdmin)
		w.tokBRead, _ = token(tx, w.accB.ID, model.RoleReadOnly)
		w.tokD, _ = token(tx, w.accD.ID, model.RoleAdmin)
		w.tokC, _ = token(tx, w.accC.ID, model.RoleAdmin)
		sc := store.AccountScope(w.accB.ID)
		w.resB, _, err = tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: w.accB.ID, Type: model.ResourceHost,
			Name: "host-b-secret", Tags: map[string]string{"owner": "bee-secret"}})
		if err != nil {
			return err
		}
		pkg := model.Package{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15",
			Manager: model.ManagerNPM, Path: "/app/package-lock.json"}
		inv := &model.Inventory{Target: model.Target{Kind: model.TargetHost, Name: "host-b-secret"}, Packages: []model.Package{pkg}, IndexedAt: time.Now()}
		if _, err := tx.Inventories(sc).Save(ctx, w.resB.ID, inv); err != nil {
			return err
		}
		fixed := "4.17.21"
		obs := finding.ObservationsFromMatches(inv, []model.Match{{Package: pkg, Vulnerabilities: []model.Vulnerability{{
			ID: "CVE-2099-0001", Summary: "b-secret-title", Severity: model.SeverityHigh, FixedIn: &fixed, FixState: model.FixStateFixed,
		}}}})
		if _, err := finding.Reconcile(ctx, tx, sc, w.resB, "scan-1", "snap-1", obs, time.Now()); err != nil {
			return err
		}
		fs, err := tx.Findings(sc).ForResource(ctx, w.resB.ID)
		if err != nil || len(fs) != 1 {
			t.Fatalf("findings of B: %v %v", fs, err)
		}
		w.findingB = fs[0].ID
		rule, err := tx.SuppressionRules(sc).Create(ctx, model.SuppressionRule{AccountID: w.accB.ID, Name: "rule-b-secret",
			Action: model.ActionSuppress, Reason: "reason-b-secret",
			Filter: model.FindingFilter{Severity: []model.StringFilter{{Comparison: model.CompareEquals, Value: "LOW"}}}})
		if err != nil {
			return err
		}
		w.ruleB = rule.ID
		if _, err := tx.Audit(sc).Append(ctx, model.AuditEntry{AccountID: w.accB.ID, Actor: "system", Action: "audit-b-secret"}); err != nil {
			return err
		}
		return tx.Outbox(sc).Append(ctx, model.Event{AccountID: w.accB.ID, Type: "test.event", Subject: "event-b-secret"})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = []string{"account-b-secret", "host-b-secret", "bee-secret", "b-secret-title", "rule-b-secret",
		"reason-b-secret", "audit-b-secret", "event-b-secret", "t-read-only",
		string(w.accB.ID), string(w.resB.ID), string(w.findingB), string(w.ruleB), string(w.tokBID)}
	s := api.New(api.Config{Store: st, Logger: quiet, Notify: func() {}})
	w.srv = httptest.NewServer(s)
	t.Cleanup(w.srv.Close)
	return w
}

// call sends a request and returns the status and body.
func call(t *testing.T, srv *httptest.Server, token, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// decode unmarshals a JSON body.
func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, data)
	}
	return v
}

// errorCode returns the code of an error body, failing when the body does
// not have the one error shape.
func errorCode(t *testing.T, data []byte) string {
	t.Helper()
	var b map[string]map[string]string
	if err := json.Unmarshal(data, &b); err != nil || len(b) != 1 || b["error"] == nil || b["error"]["code"] == "" || b["error"]["message"] == "" || len(b["error"]) != 2 {
		t.Errorf("not the error shape: %s", data)
		return ""
	}
	return b["error"]["code"]
}

func contains(data []byte, s string) bool { return strings.Contains(string(data), s) }
