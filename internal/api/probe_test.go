package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/model"
	activeprobe "github.com/vigilsec/vigil/internal/probe"
)

// sshListener listens on 127.0.0.1 at the first free port of lo..hi and
// greets every connection with an SSH identification line.
func sshListener(t *testing.T, lo, hi int) int {
	t.Helper()
	for p := lo; p <= hi; p++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				fmt.Fprint(c, "SSH-2.0-vigil_probe_test\r\n")
				c.Close()
			}
		}()
		return p
	}
	t.Skipf("no free port in %d-%d on 127.0.0.1", lo, hi)
	return 0
}

func modelFiles(t *testing.T, dir string) map[string]json.RawMessage {
	t.Helper()
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
	return files
}

// TestProbeAttach uploads the port-range scenario (TCP 8000-8084 and
// 8086-8090 reachable from the internet), runs the real probe against a
// real listener on 127.0.0.1 in 8000-8084, attaches the results to the
// instance's host (by resource id; then by the instance's public address),
// and checks the finding detail: the range holding the
// listener is confirmed with its SSH banner, the other has closed-port
// evidence only. Uploading the same model again (a rescan that sees the
// same reachability) keeps the evidence. A host whose agent reports
// 127.0.0.1 is matched by address.
func TestProbeAttach(t *testing.T) {
	port := sshListener(t, 8000, 8084)
	files := modelFiles(t, "../exposure/aws/testdata/07-port-range")
	ports, err := activeprobe.ParsePorts("8000-8090")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := activeprobe.Scan(context.Background(), "127.0.0.1", ports, activeprobe.Options{Banners: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var mine *activeprobe.Result
	for i := range rep.Open {
		if rep.Open[i].Port == port {
			mine = &rep.Open[i]
		}
	}
	if mine == nil || mine.Service == nil || mine.Service.Name != "ssh" {
		t.Fatalf("probe did not see the listener on %d: %+v", port, rep.Open)
	}
	probedAt := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			w := newWorld(t, be.open(t))
			var up api.NetworkModelResult
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/network-models/aws", map[string]any{"name": "prod", "files": files}, &up); st != http.StatusOK || up.Delta.Created == 0 {
				t.Fatalf("upload: %d %+v", st, up)
			}
			var l api.FindingList
			bearerCall(t, w, w.tokB, "GET", "/v1/findings?findingType=NETWORK_REACHABILITY&findingStatus=ACTIVE", nil, &l)
			byRange := map[model.PortRange]model.FindingID{}
			var resID model.ResourceID
			for _, f := range l.Findings {
				if f.Network != nil && f.Network.Protocol == "TCP" {
					byRange[f.Network.Ports] = f.ID
					resID = f.Resource.ID
				}
			}
			hit, miss := byRange[model.PortRange{Begin: 8000, End: 8084}], byRange[model.PortRange{Begin: 8086, End: 8090}]
			if hit == "" || miss == "" {
				t.Fatalf("TCP findings by range: %v", byRange)
			}
			body := api.ProbeResults{ResourceID: resID, Target: "localhost", Addr: rep.Addr, Ports: "8000-8090",
				Open: rep.Open, Vantage: "ci-runner", ProbedAt: probedAt}
			var att api.ProbeAttached
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/probe-results", body, &att); st != http.StatusOK {
				t.Fatalf("attach: %d", st)
			}
			var gotIDs []string
			for _, f := range att.Findings {
				gotIDs = append(gotIDs, fmt.Sprintf("%s %v confirmed=%v", f.ID, f.Open, f.Confirmed))
			}
			wantOpen := func(lo, hi int) []int {
				var o []int
				for _, r := range rep.Open {
					if r.Port >= lo && r.Port <= hi {
						o = append(o, r.Port)
					}
				}
				return o
			}
			hitOpen, missOpen := wantOpen(8000, 8084), wantOpen(8086, 8090)
			want := []string{fmt.Sprintf("%s %v confirmed=true", hit, hitOpen), fmt.Sprintf("%s %v confirmed=%v", miss, missOpen, len(missOpen) > 0)}
			if diff := cmp.Diff(want, gotIDs, sortStrings); diff != "" {
				t.Errorf("attached (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantOpen(8085, 8085), att.Unexpected); diff != "" {
				t.Errorf("unexpected open ports (-want +got):\n%s", diff)
			}
			check := func(when string) {
				t.Helper()
				var f model.Finding
				if st := bearerCall(t, w, w.tokB, "GET", "/v1/findings/"+string(hit), nil, &f); st != http.StatusOK {
					t.Fatalf("%s: get finding: %d", when, st)
				}
				if f.Network == nil || !f.Network.Confirmed || len(f.Network.Evidence) != 1 || f.Status != model.StatusActive {
					t.Fatalf("%s: network detail %+v status %s", when, f.Network, f.Status)
				}
				ev := f.Network.Evidence[0]
				var got *model.ProbePort
				for i := range ev.Ports {
					if ev.Ports[i].Port == port {
						got = &ev.Ports[i]
					}
				}
				want := &model.ProbePort{Port: port, Open: true, Service: "ssh", Banner: "SSH-2.0-vigil_probe_test"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: evidence of port %d (-want +got):\n%s", when, port, diff)
				}
				if ev.Vantage != "ci-runner" || ev.Addr != "127.0.0.1" || ev.Probed != 85 || !ev.ProbedAt.Equal(probedAt) {
					t.Errorf("%s: evidence %+v", when, ev)
				}
				var m model.Finding
				bearerCall(t, w, w.tokB, "GET", "/v1/findings/"+string(miss), nil, &m)
				if m.Network == nil || len(m.Network.Evidence) != 1 || m.Network.Evidence[0].Probed != 5 || m.Network.Confirmed != (len(missOpen) > 0) {
					t.Errorf("%s: other range %+v", when, m.Network)
				}
			}
			check("after attach")
			// A rescan that sees the same reachability keeps the evidence.
			var again api.NetworkModelResult
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/network-models/aws", map[string]any{"name": "prod", "files": files}, &again); st != http.StatusOK {
				t.Fatalf("second upload: %d", st)
			}
			if again.Delta.Created != 0 || again.Delta.Closed != 0 || again.Delta.Unchanged != up.Delta.Created {
				t.Errorf("second upload delta %+v, want %d unchanged", again.Delta, up.Delta.Created)
			}
			check("after rescan")

			// The network-model host is found by the public address of its
			// interface.
			var byPublic api.ProbeAttached
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/probe-results", api.ProbeResults{Addr: "203.0.113.10", Ports: "8000"}, &byPublic); st != http.StatusOK {
				t.Fatalf("attach by public address: %d", st)
			}
			if diff := cmp.Diff([]model.ResourceID{resID}, byPublic.Resources); diff != "" {
				t.Errorf("hosts matched by public address (-want +got):\n%s", diff)
			}
			if len(byPublic.Findings) != 1 || byPublic.Findings[0].ID != hit || byPublic.Findings[0].Confirmed != true {
				t.Errorf("closed-port probe of a confirmed range: %+v (confirmation is kept)", byPublic.Findings)
			}

			// An agent reporting 127.0.0.1 on an interface is matched by
			// address (its host has no network findings yet).
			agentRes := enrollLoopbackAgent(t, w)
			var byAddr api.ProbeAttached
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/probe-results", api.ProbeResults{Addr: "127.0.0.1", Ports: "22"}, &byAddr); st != http.StatusOK {
				t.Fatalf("attach by address: %d", st)
			}
			if diff := cmp.Diff([]model.ResourceID{agentRes}, byAddr.Resources); diff != "" {
				t.Errorf("hosts matched by address (-want +got):\n%s", diff)
			}
			// An open port that was not probed is refused.
			bad := api.ProbeResults{ResourceID: resID, Addr: "127.0.0.1", Ports: "22", Open: []activeprobe.Result{{Port: 80}}}
			if st := bearerCall(t, w, w.tokB, "POST", "/v1/probe-results", bad, nil); st != http.StatusBadRequest {
				t.Errorf("open port outside the probed ones: %d, want 400", st)
			}
		})
	}
}

