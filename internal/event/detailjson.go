package event

import (
	"encoding/json"

	"github.com/vigilsec/vigil/internal/jsonx"
)

// AppendJSON appends the JSON of d, byte for byte what json.Marshal
// writes (TestFindingJSONAsMarshal fills every field and compares), in a
// third of its time: a scan writes one event per new finding. The rare
// parts (network and code details) go through Marshal; a value Marshal
// refuses (NaN) is its error.
func (d *Finding) AppendJSON(dst []byte) ([]byte, error) {
	w := &jsonx.Writer{Buf: append(dst, '{')}
	w.Str("findingId", d.FindingID)
	w.Str("accountId", d.AccountID)
	w.Str("title", d.Title)
	w.Str("description", d.Description)
	w.Str("type", d.Type)
	w.Str("severity", d.Severity)
	w.Str("status", d.Status)
	w.Time("firstObservedAt", d.FirstObservedAt, false)
	w.Time("lastObservedAt", d.LastObservedAt, false)
	w.Time("updatedAt", d.UpdatedAt, false)
	if d.Score != nil {
		w.Float("score", *d.Score)
	}
	w.Str("fixAvailable", d.FixAvailable)
	w.Str("exploitAvailable", d.ExploitAvailable)
	if e := d.EPSS; e != nil {
		w.Key("epss")
		w.Raw("{")
		w.Float("score", e.Score)
		if e.Percentile != 0 {
			w.Float("percentile", e.Percentile)
		}
		w.Raw("}")
	}
	if k := d.KEV; k != nil {
		w.Key("kev")
		w.Raw("{")
		w.Str("dateAdded", k.DateAdded)
		w.StrOmit("dueDate", k.DueDate)
		w.StrOmit("requiredAction", k.RequiredAction)
		w.Raw("}")
	}
	w.Key("remediation")
	w.Raw(`{"recommendation":{`)
	w.Str("text", d.Remediation.Recommendation.Text)
	w.StrOmit("Url", d.Remediation.Recommendation.URL)
	w.Raw("}}")
	jsonx.Array(w, "resources", d.Resources, writeResource)
	if p := d.PackageVulnerabilityDetails; p != nil {
		w.Key("packageVulnerabilityDetails")
		writePackageDetails(w, p)
	}
	if d.NetworkReachabilityDetails != nil {
		w.Marshal("networkReachabilityDetails", d.NetworkReachabilityDetails)
	}
	if d.CodeVulnerabilityDetails != nil {
		w.Marshal("codeVulnerabilityDetails", d.CodeVulnerabilityDetails)
	}
	w.StrOmit("previousStatus", d.PreviousStatus)
	if len(d.Changed) > 0 {
		w.Strings("changed", d.Changed)
	}
	w.StrOmit("closedReason", d.ClosedReason)
	if s := d.Suppression; s != nil {
		w.Key("suppression")
		w.Raw("{")
		w.Str("rule", s.Rule)
		w.StrOmit("reason", s.Reason)
		if s.Expires != nil {
			w.Time("expires", *s.Expires, false)
		}
		w.Raw("}")
	}
	w.Raw("}")
	if w.Failed {
		// Marshal says what it refuses.
		b, err := json.Marshal(d)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	return w.Buf, nil
}

func writeResource(w *jsonx.Writer, r *Resource) {
	w.Raw("{")
	w.Str("id", r.ID)
	w.Str("type", r.Type)
	w.StrOmit("region", r.Region)
	if len(r.Tags) > 0 {
		w.Key("tags")
		w.Buf = jsonx.AppendStringMap(w.Buf, r.Tags)
	}
	if d := r.Details; d != nil {
		w.Key("details")
		w.Raw("{")
		if i := d.Image; i != nil {
			w.Key("image")
			w.Raw("{")
			w.Str("repositoryName", i.RepositoryName)
			if len(i.ImageTags) > 0 {
				w.Strings("imageTags", i.ImageTags)
			}
			w.StrOmit("imageHash", i.ImageHash)
			w.StrOmit("platform", i.Platform)
			w.Raw("}")
		}
		if h := d.Host; h != nil {
			w.Key("host")
			w.Raw("{")
			w.Str("hostname", h.Hostname)
			w.StrOmit("platform", h.Platform)
			if len(h.IPV4Addresses) > 0 {
				w.Strings("ipV4Addresses", h.IPV4Addresses)
			}
			w.Raw("}")
		}
		if f := d.Function; f != nil {
			w.Key("function")
			w.Raw("{")
			w.Str("functionName", f.FunctionName)
			w.StrOmit("runtime", f.Runtime)
			w.StrOmit("codeSha256", f.CodeSha256)
			w.Raw("}")
		}
		w.Raw("}")
	}
	w.Raw("}")
}

func writePackageDetails(w *jsonx.Writer, p *PackageVulnerabilityDetails) {
	w.Raw("{")
	w.Str("vulnerabilityId", p.VulnerabilityID)
	w.Str("source", p.Source)
	w.StrOmit("sourceUrl", p.SourceURL)
	w.StrOmit("vendorSeverity", p.VendorSeverity)
	if p.VendorCreatedAt != nil {
		w.Time("vendorCreatedAt", *p.VendorCreatedAt, false)
	}
	if p.VendorUpdatedAt != nil {
		w.Time("vendorUpdatedAt", *p.VendorUpdatedAt, false)
	}
	jsonx.Array(w, "cvss", p.CVSS, writeCVSS)
	w.Strings("referenceUrls", p.ReferenceURLs)
	w.Strings("relatedVulnerabilities", p.RelatedVulnerabilities)
	jsonx.Array(w, "vulnerablePackages", p.VulnerablePackages, writeVulnerablePackage)
	w.Raw("}")
}

func writeCVSS(w *jsonx.Writer, c *CVSS) {
	w.Raw("{")
	w.Float("baseScore", c.BaseScore)
	w.Str("scoringVector", c.ScoringVector)
	w.Str("source", c.Source)
	w.Str("version", c.Version)
	w.Raw("}")
}

func writeVulnerablePackage(w *jsonx.Writer, v *VulnerablePackage) {
	w.Raw("{")
	w.Str("name", v.Name)
	w.Str("version", v.Version)
	if v.Epoch != 0 {
		w.Int("epoch", v.Epoch)
	}
	w.StrOmit("release", v.Release)
	w.StrOmit("arch", v.Arch)
	w.Str("packageManager", v.PackageManager)
	w.StrOmit("filePath", v.FilePath)
	w.StrOmit("fixedInVersion", v.FixedInVersion)
	w.StrOmit("remediation", v.Remediation)
	w.StrOmit("sourceLayerHash", v.SourceLayerHash)
	w.StrOmit("purl", v.PURL)
	w.Raw("}")
}
