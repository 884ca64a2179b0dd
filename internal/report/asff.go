package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/model"
)

// ASFFSchemaVersion is the AWS Security Finding Format version written.
const ASFFSchemaVersion = "2018-10-08"

// ASFFCVEType is the finding type of package vulnerabilities in the ASFF
// types taxonomy.
const ASFFCVEType = "Software and Configuration Checks/Vulnerabilities/CVE"

// Defaults of ASFFOptions when the environment sets nothing: a
// placeholder account and region the user replaces before importing.
const (
	DefaultASFFAccountID = "000000000000"
	DefaultASFFRegion    = "us-east-1"
)

// Limits Security Hub puts on AwsSecurityFinding fields (API reference).
const (
	asffMaxDescription = 1024
	asffMaxTitle       = 256
	asffMaxRecommend   = 512
)

// ASFFOptions say where the findings go in Security Hub.
type ASFFOptions struct {
	// AccountID is the 12-digit AWS account the findings are imported
	// into (env VIGIL_AWS_ACCOUNT_ID).
	AccountID string
	// Region is the Security Hub region (env VIGIL_AWS_REGION).
	Region string
	// ProductArn identifies the findings product (env
	// VIGIL_ASFF_PRODUCT_ARN); empty means the account's private default
	// product, arn:aws:securityhub:<region>:<account>:product/<account>/default.
	ProductArn string
}

// ASFFOptionsFromEnv reads the options from the environment through
// getenv (os.Getenv), with the placeholder defaults.
func ASFFOptionsFromEnv(getenv func(string) string) ASFFOptions {
	o := ASFFOptions{AccountID: getenv("VIGIL_AWS_ACCOUNT_ID"), Region: getenv("VIGIL_AWS_REGION"),
		ProductArn: getenv("VIGIL_ASFF_PRODUCT_ARN")}
	if o.AccountID == "" {
		o.AccountID = DefaultASFFAccountID
	}
	if o.Region == "" {
		o.Region = DefaultASFFRegion
	}
	return o
}

// ASFFConfigError reports ASFF options Security Hub would refuse.
type ASFFConfigError struct {
	Field  string
	Reason string
}

func (e *ASFFConfigError) Error() string { return "asff: " + e.Field + ": " + e.Reason }

// Compiled on first use, not at init: most runs never write ASFF.
var (
	accountRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	regionRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`) })
	productArnRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:[0-9]{0,12}:product/[^/]+/[^/]+$`)
	})
)

func (o *ASFFOptions) check() error {
	if !accountRe().MatchString(o.AccountID) {
		return &ASFFConfigError{Field: "VIGIL_AWS_ACCOUNT_ID", Reason: fmt.Sprintf("%q is not a 12-digit AWS account id", o.AccountID)}
	}
	if !regionRe().MatchString(o.Region) {
		return &ASFFConfigError{Field: "VIGIL_AWS_REGION", Reason: fmt.Sprintf("%q is not an AWS region", o.Region)}
	}
	if o.ProductArn != "" && !productArnRe().MatchString(o.ProductArn) {
		return &ASFFConfigError{Field: "VIGIL_ASFF_PRODUCT_ARN", Reason: fmt.Sprintf("%q is not a Security Hub product ARN", o.ProductArn)}
	}
	return nil
}

func (o *ASFFOptions) productArn() string {
	if o.ProductArn != "" {
		return o.ProductArn
	}
	return fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", o.Region, o.AccountID, o.AccountID)
}

// ASFFDocument is the body of a BatchImportFindings request.
type ASFFDocument struct {
	Findings []ASFFFinding `json:"Findings"`
}

