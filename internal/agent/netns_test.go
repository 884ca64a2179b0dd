package agent_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	vapi "github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// h1Rules: nftables, policy drop; the agent's own connections come back
// (established); 8000 and 8001 from the lab network, 2222 from h2 and
// from the internet (h1 also holds a public-range address); every other
// TCP port is refused with a reset (so scans need not wait on timeouts).
const h1Rules = `table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iif "lo" accept
    tcp dport { 8000, 8001 } ip saddr 10.231.0.0/24 accept
    tcp dport 2222 ip saddr 10.231.0.12 accept
    tcp dport 2222 ip saddr != 10.0.0.0/8 accept
    meta l4proto tcp reject with tcp reset
  }
}`

// h2Rules: iptables (nft backend), policy DROP, 8080 from anywhere.
const h2Rules = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`

// perlListener listens on a port with the Debian root file system's own
// perl (package perl-base), run chrooted.
const perlListener = `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalAddr => "0.0.0.0", LocalPort => %d, Listen => 5, ReuseAddr => 1) or die $!; while (my $c = $s->accept) { close $c }`

type reach struct{ Title, From, Process string }

func networkFindings(t *testing.T, base, tok string, res model.ResourceID) []reach {
	var l vapi.FindingList
	if st := api(t, base, tok, "GET", "/v1/findings?resourceId="+string(res)+"&findingType=NETWORK_REACHABILITY&findingStatus=ACTIVE", nil, &l); st != 200 {
		return nil
	}
	var out []reach
	for _, f := range l.Findings {
		r := reach{Title: f.Title}
		if f.Network != nil {
			r.From, r.Process = f.Network.From, f.Network.Process
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b reach) int { return strings.Compare(a.Title+a.From, b.Title+b.From) })
	return out
}

// TestAgentsInNetworkNamespaces is the acceptance test of the agent: two
// hosts in network namespaces with real listeners and real firewalls
// (nftables on h1, iptables on h2); the real vigil binary runs the server
// and, inside each namespace, an agent. The server shows each host's
// packages, listeners and exposure; it restarts mid-way and nothing is
// lost (a change made while it is down arrives once it is back); a revoked
// credential is refused; vigil probe agrees with nmap -sT.
func TestAgentsInNetworkNamespaces(t *testing.T) {
	skipUnlessNetns(t)
	corpus := os.Getenv("VIGIL_CORPUS")
	if corpus == "" {
		t.Skip("VIGIL_CORPUS not set: the agents inventory its Debian root file system")
	}
	rootfs := filepath.Join(corpus, "rootfs-debian")
	bin := buildVigil(t)
	l := newLab(t, bin)
	h1 := l.addHost("h1", "10.231.0.11/24", "203.0.113.11/24")
	h2 := l.addHost("h2", "10.231.0.12/24")
	rules := filepath.Join(l.dir, "h1.nft")
	if err := os.WriteFile(rules, []byte(h1Rules), 0o600); err != nil {
		t.Fatal(err)
	}
	l.sh("ip", "netns", "exec", h1, "nft", "-f", rules)
	cmd := exec.Command("ip", "netns", "exec", h2, "iptables-restore")
	cmd.Stdin = strings.NewReader(h2Rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("iptables-restore: %v: %s", err, out)
	}
	// Listeners: Python's HTTP server (8000; 9000 is firewalled), perl
	// from the root file system (2222), and on h2 8080 (open) and 5000
	// (firewalled).
	l.start(h1, nil, "python3", "-m", "http.server", "--bind", "0.0.0.0", "8000")
	l.start(h1, nil, "python3", "-m", "http.server", "--bind", "0.0.0.0", "9000")
	l.start(h1, nil, "chroot", rootfs, "/usr/bin/perl", "-e", fmt.Sprintf(perlListener, 2222))
	l.start(h2, nil, "python3", "-m", "http.server", "--bind", "0.0.0.0", "8080")
	l.start(h2, nil, "python3", "-m", "http.server", "--bind", "127.0.0.1", "5000")

	// The server, on the bridge address, with the shared test advisories.
	dbDir, dataDir := filepath.Join(l.dir, "db"), filepath.Join(l.dir, "data")
	l.sh(bin, "db", "import", "../../../shared/testdata", "--db-dir", dbDir)
	ln, err := net.Listen("tcp", "10.231.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	admin := "adm" + strings.Repeat("0", 29)
	startServer := func() *proc {
		p := l.start("", []string{"VIGIL_BOOTSTRAP_TOKEN=" + admin}, bin, "server", "--listen", addr, "--data-dir", dataDir,
			"--db-dir", dbDir, "--update-interval", "0", "--rescan-interval", "0")
		eventually(t, "server up", 90*time.Second, func() (bool, string) {
			return api(t, base, "", "GET", "/healthz", nil, nil) == 200, p.out.String()
		})
		return p
	}
	srv := startServer()

	var et vapi.CreatedEnrollmentToken
	if st := api(t, base, admin, "POST", "/v1/agent-enrollment-tokens", map[string]any{"name": "lab", "maxUses": 2}, &et); st != 201 {
		t.Fatalf("enrollment token: %d", st)
	}
	agent := func(ns, host string) (*proc, string) {
		state := filepath.Join(l.dir, "state-"+host)
		return l.start(ns, nil, bin, "agent", "--server", base, "--enroll-token", et.Secret, "--state-dir", state,
			"--hostname", host, "--root", rootfs, "--poll", "500ms", "--interval", "10m", "--max-backoff", "2s", "--log-level", "info"), state
	}
	a1, state1 := agent(h1, "h1")
	a2, state2 := agent(h2, "h2")

	// Both enroll and report; the server shows packages, listeners and
	// exposure.
	var agents vapi.AgentList
	eventually(t, "both agents reported", 180*time.Second, func() (bool, string) {
		api(t, base, admin, "GET", "/v1/agents", nil, &agents)
		n := 0
		for _, a := range agents.Agents {
			if !a.ReportedAt.IsZero() {
				n++
			}
		}
		return n == 2, fmt.Sprintf("%+v\n%s\n%s", agents, a1.out.String(), a2.out.String())
	})
	res := map[string]model.ResourceID{}
	ids := map[string]string{}
	for _, a := range agents.Agents {
		res[a.Hostname], ids[a.Hostname] = a.ResourceID, a.ID
	}
	for _, st := range []string{state1, state2} {
		fi, err := os.Stat(filepath.Join(st, "credential.json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("credential file in %s: %v, mode %v; want 0600", st, err, fi.Mode())
		}
	}
	var view vapi.AgentView
	api(t, base, admin, "GET", "/v1/agents/"+ids["h1"], nil, &view)
	if view.State == nil {
		t.Fatal("h1: no stored report")
	}
	listening := map[int]string{}
	for _, s := range view.State.Host.Sockets {
		if s.Protocol == "TCP" {
			listening[s.Port] = s.Process + "/" + s.Package
		}
	}
	wantListen := map[int]string{8000: "python3/", 9000: "python3/", 2222: "perl/perl-base"}
	for p, w := range wantListen {
		if got := listening[p]; !strings.HasPrefix(got, strings.Split(w, "/")[0]) || !strings.HasSuffix(got, "/"+strings.Split(w, "/")[1]) {
			t.Errorf("h1 listener %d: %q, want %q (all: %v)", p, got, w, listening)
		}
	}
	if view.State.Host.Firewall == nil || view.State.Kernel == "" || view.State.Packages < 50 || view.State.OS == nil || view.State.OS.ID != "debian" {
		t.Errorf("h1 state: firewall %v, kernel %q, %d packages, os %+v", view.State.Host.Firewall != nil, view.State.Kernel, view.State.Packages, view.State.OS)
	}
	var inv model.Inventory
	api(t, base, admin, "GET", "/v1/resources/"+string(res["h1"])+"/inventory", nil, &inv)
	if !slices.ContainsFunc(inv.Packages, func(p model.Package) bool { return p.Name == "perl-base" }) || inv.OS == nil || inv.OS.Kernel == "" {
		t.Errorf("h1 inventory: %d packages, os %+v; want perl-base and the running kernel", len(inv.Packages), inv.OS)
	}
	wantH1 := []reach{
		{"Port 2222 is reachable from the Internet - TCP", "internet", "perl (/usr/bin/perl, package perl-base)"},
		{"Port 2222 is reachable from the Local Network - TCP", "10.231.0.0/24", "perl (/usr/bin/perl, package perl-base)"},
		{"Port 2222 is reachable from the Local Network - TCP", "203.0.113.0/24", "perl (/usr/bin/perl, package perl-base)"},
		{"Port 8000 is reachable from the Local Network - TCP", "10.231.0.0/24", "python3"},
	}
	wantH2 := []reach{{"Port 8080 is reachable from the Local Network - TCP", "10.231.0.0/24", "python3"}}
	procs := func(rs []reach) []reach { // the python3 executable path differs between machines
		out := slices.Clone(rs)
		for i := range out {
			if strings.HasPrefix(out[i].Process, "python3") {
				out[i].Process = "python3"
			}
		}
		return out
	}
	eventually(t, "exposure of both hosts", 180*time.Second, func() (bool, string) {
		g1, g2 := procs(networkFindings(t, base, admin, res["h1"])), procs(networkFindings(t, base, admin, res["h2"]))
		d := cmp.Diff(wantH1, g1) + cmp.Diff(wantH2, g2)
		return d == "", d
	})

	// Restart: stop the server, open a port on h1 while it is down, start
	// it again: nothing stored is lost and the change arrives.
	srv.stop()
	l.start(h1, nil, "python3", "-m", "http.server", "--bind", "0.0.0.0", "8001")
	eventually(t, "h1's agent retrying while the server is down", 120*time.Second, func() (bool, string) {
		return strings.Contains(a1.out.String(), "report failed; will retry"), a1.out.String()
	})
	startServer()
	wantH1b := slices.Insert(slices.Clone(wantH1), 4, reach{"Port 8001 is reachable from the Local Network - TCP", "10.231.0.0/24", "python3"})
	eventually(t, "the change made while the server was down", 180*time.Second, func() (bool, string) {
		g1, g2 := procs(networkFindings(t, base, admin, res["h1"])), procs(networkFindings(t, base, admin, res["h2"]))
		d := cmp.Diff(wantH1b, g1) + cmp.Diff(wantH2, g2)
		return d == "", d + a1.out.String()
	})

	// Revocation: h2's credential is refused, and its agent stops on its
	// next report.
	if st := api(t, base, admin, "DELETE", "/v1/agents/"+ids["h2"], nil, nil); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	var cred struct {
		Credential string `json:"credential"`
	}
	data, err := os.ReadFile(filepath.Join(state2, "credential.json"))
	if err != nil || json.Unmarshal(data, &cred) != nil {
		t.Fatalf("credential: %v", err)
	}
	if st := api(t, base, cred.Credential, "POST", "/v1/agent/report", map[string]any{"hostname": "h2", "inventory": map[string]any{"packages": []any{}}}, nil); st != 401 {
		t.Errorf("report with a revoked credential: %d, want 401", st)
	}
	l.start(h2, nil, "python3", "-m", "http.server", "--bind", "0.0.0.0", "8081")
	select {
	case <-a2.done:
		if a2.err == nil || !strings.Contains(a2.out.String(), "refused") {
			t.Errorf("h2's agent ended with %v:\n%s", a2.err, a2.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("h2's agent still runs after its credential was revoked:\n%s", a2.out.String())
	}

	// vigil probe agrees with nmap -sT on every port of both hosts.
	for _, host := range []string{"10.231.0.11", "10.231.0.12"} {
		out := l.sh(bin, "probe", host, "--ports", "1-65535", "--rate", "0", "--no-banners", "--format", "json")
		var rep struct {
			Open []struct{ Port int } `json:"open"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("probe output: %v\n%s", err, out)
		}
		var mine []int
		for _, o := range rep.Open {
			mine = append(mine, o.Port)
		}
		nm := l.sh("nmap", "-sT", "-n", "-Pn", "-p-", "--open", "-oG", "-", host)
		var theirs []int
		for _, m := range regexp.MustCompile(`(\d+)/open/tcp`).FindAllStringSubmatch(nm, -1) {
			var p int
			fmt.Sscan(m[1], &p)
			theirs = append(theirs, p)
		}
		slices.Sort(theirs)
		if diff := cmp.Diff(theirs, mine); diff != "" || len(mine) == 0 {
			t.Errorf("%s: open ports (-nmap +vigil probe):\n%s", host, diff)
		}
	}
}
