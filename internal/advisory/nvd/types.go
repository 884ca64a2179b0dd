package nvd

import (
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// CVE is what vigil keeps of one NVD CVE record.
type CVE struct {
	ID string
	// CVSS holds the record's CVSS metrics, newest version first, Primary
	// before Secondary; Source is "<source> (<type>)".
	CVSS []model.CVSS
	// CWEs holds the CWE ids of the record's weaknesses, sorted.
	CWEs         []string
	Published    time.Time
	LastModified time.Time
}

// response is the part of an API 2.0 response that Parse reads.
type response struct {
	Format          string `json:"format"`
	Vulnerabilities *[]struct {
		CVE rawCVE `json:"cve"`
	} `json:"vulnerabilities"`
}

type rawCVE struct {
	ID           string                 `json:"id"`
	Published    string                 `json:"published"`
	LastModified string                 `json:"lastModified"`
	Metrics      map[string][]rawMetric `json:"metrics"`
	Weaknesses   []rawWeakness          `json:"weaknesses"`
}

type rawMetric struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData *struct {
		Version      string   `json:"version"`
		VectorString string   `json:"vectorString"`
		BaseScore    *float64 `json:"baseScore"`
	} `json:"cvssData"`
}

type rawWeakness struct {
	Description []struct {
		Value string `json:"value"`
	} `json:"description"`
}

// metricVersions maps the metric keys Parse reads to their CVSS version,
// newest first.
var metricVersions = []struct{ key, version string }{
	{"cvssMetricV40", "4.0"},
	{"cvssMetricV31", "3.1"},
	{"cvssMetricV30", "3.0"},
	{"cvssMetricV2", "2.0"},
}