// ASFFFinding is one AwsSecurityFinding.
type ASFFFinding struct {
	SchemaVersion         string                    `json:"SchemaVersion"`
	ID                    string                    `json:"Id"`
	ProductArn            string                    `json:"ProductArn"`
	ProductName           string                    `json:"ProductName"`
	CompanyName           string                    `json:"CompanyName"`
	Region                string                    `json:"Region"`
	GeneratorID           string                    `json:"GeneratorId"`
	AwsAccountID          string                    `json:"AwsAccountId"`
	Types                 []string                  `json:"Types"`
	FirstObservedAt       string                    `json:"FirstObservedAt"`
	LastObservedAt        string                    `json:"LastObservedAt"`
	CreatedAt             string                    `json:"CreatedAt"`
	UpdatedAt             string                    `json:"UpdatedAt"`
	Severity              ASFFSeverity              `json:"Severity"`
	FindingProviderFields ASFFFindingProviderFields `json:"FindingProviderFields"`
	Title                 string                    `json:"Title"`
	Description           string                    `json:"Description"`
	Remediation           ASFFRemediation           `json:"Remediation"`
	ProductFields         map[string]string         `json:"ProductFields"`
	Resources             []ASFFResource            `json:"Resources"`
	Vulnerabilities       []ASFFVulnerability       `json:"Vulnerabilities"`
	RecordState           string                    `json:"RecordState"`
	Workflow              ASFFWorkflow              `json:"Workflow"`
}

// ASFFSeverity is a finding's severity: Label is Security Hub's scale,
// Original vigil's.
type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

// ASFFFindingProviderFields are the provider's own values of the fields
// customers may later change (severity, types).
type ASFFFindingProviderFields struct {
	Severity ASFFSeverity `json:"Severity"`
	Types    []string     `json:"Types"`
}

// ASFFRemediation holds the recommendation.
type ASFFRemediation struct {
	Recommendation ASFFRecommendation `json:"Recommendation"`
}

// ASFFRecommendation is remediation advice with an optional link.
type ASFFRecommendation struct {
	Text string `json:"Text"`
	URL  string `json:"Url,omitempty"`
}

// ASFFResource is the scanned target.
type ASFFResource struct {
	Type      string               `json:"Type"`
	ID        string               `json:"Id"`
	Partition string               `json:"Partition"`
	Region    string               `json:"Region"`
	Details   *ASFFResourceDetails `json:"Details,omitempty"`
}

// ASFFResourceDetails describes the resource: a container image or, for
// other targets, free-form Other fields.
type ASFFResourceDetails struct {
	Container *ASFFContainer    `json:"Container,omitempty"`
	Other     map[string]string `json:"Other,omitempty"`
}

// ASFFContainer is the Container resource detail.
type ASFFContainer struct {
	Name      string `json:"Name,omitempty"`
	ImageID   string `json:"ImageId,omitempty"`
	ImageName string `json:"ImageName,omitempty"`
}

// ASFFVulnerability is one vulnerability with its affected packages.
type ASFFVulnerability struct {
	ID                     string        `json:"Id"`
	VulnerablePackages     []ASFFPackage `json:"VulnerablePackages"`
	Cvss                   []ASFFCvss    `json:"Cvss,omitempty"`
	RelatedVulnerabilities []string      `json:"RelatedVulnerabilities,omitempty"`
	Vendor                 ASFFVendor    `json:"Vendor"`
	ReferenceUrls          []string      `json:"ReferenceUrls,omitempty"`
	FixAvailable           string        `json:"FixAvailable"`
	ExploitAvailable       string        `json:"ExploitAvailable"`
	EpssScore              *float64      `json:"EpssScore,omitempty"`
	LastKnownExploitAt     string        `json:"LastKnownExploitAt,omitempty"`
}

// ASFFPackage is a SoftwarePackage.
type ASFFPackage struct {
	Name            string `json:"Name"`
	Version         string `json:"Version"`
	PackageManager  string `json:"PackageManager,omitempty"`
	FilePath        string `json:"FilePath,omitempty"`
	FixedInVersion  string `json:"FixedInVersion,omitempty"`
	Remediation     string `json:"Remediation,omitempty"`
	SourceLayerHash string `json:"SourceLayerHash,omitempty"`
}

// ASFFCvss is one CVSS score.
type ASFFCvss struct {
	Version    string  `json:"Version"`
	BaseScore  float64 `json:"BaseScore"`
	BaseVector string  `json:"BaseVector"`
	Source     string  `json:"Source,omitempty"`
}

