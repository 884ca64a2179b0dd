package exposure

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

func addHostfwSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata/hostfw", glob))
	if len(files) == 0 {
		f.Fatalf("no seeds for %s", glob)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// fuzzHost runs the analysis on a parsed firewall: it must not panic.
func fuzzHost(t *testing.T, fw *HostFirewall) {
	h := &HostFacts{Host: "h", Firewall: fw,
		Interfaces: []HostInterface{{Name: "eth0", Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.2/24"), netip.MustParsePrefix("2001:db8::2/64")}}},
		Sockets:    []Socket{{Protocol: ProtoTCP, Addr: netip.IPv6Unspecified(), Port: 22}, {Protocol: ProtoUDP, Addr: netip.IPv4Unspecified(), Port: 53}}}
	if _, err := AnalyzeHost(context.Background(), h); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseNftables feeds arbitrary bytes to the nftables JSON parser and
// analyses what it returns: a firewall or an error, never a panic.
func FuzzParseNftables(f *testing.F) {
	addHostfwSeeds(f, "*.json")
	f.Add([]byte(`{"nftables":[{"chain":{"family":"inet","table":"t","name":"c","hook":"input","type":"filter","prio":"filter"}},{"rule":{"family":"inet","table":"t","chain":"c","expr":[{"jump":{"target":"c"}}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := ParseNftables(data)
		if err != nil {
			return
		}
		fuzzHost(t, fw)
	})
}

// FuzzParseIptablesSave does the same for iptables-save text.
func FuzzParseIptablesSave(f *testing.F) {
	addHostfwSeeds(f, "*.txt")
	f.Add([]byte("*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n-A INPUT -j a\n-A a -j INPUT\n-A a ! -s 1.2.3.4-1.2.3.9 --dport 1:2 -j ACCEPT\nCOMMIT\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := ParseIptablesSave(data, FamilyV4)
		if err != nil {
			return
		}
		fuzzHost(t, fw)
	})
}
