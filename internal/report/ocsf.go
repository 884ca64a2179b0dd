package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// OCSF identifiers of the Vulnerability Finding class (schema 1.3.0).
const (
	OCSFVersion            = "1.3.0"
	OCSFClassUID           = 2002
	OCSFCategoryUID        = 2
	OCSFActivityCreate     = 1
	OCSFTypeUIDCreate      = OCSFClassUID*100 + OCSFActivityCreate
	ocsfStatusNew          = 1
	ocsfStatusSuppressed   = 3
	ocsfClassName          = "Vulnerability Finding"
	ocsfCategoryName       = "Findings"
	ocsfActivityCreateName = "Create"
)

// OCSFEvent is one OCSF Vulnerability Finding event (class 2002).
type OCSFEvent struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	// Time is when the finding was reported, in milliseconds since the
	// epoch (OCSF timestamp_t).
	Time            int64               `json:"time"`
	Message         string              `json:"message"`
	Metadata        OCSFMetadata        `json:"metadata"`
	FindingInfo     OCSFFindingInfo     `json:"finding_info"`
	Vulnerabilities []OCSFVulnerability `json:"vulnerabilities"`
	Resources       []OCSFResource      `json:"resources"`
	// Unmapped carries what OCSF 1.3.0 has no attribute for (the CISA KEV
	// entry, vigil's fix state and suppression).
	Unmapped map[string]any `json:"unmapped,omitempty"`
}

// OCSFMetadata is the event metadata.
type OCSFMetadata struct {
	Version string      `json:"version"`
	Product OCSFProduct `json:"product"`
	// UID identifies this event instance.
	UID string `json:"uid"`
}

// OCSFProduct names the reporting product.
type OCSFProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

// OCSFFindingInfo describes the finding.
type OCSFFindingInfo struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Desc          string   `json:"desc,omitempty"`
	Types         []string `json:"types"`
	CreatedTime   int64    `json:"created_time"`
	FirstSeenTime int64    `json:"first_seen_time"`
	LastSeenTime  int64    `json:"last_seen_time"`
	DataSources   []string `json:"data_sources,omitempty"`
}

// OCSFVulnerability is the vulnerability object.
type OCSFVulnerability struct {
	Title                  string                `json:"title"`
	Desc                   string                `json:"desc,omitempty"`
	Severity               string                `json:"severity"`
	CVE                    *OCSFCVE              `json:"cve,omitempty"`
	CWE                    *OCSFCWE              `json:"cwe,omitempty"`
	AffectedPackages       []OCSFAffectedPackage `json:"affected_packages"`
	FixAvailable           bool                  `json:"fix_available"`
	IsExploitAvailable     bool                  `json:"is_exploit_available"`
	References             []string              `json:"references,omitempty"`
	RelatedVulnerabilities []string              `json:"related_vulnerabilities,omitempty"`
	Remediation            *OCSFRemediation      `json:"remediation,omitempty"`
	VendorName             string                `json:"vendor_name,omitempty"`
}

// OCSFCVE is a CVE record with its scores.
type OCSFCVE struct {
	UID          string     `json:"uid"`
	Title        string     `json:"title,omitempty"`
	CVSS         []OCSFCVSS `json:"cvss,omitempty"`
	EPSS         *OCSFEPSS  `json:"epss,omitempty"`
	CreatedTime  int64      `json:"created_time,omitempty"`
	ModifiedTime int64      `json:"modified_time,omitempty"`
	References   []string   `json:"references,omitempty"`
}

// OCSFCVSS is one CVSS score.
type OCSFCVSS struct {
	Version      string  `json:"version"`
	BaseScore    float64 `json:"base_score"`
	VectorString string  `json:"vector_string,omitempty"`
	Severity     string  `json:"severity,omitempty"`
}

// OCSFEPSS is the EPSS score.
type OCSFEPSS struct {
	Score      string  `json:"score"`
	Percentile float64 `json:"percentile,omitempty"`
	Version    string  `json:"version,omitempty"`
}

// OCSFCWE is the first weakness of the vulnerability.
type OCSFCWE struct {
	UID string `json:"uid"`
}

// OCSFAffectedPackage is an affected software package.
type OCSFAffectedPackage struct {
	Name           string           `json:"name"`
	Version        string           `json:"version"`
	PURL           string           `json:"purl,omitempty"`
	PackageManager string           `json:"package_manager,omitempty"`
	Path           string           `json:"path,omitempty"`
	FixedInVersion string           `json:"fixed_in_version,omitempty"`
	Remediation    *OCSFRemediation `json:"remediation,omitempty"`
}

// OCSFRemediation is remediation advice.
type OCSFRemediation struct {
	Desc string `json:"desc"`
}

// OCSFResource is the scanned target.
type OCSFResource struct {
	UID    string   `json:"uid"`
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Labels []string `json:"labels,omitempty"`
}

// ocsfSeverity maps vigil's severity to OCSF severity_id and caption.
func ocsfSeverity(s model.Severity) (int, string) {
	switch s {
	case model.SeverityCritical:
		return 5, "Critical"
	case model.SeverityHigh:
		return 4, "High"
	case model.SeverityMedium:
		return 3, "Medium"
	case model.SeverityLow:
		return 2, "Low"
	case model.SeverityNone:
		return 1, "Informational"
	}
	return 0, "Unknown"
}