// sortStrings sorts string slices before comparing.
var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// enrollLoopbackAgent enrolls an agent for account B that reports
// 127.0.0.1/8 on lo, and returns its host's resource.
func enrollLoopbackAgent(t *testing.T, w *world) model.ResourceID {
	t.Helper()
	var et api.CreatedEnrollmentToken
	if st := bearerCall(t, w, w.tokB, "POST", "/v1/agent-enrollment-tokens", map[string]any{"name": "lo", "maxUses": 1}, &et); st != http.StatusCreated {
		t.Fatalf("create enrollment token: %d", st)
	}
	var en api.Enrolled
	if st := bearerCall(t, w, et.Secret, "POST", "/v1/agent/enroll", map[string]any{"hostname": "loopback-host"}, &en); st != http.StatusCreated {
		t.Fatalf("enroll: %d", st)
	}
	rep := api.AgentReport{Hostname: "loopback-host", Inventory: &model.Inventory{Packages: []model.Package{}},
		Host: exposure.HostFacts{Interfaces: []exposure.HostInterface{{Name: "lo", Loopback: true, Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}}}}
	var acc api.ReportAccepted
	if st := bearerCall(t, w, en.Credential, "POST", "/v1/agent/report", rep, &acc); st != http.StatusOK {
		t.Fatalf("report: %d", st)
	}
	return acc.ResourceID
}