// ASFFVendor names who rated the vulnerability.
type ASFFVendor struct {
	Name            string `json:"Name"`
	URL             string `json:"Url,omitempty"`
	VendorSeverity  string `json:"VendorSeverity,omitempty"`
	VendorCreatedAt string `json:"VendorCreatedAt,omitempty"`
	VendorUpdatedAt string `json:"VendorUpdatedAt,omitempty"`
}

// ASFFWorkflow is the finding's workflow status.
type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFFindings converts reports to AwsSecurityFinding objects: one per
// finding, suppressed findings included with Workflow SUPPRESSED (as
// Inspector sends its suppressed findings to Security Hub).
func ASFFFindings(reports []*Report, opts ASFFOptions) ([]ASFFFinding, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	out := []ASFFFinding{}
	for _, r := range reports {
		for _, f := range r.Findings {
			out = append(out, asffFinding(r, &f, opts, "NEW"))
		}
		for _, f := range r.Suppressed {
			out = append(out, asffFinding(r, &f, opts, "SUPPRESSED"))
		}
	}
	return out, nil
}

// WriteASFF writes {"Findings": [...]}, the body of Security Hub's
// BatchImportFindings (which takes at most 100 findings per call: split
// larger documents).
func WriteASFF(w io.Writer, reports []*Report, opts ASFFOptions) error {
	fs, err := ASFFFindings(reports, opts)
	if err != nil {
		return err
	}
	return encodeIndented(w, ASFFDocument{Findings: fs})
}

func asffTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// asffLabel maps vigil's severity to Security Hub's label; UNTRIAGED and
// NONE are INFORMATIONAL, as Inspector maps them.
func asffLabel(s model.Severity) string {
	switch s {
	case model.SeverityCritical, model.SeverityHigh, model.SeverityMedium, model.SeverityLow:
		return string(s)
	}
	return "INFORMATIONAL"
}

// FindingKey is a stable identifier of a finding in a report: the same
// vulnerability on the same package at the same place in the same target
// always gets the same key.
func FindingKey(t *model.Target, f *Finding) string {
	target := t.Digest
	if target == "" {
		target = string(t.Kind) + ":" + t.Name
	}
	h := sha256.Sum256([]byte(strings.Join([]string{target, f.Vulnerability.ID, f.Package.PURL,
		f.Package.Name, f.Package.Version, f.Package.Path}, "\x00")))
	return hex.EncodeToString(h[:16])
}