// OCSFEvents converts reports to OCSF Vulnerability Finding events, one per
// finding; suppressed findings have status Suppressed.
func OCSFEvents(reports []*Report) []OCSFEvent {
	out := []OCSFEvent{}
	for _, r := range reports {
		for i := range r.Findings {
			out = append(out, ocsfEvent(r, &r.Findings[i], false))
		}
		for i := range r.Suppressed {
			out = append(out, ocsfEvent(r, &r.Suppressed[i], true))
		}
	}
	return out
}

// WriteOCSF writes a JSON array of OCSF Vulnerability Finding events.
func WriteOCSF(w io.Writer, reports []*Report) error {
	return encodeIndented(w, OCSFEvents(reports))
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func ocsfEvent(r *Report, f *Finding, suppressed bool) OCSFEvent {
	now := ms(r.GeneratedAt)
	sevID, sev := ocsfSeverity(f.Severity)
	key := FindingKey(&r.Target, f)
	e := OCSFEvent{
		ActivityID: OCSFActivityCreate, ActivityName: ocsfActivityCreateName,
		CategoryUID: OCSFCategoryUID, CategoryName: ocsfCategoryName,
		ClassUID: OCSFClassUID, ClassName: ocsfClassName,
		TypeUID: OCSFTypeUIDCreate, TypeName: ocsfClassName + ": " + ocsfActivityCreateName,
		SeverityID: sevID, Severity: sev,
		StatusID: ocsfStatusNew, Status: "New",
		Time:    now,
		Message: f.Title,
		Metadata: OCSFMetadata{Version: OCSFVersion, UID: uuidFrom("ocsf", key, r.GeneratedAt.String()),
			Product: OCSFProduct{Name: firstNonEmpty(r.Generator.Name, "vigil"), VendorName: "vigil", Version: r.Generator.Version}},
		FindingInfo: OCSFFindingInfo{UID: key, Title: f.Title, Desc: firstNonEmpty(f.Vulnerability.Summary, f.Vulnerability.Description),
			Types: []string{string(f.Type)}, CreatedTime: now, FirstSeenTime: now, LastSeenTime: now},
		Resources: []OCSFResource{ocsfResource(&r.Target)},
	}
	if suppressed {
		e.StatusID, e.Status = ocsfStatusSuppressed, "Suppressed"
	}
	v := OCSFVulnerability{Title: f.Vulnerability.ID, Desc: firstNonEmpty(f.Vulnerability.Description, f.Vulnerability.Summary),
		Severity: string(f.Severity), FixAvailable: f.FixedIn != nil, IsExploitAvailable: f.Vulnerability.KEV != nil,
		References: f.Vulnerability.References, RelatedVulnerabilities: f.Vulnerability.Aliases,
		VendorName: ratingVendor(&f.Vulnerability)}
	if len(v.RelatedVulnerabilities) == 0 {
		v.RelatedVulnerabilities = nil
	}
	if f.Remediation != "" {
		v.Remediation = &OCSFRemediation{Desc: f.Remediation}
	}
	pkg := OCSFAffectedPackage{Name: f.Package.Name, Version: f.Package.Version, PURL: f.Package.PURL,
		PackageManager: string(f.Package.PackageManager), Path: f.Package.Path}
	if f.FixedIn != nil {
		pkg.FixedInVersion = *f.FixedIn
		pkg.Remediation = &OCSFRemediation{Desc: f.Remediation}
	}
	v.AffectedPackages = []OCSFAffectedPackage{pkg}
	if cve := cveID(&f.Vulnerability); cve != "" {
		c := &OCSFCVE{UID: cve, Title: f.Vulnerability.Summary, References: f.Vulnerability.References}
		for _, s := range f.Vulnerability.CVSS {
			_, sevName := ocsfSeverity(model.SeverityFromScore(s.BaseScore))
			c.CVSS = append(c.CVSS, OCSFCVSS{Version: s.Version, BaseScore: s.BaseScore, VectorString: s.Vector, Severity: sevName})
		}
		if ep := f.Vulnerability.EPSS; ep != nil {
			c.EPSS = &OCSFEPSS{Score: formatFloat(ep.Score), Percentile: ep.Percentile}
		}
		if p := f.Vulnerability.Published; p != nil {
			c.CreatedTime = ms(*p)
		}
		if m := f.Vulnerability.Modified; m != nil {
			c.ModifiedTime = ms(*m)
		}
		v.CVE = c
	}
	if len(f.Vulnerability.CWEs) > 0 {
		v.CWE = &OCSFCWE{UID: f.Vulnerability.CWEs[0]}
	}
	e.Vulnerabilities = []OCSFVulnerability{v}
	unmapped := map[string]any{"vigil_fix_state": string(f.FixState)}
	if k := f.Vulnerability.KEV; k != nil {
		unmapped["cisa_kev"] = k
	}
	if f.Suppression != nil {
		unmapped["vigil_suppression"] = f.Suppression
	}
	e.Unmapped = unmapped
	return e
}

// cveID is the vulnerability's CVE id: its id, else the first CVE alias.
func cveID(v *Vulnerability) string {
	if strings.HasPrefix(v.ID, "CVE-") {
		return v.ID
	}
	for _, a := range v.Aliases {
		if strings.HasPrefix(a, "CVE-") {
			return a
		}
	}
	return ""
}

func ocsfResource(t *model.Target) OCSFResource {
	uid := t.Digest
	if uid == "" {
		uid = t.Name
	}
	r := OCSFResource{UID: uid, Name: t.Name, Type: string(t.Kind)}
	if t.Platform != "" {
		r.Labels = append(r.Labels, "platform:"+t.Platform)
	}
	for _, tag := range t.Tags {
		r.Labels = append(r.Labels, "tag:"+tag)
	}
	return r
}

// formatFloat writes f in the shortest form that reads back the same.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
