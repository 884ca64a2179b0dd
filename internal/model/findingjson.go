package model

import (
	"github.com/vigilsec/vigil/internal/jsonx"
)

// This file encodes a Finding's JSON by hand, byte for byte as
// encoding/json's Marshal does (TestFindingJSONAsMarshal fills every
// field and compares): a scan encodes every new finding once for its
// fingerprint and stored content, and reflection was two thirds of that.
// The rare target parts (network, code) go through Marshal.

// appendFindingJSON appends f's JSON; noSnapshots leaves each evidence
// entry's snapshot empty (ContentJSON). ok is false when Marshal would
// fail.
func appendFindingJSON(dst []byte, f *Finding, noSnapshots bool) ([]byte, bool) {
	w := &jsonx.Writer{Buf: append(dst, '{')}
	w.Str("id", string(f.ID))
	w.Str("accountId", string(f.AccountID))
	w.Str("type", string(f.Type))
	w.Str("checkId", f.CheckID)
	w.Str("title", f.Title)
	w.Str("description", f.Description)
	w.Str("severity", string(f.Severity))
	if f.Score != nil {
		w.Float("score", *f.Score)
	}
	if d := f.ScoreDetails; d != nil {
		w.Key("scoreDetails")
		w.Raw("{")
		w.Float("base", d.Base)
		w.Str("version", d.Version)
		w.Str("vector", d.Vector)
		w.Str("source", d.Source)
		w.Float("score", d.Score)
		if len(d.Adjustments) > 0 {
			jsonx.Array(w, "adjustments", d.Adjustments, writeAdjustment)
		}
		w.Raw("}")
	}
	if e := f.EPSS; e != nil {
		w.Key("epss")
		w.Raw("{")
		w.Str("cve", e.CVE)
		w.Float("score", e.Score)
		w.Float("percentile", e.Percentile)
		w.StrOmit("date", e.Date)
		w.Raw("}")
	}
	w.Str("exploitAvailable", string(f.ExploitAvailable))
	if k := f.KEV; k != nil {
		w.Key("kev")
		w.Raw("{")
		w.Str("cve", k.CVE)
		w.Str("dateAdded", k.DateAdded)
		w.StrOmit("dueDate", k.DueDate)
		w.StrOmit("requiredAction", k.RequiredAction)
		w.StrOmit("knownRansomwareCampaignUse", k.KnownRansomware)
		w.Raw("}")
	}
	w.Str("fixAvailable", string(f.FixAvailable))
	w.Key("remediation")
	w.Raw("{")
	w.Str("text", f.Remediation.Text)
	w.StrOmit("url", f.Remediation.URL)
	w.Raw("}")
	w.Key("resource")
	writeFindingResource(w, &f.Resource)
	w.Str("status", string(f.Status))
	if s := f.Suppression; s != nil {
		w.Key("suppression")
		w.Raw("{")
		w.Str("ruleId", string(s.RuleID))
		w.StrOmit("reason", s.Reason)
		w.Time("expiresAt", s.ExpiresAt, true)
		w.Raw("}")
	}
	w.StrOmit("closedReason", string(f.ClosedReason))
	w.Time("firstObservedAt", f.FirstObservedAt, false)
	w.Time("lastObservedAt", f.LastObservedAt, false)
	w.Time("updatedAt", f.UpdatedAt, false)
	w.Time("closedAt", f.ClosedAt, true)
	w.Int("reopenCount", f.ReopenCount)
	w.StrOmit("snapshotId", f.SnapshotID)
	w.StrOmit("scanId", f.ScanID)
	if p := f.Package; p != nil {
		w.Key("packageVulnerabilityDetails")
		writePackageDetails(w, p, noSnapshots)
	}
	if f.Network != nil {
		w.Marshal("networkReachabilityDetails", f.Network)
	}
	if f.Code != nil {
		w.Marshal("codeVulnerabilityDetails", f.Code)
	}
	w.Raw("}")
	return w.Buf, !w.Failed
}

