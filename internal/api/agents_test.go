package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/exposure/aws"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

var agentObjects sync.Map // *world → map[string]string

// agentIDs creates an enrollment token and an agent of account B for the
// route walks and returns the path prefixes of their routes.
func agentIDs(t *testing.T, w *world) map[string]string {
	t.Helper()
	if v, ok := agentObjects.Load(w); ok {
		return v.(map[string]string)
	}
	ctx := context.Background()
	var tok store.EnrollmentToken
	var ag store.Agent
	err := w.st.InTx(ctx, func(tx store.Tx) error {
		sb := store.AccountScope(w.accB.ID)
		var err error
		if tok, err = tx.Agents(sb).CreateEnrollmentToken(ctx, store.EnrollmentToken{AccountID: w.accB.ID, Name: "enroll-b-secret", Hash: store.HashToken(store.NewToken())}); err != nil {
			return err
		}
		ag, err = tx.Agents(sb).Enroll(ctx, tok.ID, store.Agent{AccountID: w.accB.ID, Hostname: "agent-host-b-secret", ResourceID: w.resB.ID, Hash: store.HashToken(store.NewToken())})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.secrets = append(w.secrets, "enroll-b-secret", "agent-host-b-secret", tok.ID, ag.ID)
	m := map[string]string{"/v1/agents/": ag.ID, "/v1/agent-enrollment-tokens/": tok.ID}
	agentObjects.Store(w, m)
	return m
}

// agentBodies are the request bodies of the agent routes for the walks.
func agentBodies(w *world) map[string]any {
	return map[string]any{
		"POST /v1/agent/enroll":            map[string]any{"hostname": "h"},
		"POST /v1/agent/report":            map[string]any{"hostname": "h", "inventory": map[string]any{"packages": []any{}}},
		"POST /v1/agent-enrollment-tokens": map[string]any{"name": "x", "accountId": string(w.accB.ID)},
		"POST /v1/network-models/aws":      map[string]any{"name": "m", "accountId": string(w.accB.ID), "files": map[string]any{"describe-vpcs.json": map[string]any{"Vpcs": []any{}}}},
		"POST /v1/probe-results":           map[string]any{"accountId": string(w.accB.ID), "resourceId": string(w.resB.ID), "addr": "127.0.0.1", "ports": "22", "open": []any{}},
	}
}

func bearerCall(t *testing.T, w *world, secret, method, path string, body, out any) int {
	t.Helper()
	status, data := call(t, w.srv, secret, method, path, body)
	if out != nil && status < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return status
}

// TestAgentLifecycle enrolls an agent with an enrollment token, reports
// twice (the second time unchanged), reads the agent back, revokes it and
// checks that its credential and the used-up token are refused.
func TestAgentLifecycle(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			var et api.CreatedEnrollmentToken
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/agent-enrollment-tokens", map[string]any{"name": "fleet", "maxUses": 1}, &et); st != http.StatusCreated {
				t.Fatalf("create enrollment token: %d", st)
			}
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/agent/enroll", map[string]any{"hostname": "web-1"}, nil); st != http.StatusUnauthorized {
				t.Errorf("enroll with an API token: %d, want 401", st)
			}
			var en api.Enrolled
			if st := bearerCall(t, w, et.Secret, "POST", "/v1/agent/enroll", map[string]any{"hostname": "web-1", "version": "test"}, &en); st != http.StatusCreated {
				t.Fatalf("enroll: %d", st)
			}
			if st := bearerCall(t, w, et.Secret, "POST", "/v1/agent/enroll", map[string]any{"hostname": "web-2"}, nil); st != http.StatusUnauthorized {
				t.Errorf("enroll beyond maxUses: %d, want 401", st)
			}
			rep := api.AgentReport{Hostname: "web-1", Kernel: "6.1.0-13-amd64",
				Inventory: &model.Inventory{OS: &model.OS{ID: "debian", VersionID: "12", Ecosystem: "Debian", Release: "12"},
					Packages: []model.Package{{Ecosystem: "Debian", Name: "openssh-server", Version: "1:9.2p1-2", PURL: "pkg:deb/debian/openssh-server@1:9.2p1-2"}}},
				Host: exposure.HostFacts{
					Interfaces: []exposure.HostInterface{{Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("10.231.0.2/24")}}},
					Sockets:    []exposure.Socket{{Protocol: exposure.ProtoTCP, Addr: netip.IPv4Unspecified(), Port: 22, Process: "sshd", Package: "openssh-server"}},
				}}
			var acc api.ReportAccepted
			if st := bearerCall(t, w, en.Credential, "POST", "/v1/agent/report", rep, &acc); st != http.StatusOK || !acc.Changed || acc.JobID == 0 {
				t.Fatalf("report: %d %+v", st, acc)
			}
			var again api.ReportAccepted
			if st := bearerCall(t, w, en.Credential, "POST", "/v1/agent/report", rep, &again); st != http.StatusOK || again.Changed || again.Hash != acc.Hash {
				t.Errorf("unchanged report: %d %+v, want changed=false and hash %s", st, again, acc.Hash)
			}
			var view api.AgentView
			if st := bearerCall(t, w, w.tokB, "GET", "/v1/agents/"+en.AgentID, nil, &view); st != http.StatusOK || view.State == nil {
				t.Fatalf("get agent: %d %+v", st, view)
			}
			want := rep.Host
			want.Host = "web-1"
			if diff := cmp.Diff(want, view.State.Host, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("stored host facts (-want +got):\n%s", diff)
			}
			if view.State.Kernel != rep.Kernel || view.State.Packages != 1 || view.ResourceID != en.ResourceID {
				t.Errorf("state %+v", view.State)
			}
			var inv model.Inventory
			if st := bearerCall(t, w, w.tokB, "GET", "/v1/resources/"+string(en.ResourceID)+"/inventory", nil, &inv); st != http.StatusOK ||
				inv.OS == nil || inv.OS.Kernel != rep.Kernel || inv.Target.Kind != model.TargetHost {
				t.Errorf("inventory: %d %+v", st, inv.OS)
			}
			if st := bearerCall(t, w, w.tokD, "DELETE", "/v1/agents/"+en.AgentID, nil, nil); st != http.StatusNotFound && st != http.StatusForbidden {
				t.Errorf("revoke from a sibling account: %d", st)
			}
			if st := bearerCall(t, w, w.tokB, "DELETE", "/v1/agents/"+en.AgentID, nil, nil); st != http.StatusOK {
				t.Fatalf("revoke: %d", st)
			}
			status, body := call(t, w.srv, en.Credential, "POST", "/v1/agent/report", rep)
			if status != http.StatusUnauthorized || errorCode(t, body) != api.CodeUnauthenticated {
				t.Errorf("report after revocation: %d %s, want 401", status, body)
			}
		})
	}
}