func asffFinding(r *Report, f *Finding, o ASFFOptions, workflow string) ASFFFinding {
	now := asffTime(r.GeneratedAt)
	sev := ASFFSeverity{Label: asffLabel(f.Severity), Original: string(f.Severity)}
	types := []string{ASFFCVEType}
	desc := firstNonEmpty(f.Vulnerability.Description, f.Vulnerability.Summary, f.Title)
	rec := ASFFRecommendation{Text: truncate(f.Remediation, asffMaxRecommend)}
	if len(f.Vulnerability.References) > 0 {
		rec.URL = f.Vulnerability.References[0]
	}
	pkg := ASFFPackage{Name: f.Package.Name, Version: f.Package.Version, PackageManager: string(f.Package.PackageManager),
		FilePath: f.Package.Path, SourceLayerHash: f.Package.Layer}
	fix := "NO"
	if f.FixedIn != nil {
		fix = "YES"
		pkg.FixedInVersion = *f.FixedIn
		pkg.Remediation = f.Remediation
	}
	v := ASFFVulnerability{ID: f.Vulnerability.ID, VulnerablePackages: []ASFFPackage{pkg},
		RelatedVulnerabilities: f.Vulnerability.Aliases, ReferenceUrls: f.Vulnerability.References,
		FixAvailable: fix, ExploitAvailable: "NO",
		Vendor: ASFFVendor{Name: ratingVendor(&f.Vulnerability), VendorSeverity: f.Vulnerability.VendorSeverity}}
	if len(f.Vulnerability.References) > 0 {
		v.Vendor.URL = f.Vulnerability.References[0]
	}
	if len(v.RelatedVulnerabilities) == 0 {
		v.RelatedVulnerabilities = nil
	}
	if f.Vulnerability.Published != nil {
		v.Vendor.VendorCreatedAt = asffTime(*f.Vulnerability.Published)
	}
	if f.Vulnerability.Modified != nil {
		v.Vendor.VendorUpdatedAt = asffTime(*f.Vulnerability.Modified)
	}
	for _, c := range f.Vulnerability.CVSS {
		v.Cvss = append(v.Cvss, ASFFCvss{Version: c.Version, BaseScore: c.BaseScore, BaseVector: c.Vector, Source: c.Source})
	}
	if e := f.Vulnerability.EPSS; e != nil {
		s := e.Score
		v.EpssScore = &s
	}
	if f.Vulnerability.KEV != nil {
		v.ExploitAvailable = "YES"
	}
	fields := map[string]string{
		"vigil/Target":       r.Target.Name,
		"vigil/TargetKind":   string(r.Target.Kind),
		"vigil/FixState":     string(f.FixState),
		"vigil/PackageURL":   f.Package.PURL,
		"vigil/DBSnapshot":   r.DBSnapshot,
		"vigil/FindingType":  string(f.Type),
		"vigil/GeneratorVer": r.Generator.Version,
	}
	if k := f.Vulnerability.KEV; k != nil {
		fields["vigil/KEVDateAdded"] = k.DateAdded
	}
	if f.Suppression != nil {
		fields["vigil/SuppressedBy"] = f.Suppression.Source
	}
	for k, val := range fields {
		if val == "" {
			delete(fields, k)
		}
	}
	return ASFFFinding{
		SchemaVersion:   ASFFSchemaVersion,
		ID:              fmt.Sprintf("%s/%s/%s", o.Region, o.AccountID, FindingKey(&r.Target, f)),
		ProductArn:      o.productArn(),
		ProductName:     "vigil",
		CompanyName:     "vigil",
		Region:          o.Region,
		GeneratorID:     "vigil/" + strings.ToLower(strings.ReplaceAll(string(f.Type), "_", "-")),
		AwsAccountID:    o.AccountID,
		Types:           types,
		FirstObservedAt: now, LastObservedAt: now, CreatedAt: now, UpdatedAt: now,
		Severity:              sev,
		FindingProviderFields: ASFFFindingProviderFields{Severity: sev, Types: types},
		Title:                 truncate(f.Title, asffMaxTitle),
		Description:           truncate(desc, asffMaxDescription),
		Remediation:           ASFFRemediation{Recommendation: rec},
		ProductFields:         fields,
		Resources:             []ASFFResource{asffResource(&r.Target, o)},
		Vulnerabilities:       []ASFFVulnerability{v},
		RecordState:           "ACTIVE",
		Workflow:              ASFFWorkflow{Status: workflow},
	}
}

func asffResource(t *model.Target, o ASFFOptions) ASFFResource {
	res := ASFFResource{Type: "Other", ID: t.Name, Partition: "aws", Region: o.Region}
	if t.Kind == model.TargetImage {
		res.Type = "Container"
		if t.Digest != "" {
			res.ID = t.Name + "@" + t.Digest
		}
		res.Details = &ASFFResourceDetails{Container: &ASFFContainer{Name: t.Name, ImageID: t.Digest, ImageName: t.Name}}
		return res
	}
	other := map[string]string{"vigil/Kind": string(t.Kind)}
	if t.Digest != "" {
		other["vigil/Digest"] = t.Digest
	}
	res.Details = &ASFFResourceDetails{Other: other}
	return res
}

// ratingVendor names who rated the vulnerability: the distribution for
// distro ratings, else the source of the first CVSS vector, else vigil.
func ratingVendor(v *Vulnerability) string {
	switch v.SeveritySource {
	case "", "cvss", "none":
		if len(v.CVSS) > 0 && v.CVSS[0].Source != "" {
			return v.CVSS[0].Source
		}
		return "vigil"
	}
	return v.SeveritySource
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// truncate shortens s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
