package pattern

import (
	"fmt"
	"testing"
)

var detailTypes = []string{"Finding Created", "Finding Updated", "Finding Closed", "Finding Suppressed",
	"Scan Completed", "Initial Scan Complete", "Coverage Changed", "Advisory Database Updated"}

// benchRules builds n rules shaped like the ones users write for vigil:
// a detail-type, then conditions on severity, score, EPSS, KEV, resource
// tags, packages, with every operator represented.
func benchRules(n int) []*Pattern {
	sev := []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"}
	out := make([]*Pattern, 0, n)
	for i := range n {
		dt := detailTypes[i%4] // findings: the hot case
		var src string
		switch i % 8 {
		case 0:
			src = fmt.Sprintf(`{"source":["vigil"],"detail-type":[%q],"detail":{"severity":[%q],"resources":{"tags":{"Env":["Prod"]}}}}`, dt, sev[i%4])
		case 1:
			src = fmt.Sprintf(`{"source":["vigil"],"detail-type":[%q],"detail":{"inspectorScore":[{"numeric":[">=",%d]}]}}`, dt, i%10)
		case 2:
			src = fmt.Sprintf(`{"detail-type":[%q],"detail":{"packageVulnerabilityDetails":{"vulnerablePackages":{"name":[{"prefix":"lib%c"}]}}}}`, dt, 'a'+rune(i%26))
		case 3:
			src = fmt.Sprintf(`{"detail-type":[%q],"detail":{"status":[{"anything-but":["CLOSED","SUPPRESSED"]}],"epss":{"score":[{"numeric":[">",0.%d]}]}}}`, dt, i%9+1)
		case 4:
			src = fmt.Sprintf(`{"detail-type":[%q],"resources":[{"wildcard":"vigil:image/registry.example.com/app%d*"}]}`, dt, i%5)
		case 5:
			src = fmt.Sprintf(`{"source":["vigil"],"$or":[{"detail":{"severity":["CRITICAL"]}},{"detail":{"kev":{"dateAdded":[{"exists":true}]}}}],"detail-type":[%q],"account":["acct-%d"]}`, dt, i%3)
		case 6:
			src = fmt.Sprintf(`{"detail-type":[%q],"detail":{"title":[{"equals-ignore-case":"cve-2021-44906 - minimist"}],"fixAvailable":["YES"],"n":[%d]}}`, dt, i)
		default:
			src = fmt.Sprintf(`{"region":[{"prefix":"site-%d"}],"detail":{"severity":[{"anything-but":{"equals-ignore-case":"low"}}]}}`, i%4)
		}
		out = append(out, MustCompile(src))
	}
	return out
}

// benchEvents are Finding events of the size vigil emits (about 2 KiB).
func benchEvents() []string {
	return []string{
		findingEvent("Finding Created", "CRITICAL", "acct-0", 9.8),
		findingEvent("Finding Updated", "HIGH", "acct-1", 7.2),
		findingEvent("Finding Closed", "LOW", "acct-2", 3.1),
	}
}

func findingEvent(dt, sev, acct string, score float64) string {
	return fmt.Sprintf(`{"version":"0","id":"5f2c8b8e-3b5a-4c4e-9d1e-000000000001","detail-type":%q,"source":"vigil",
"account":%q,"time":"2026-11-27T08:00:00Z","region":"site-0",
"resources":["vigil:image/registry.example.com/app:1.0"],
"detail":{"findingArn":"vigil:%s:finding/0123456789abcdef0123456789abcdef","awsAccountId":%q,
"description":"Prototype pollution in minimist before 1.2.6 allows attackers to modify object prototypes.",
"firstObservedAt":"2026-11-27T08:00:00Z","lastObservedAt":"2026-11-27T08:00:00Z","updatedAt":"2026-11-27T08:00:00Z",
"severity":%q,"status":"ACTIVE","type":"PACKAGE_VULNERABILITY","title":"CVE-2021-44906 - minimist",
"inspectorScore":%g,"fixAvailable":"YES","exploitAvailable":"NO","epss":{"score":0.0211},
"kev":{"dateAdded":"2025-01-07"},
"remediation":{"recommendation":{"text":"Upgrade minimist from 1.2.0 to 1.2.6 or later.","Url":"https://nvd.nist.gov/vuln/detail/CVE-2021-44906"}},
"resources":[{"id":"registry.example.com/app:1.0","type":"IMAGE","tags":{"Env":"Prod","Team":"web"},
"details":{"image":{"repositoryName":"registry.example.com/app","imageTags":["1.0"],"imageHash":"sha256:0123"}}}],
"packageVulnerabilityDetails":{"vulnerabilityId":"CVE-2021-44906","source":"osv","sourceUrl":"https://osv.dev/vulnerability/GHSA-xvch-5gv4-984h",
"cvss":[{"baseScore":9.8,"scoringVector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","source":"osv","version":"3.1"}],
"referenceUrls":["https://nvd.nist.gov/vuln/detail/CVE-2021-44906"],"relatedVulnerabilities":["GHSA-xvch-5gv4-984h"],
"vulnerablePackages":[{"name":"minimist","version":"1.2.0","packageManager":"NPM","filePath":"/app/package-lock.json","fixedInVersion":"1.2.6"},
{"name":"libssl3","version":"3.0.11-1~deb12u1","packageManager":"OS","filePath":"/var/lib/dpkg/status"}]}}}`,
		dt, acct, acct, acct, sev, score)
}

// BenchmarkSetMatches1000 is the cost of routing one parsed event through
// 1,000 rules (the index narrows them to the event's detail-type).
func BenchmarkSetMatches1000(b *testing.B) {
	s := NewSet()
	for i, r := range benchRules(1000) {
		s.Add(fmt.Sprint(i), r)
	}
	ev, err := ParseEvent([]byte(benchEvents()[0]))
	if err != nil {
		b.Fatal(err)
	}
	var dst []string
	b.ReportAllocs()
	for b.Loop() {
		dst = s.Matches(ev, dst[:0])
	}
	b.ReportMetric(float64(len(dst)), "matches/event")
}

// BenchmarkSetParseAndMatch1000 includes parsing the ~2 KiB event: the
// whole per-event cost of routing.
func BenchmarkSetParseAndMatch1000(b *testing.B) {
	s := NewSet()
	for i, r := range benchRules(1000) {
		s.Add(fmt.Sprint(i), r)
	}
	raw := []byte(benchEvents()[0])
	var dst []string
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		ev, err := ParseEvent(raw)
		if err != nil {
			b.Fatal(err)
		}
		dst = s.Matches(ev, dst[:0])
	}
}

// BenchmarkLinear1000 tests all 1,000 rules one by one (no index): the
// worst case, when every rule names the event's detail-type.
func BenchmarkLinear1000(b *testing.B) {
	rules := benchRules(1000)
	ev, err := ParseEvent([]byte(benchEvents()[0]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, r := range rules {
			if r.MatchEvent(ev) {
				n++
			}
		}
		_ = n
	}
}

func BenchmarkParseEvent(b *testing.B) {
	raw := []byte(benchEvents()[0])
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvent(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	src := []byte(`{"source":["vigil"],"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL","HIGH"],"resources":{"tags":{"Env":["Prod"]}},"inspectorScore":[{"numeric":[">=",7,"<",10]}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
