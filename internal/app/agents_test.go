package app_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/model"
)

// hostFindings returns the open findings of a resource by type.
func hostFindings(c *client, id model.ResourceID) (pkg, network []model.Finding) {
	var l api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&findingStatus=ACTIVE", nil, &l)
	for _, f := range l.Findings {
		if f.Type == model.FindingNetworkReachability {
			network = append(network, f)
		} else {
			pkg = append(pkg, f)
		}
	}
	return pkg, network
}

func adjustments(f *model.Finding) []string {
	var out []string
	if f.ScoreDetails != nil {
		for _, a := range f.ScoreDetails.Adjustments {
			out = append(out, a.Metric)
		}
	}
	return out
}

// TestAgentReportExposure drives the server with agent reports through the
// API: a host whose vulnerable package's process listens on a port the
// internet reaches gets a NETWORK_REACHABILITY finding beside the package
// finding, and the package finding's score is raised with the reason;
// when nothing listens any more, the network finding closes and the
// package finding is lowered (no reachable path), both in one
// reconciliation.
func TestAgentReportExposure(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: t.TempDir(), DB: be.url(t), AdvisoryDir: importNPM(t),
				Workers: 1, Poll: 50 * time.Millisecond, BootstrapToken: "agent-test-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "agent-test-token"}
			var et api.CreatedEnrollmentToken
			c.do("POST", "/v1/agent-enrollment-tokens", map[string]any{"name": "t"}, &et)
			var en api.Enrolled
			(&client{t: t, base: c.base, token: et.Secret}).do("POST", "/v1/agent/enroll", map[string]any{"hostname": "web-1"}, &en)
			agent := &client{t: t, base: c.base, token: en.Credential}
			rep := api.AgentReport{Hostname: "web-1", Kernel: "6.1.0-13-amd64",
				Inventory: &model.Inventory{Packages: []model.Package{{Ecosystem: "npm", Name: "lodash", Version: "4.17.20",
					PURL: "pkg:npm/lodash@4.17.20", Manager: "npm", Path: "/srv/app/package-lock.json"}}},
				Host: exposure.HostFacts{
					Interfaces: []exposure.HostInterface{{Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.5/24")}}},
					Sockets: []exposure.Socket{{Protocol: exposure.ProtoTCP, Addr: netip.IPv4Unspecified(), Port: 3000,
						Process: "node", Exe: "/usr/bin/node", Package: "lodash"}},
				}}
			if st := agent.do("POST", "/v1/agent/report", rep, nil); st != 200 {
				t.Fatalf("report: %d", st)
			}
			var lodash *model.Finding
			eventually(t, 30*time.Second, "package and network findings", func() bool {
				pkg, network := hostFindings(c, en.ResourceID)
				i := slices.IndexFunc(pkg, func(f model.Finding) bool {
					return slices.Contains(f.Package.RelatedVulnerabilities, lodashCVE) || f.CheckID == lodashCVE
				})
				if i < 0 || len(network) == 0 {
					return false
				}
				lodash = &pkg[i]
				return network[0].Title == "Port 3000 is reachable from the Internet - TCP"
			})
			if !slices.Contains(adjustments(lodash), "exposure") {
				t.Errorf("lodash score details %+v: no exposure adjustment", lodash.ScoreDetails)
			}
			raised := *lodash.Score
			// Nothing listens any more: the network finding closes, the
			// package finding stays and is lowered.
			rep.Host.Sockets = nil
			if st := agent.do("POST", "/v1/agent/report", rep, nil); st != 200 {
				t.Fatalf("second report: %d", st)
			}
			eventually(t, 30*time.Second, "network finding closed, score lowered", func() bool {
				pkg, network := hostFindings(c, en.ResourceID)
				i := slices.IndexFunc(pkg, func(f model.Finding) bool { return f.ID == lodash.ID })
				return len(network) == 0 && i >= 0 && *pkg[i].Score < raised &&
					strings.Contains(strings.Join(adjustments(&pkg[i]), ","), "attackVector")
			})
		})
	}
}