func writeFindingResource(w *jsonx.Writer, r *FindingResource) {
	w.Raw("{")
	w.Str("id", string(r.ID))
	w.Str("type", string(r.Type))
	w.Str("name", r.Name)
	w.StrOmit("digest", r.Digest)
	if len(r.Tags) > 0 {
		w.Key("tags")
		w.Buf = jsonx.AppendStringMap(w.Buf, r.Tags)
	}
	w.StrOmit("imageRepository", r.ImageRepository)
	w.StrOmit("imageTag", r.ImageTag)
	w.Raw("}")
}

func writePackageDetails(w *jsonx.Writer, p *PackageVulnerabilityDetails, noSnapshots bool) {
	w.Raw("{")
	w.Str("vulnerabilityId", p.VulnerabilityID)
	w.StrOmit("source", p.Source)
	w.StrOmit("sourceUrl", p.SourceURL)
	w.StrOmit("vendorSeverity", p.VendorSeverity)
	w.StrOmit("severitySource", p.SeveritySource)
	if len(p.CVSS) > 0 {
		jsonx.Array(w, "cvss", p.CVSS, writeCVSS)
	}
	if len(p.ReferenceURLs) > 0 {
		w.Strings("referenceUrls", p.ReferenceURLs)
	}
	if len(p.CWEs) > 0 {
		w.Strings("cwes", p.CWEs)
	}
	w.Time("vendorCreatedAt", p.Published, true)
	w.Time("vendorUpdatedAt", p.Modified, true)
	if len(p.RelatedVulnerabilities) > 0 {
		w.Strings("relatedVulnerabilities", p.RelatedVulnerabilities)
	}
	jsonx.Array(w, "vulnerablePackages", p.VulnerablePackages, writeVulnerablePackage)
	if len(p.Evidence) > 0 {
		jsonx.Array(w, "evidence", p.Evidence, func(w *jsonx.Writer, e *Evidence) {
			w.Raw("{")
			w.Str("advisory", e.Advisory)
			w.Str("ecosystem", e.Ecosystem)
			w.Str("package", e.Package)
			w.Str("matchedBy", e.MatchedBy)
			w.Str("version", e.Version)
			w.Str("range", e.Range)
			w.Str("feed", e.Feed)
			if noSnapshots {
				w.Str("snapshot", "")
			} else {
				w.Str("snapshot", e.Snapshot)
			}
			w.Raw("}")
		})
	}
	w.Raw("}")
}

func writeVulnerablePackage(w *jsonx.Writer, v *VulnerablePackage) {
	w.Raw("{")
	w.Str("ecosystem", string(v.Ecosystem))
	w.Str("name", v.Name)
	w.Str("version", v.Version)
	w.StrOmit("sourceName", v.SourceName)
	w.StrOmit("sourceVersion", v.SourceVersion)
	w.StrOmit("arch", v.Arch)
	w.StrOmit("purl", v.PURL)
	w.StrOmit("packageManager", string(v.Manager))
	w.StrOmit("filePath", v.FilePath)
	w.StrOmit("fixedInVersion", v.FixedInVersion)
	w.StrOmit("fixState", string(v.FixState))
	w.StrOmit("sourceLayerHash", v.Layer)
	w.Raw("}")
}

func writeAdjustment(w *jsonx.Writer, a *ScoreAdjustment) {
	w.Raw("{")
	w.Str("metric", a.Metric)
	w.Str("reason", a.Reason)
	w.Float("delta", a.Delta)
	w.Raw("}")
}

func writeCVSS(w *jsonx.Writer, c *CVSS) {
	w.Raw("{")
	w.Str("version", c.Version)
	w.Str("vector", c.Vector)
	w.Float("baseScore", c.BaseScore)
	w.Str("source", c.Source)
	w.Raw("}")
}
