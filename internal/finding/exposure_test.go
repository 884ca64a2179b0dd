package finding

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// TestScoreExposure checks the exposure adjustments: raised for a
// network-vector vulnerability of a package listening on an
// internet-reachable port, lowered on a host with no reachable port,
// untouched when nothing is known or the vector is local.
func TestScoreExposure(t *testing.T) {
	netV := model.Vulnerability{ID: "CVE-1", CVSS: []model.CVSS{{Version: "3.1", BaseScore: 7.5, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}}
	localV := model.Vulnerability{ID: "CVE-2", CVSS: []model.CVSS{{Version: "3.1", BaseScore: 7.8, Vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}}}
	tests := []struct {
		name  string
		v     model.Vulnerability
		e     *model.PackageExposure
		score float64
		adj   []string
	}{
		{"unknown", netV, nil, 7.5, nil},
		{"listening on the internet", netV, &model.PackageExposure{HostReachable: true, InternetListeners: []string{"TCP 22 (sshd)"}}, 8.5,
			[]string{"exposure: the package's process listens on an internet-reachable port: TCP 22 (sshd)"}},
		{"host reachable, package not listening", netV, &model.PackageExposure{HostReachable: true}, 7.5, nil},
		{"host unreachable", netV, &model.PackageExposure{}, 6.5,
			[]string{"attackVector: attack vector NETWORK but no open network path to the resource"}},
		{"local vector listening", localV, &model.PackageExposure{HostReachable: true, InternetListeners: []string{"TCP 22 (sshd)"}}, 7.8, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs := []model.Observation{{Type: model.FindingPackageVulnerability, CheckID: tc.v.ID,
				Package: &model.PackageDetail{Vulnerability: tc.v, Package: model.Package{Name: "openssh-server"}}}}
			if tc.e != nil {
				listeners := map[string][]string{"openssh-server": tc.e.InternetListeners}
				ApplyExposure(obs, tc.e.HostReachable, listeners)
			}
			d := Score(&tc.v, exposureContext(obs[0].Package.Exposure))
			var adj []string
			for _, a := range d.Adjustments {
				adj = append(adj, a.Metric+": "+a.Reason)
			}
			if d.Score != tc.score {
				t.Errorf("score %v, want %v", d.Score, tc.score)
			}
			if diff := cmp.Diff(tc.adj, adj); diff != "" {
				t.Errorf("adjustments (-want +got):\n%s", diff)
			}
		})
	}
}