// TestUploadAWSModel uploads a scenario of the AWS importer's test data
// (a public subnet with an open security group) and checks that the
// reachable ranges become NETWORK_REACHABILITY findings of the instance's
// resource; uploading the model without its security groups' rules closes
// them.
func TestUploadAWSModel(t *testing.T) {
	dir := "../exposure/aws/testdata/01-public-subnet-open-sg"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]json.RawMessage{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "describe-") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = data
		}
	}
	imp, err := aws.Load(context.Background(), dir, aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := exposure.Analyze(context.Background(), imp.Model, exposure.Options{})
	if err != nil || len(want.Findings) == 0 {
		t.Fatalf("analysis: %v, %d findings", err, len(want.Findings))
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			var out api.NetworkModelResult
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/network-models/aws", map[string]any{"name": "prod", "files": files}, &out); st != http.StatusOK {
				t.Fatalf("upload: %d", st)
			}
			if out.Findings != len(want.Findings) || out.Delta.Created != len(want.Findings) || out.Hosts == 0 {
				t.Errorf("result %+v, want %d findings created", out, len(want.Findings))
			}
			var l api.FindingList
			bearerCall(t, w, w.tokB, "GET", "/v1/findings?findingType=NETWORK_REACHABILITY&findingStatus=ACTIVE", nil, &l)
			var got, titles []string
			for _, f := range l.Findings {
				got = append(got, string(f.Resource.ID)+" "+f.Title)
			}
			for _, f := range want.Findings {
				titles = append(titles, f.Title)
			}
			if len(got) != len(titles) {
				t.Fatalf("findings %v, want titles %v", got, titles)
			}
			for _, tl := range titles {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasSuffix(g, " "+tl) }) {
					t.Errorf("no finding titled %q in %v", tl, got)
				}
			}
			// A user's tag on the instance's resource survives the next
			// upload.
			resID := l.Findings[0].Resource.ID
			if st := bearerCall(t, w, w.tokB, "PUT", "/v1/resources/"+string(resID)+"/tags", map[string]any{"tags": map[string]string{"team": "web", "vigil:network-model": "prod"}}, nil); st != http.StatusOK {
				t.Fatalf("set tags: %d", st)
			}
			// The same network with no security group rules: nothing is
			// reachable and the findings close.
			closed := maps.Clone(files)
			closed["describe-security-groups.json"] = json.RawMessage(`{"SecurityGroups":[]}`)
			var again api.NetworkModelResult
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/network-models/aws", map[string]any{"name": "prod", "files": closed}, &again); st != http.StatusOK {
				t.Fatalf("second upload: %d", st)
			}
			if again.Findings != 0 || again.Delta.Closed != len(want.Findings) {
				t.Errorf("second upload %+v, want %d closed", again, len(want.Findings))
			}
			var res model.Resource
			bearerCall(t, w, w.tokB, "GET", "/v1/resources/"+string(resID), nil, &res)
			if res.Tags["team"] != "web" || res.Tags["vigil:network-model"] != "prod" {
				t.Errorf("tags after the second upload: %v", res.Tags)
			}
		})
	}
}
