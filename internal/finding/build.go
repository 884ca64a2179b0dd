package finding

import (
	"maps"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// build makes the finding an observation describes, as if new: status
// ACTIVE, first and last observed now.
func build(res *model.Resource, scanID, snapshotID string, id model.FindingID, obs *model.Observation, now time.Time) model.Finding {
	f := model.Finding{
		ID:               id,
		AccountID:        res.AccountID,
		Type:             obs.Type,
		CheckID:          obs.CheckID,
		Title:            obs.Title,
		Description:      obs.Description,
		Severity:         obs.Severity,
		ExploitAvailable: model.ExploitNo,
		FixAvailable:     model.FixNo,
		Remediation:      model.Remediation{Text: obs.Remediation},
		Resource:         ResourceRef(res),
		Status:           model.StatusActive,
		FirstObservedAt:  now,
		LastObservedAt:   now,
		UpdatedAt:        now,
		SnapshotID:       snapshotID,
		ScanID:           scanID,
	}
	if f.Severity == "" {
		f.Severity = model.SeverityUntriaged
	}
	if f.Title == "" {
		f.Title = obs.CheckID
	}
	switch {
	case obs.Package != nil:
		v := &obs.Package.Vulnerability
		p := &obs.Package.Package
		f.ScoreDetails = Score(v, exposureContext(obs.Package.Exposure))
		if f.ScoreDetails != nil {
			s := f.ScoreDetails.Score
			f.Score = &s
		}
		if v.EPSS != nil {
			e := *v.EPSS
			f.EPSS = &e
		}
		if v.KEV != nil {
			k := *v.KEV
			f.KEV = &k
			f.ExploitAvailable = model.ExploitYes
		}
		vp := model.VulnerablePackage{
			Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version,
			SourceName: p.SourceName, SourceVersion: p.SourceVersion, Arch: p.Arch, PURL: p.PURL,
			Manager: p.Manager, FilePath: p.Path, Layer: p.Layer, FixState: v.FixState,
		}
		if v.FixedIn != nil {
			vp.FixedInVersion = *v.FixedIn
		}
		f.FixAvailable = fixAvailable([]model.VulnerablePackage{vp})
		d := &model.PackageVulnerabilityDetails{
			VulnerabilityID:        v.ID,
			VendorSeverity:         v.VendorSeverity,
			SeveritySource:         v.SeveritySource,
			CVSS:                   v.CVSS,
			ReferenceURLs:          v.References,
			CWEs:                   v.CWEs,
			Published:              v.Published,
			Modified:               v.Modified,
			RelatedVulnerabilities: v.Aliases,
			VulnerablePackages:     []model.VulnerablePackage{vp},
			Evidence:               v.Evidence,
		}
		if len(v.Evidence) > 0 {
			d.Source = v.Evidence[0].Feed
			d.SourceURL = "https://osv.dev/vulnerability/" + v.Evidence[0].Advisory
		}
		f.Remediation.URL = d.SourceURL
		f.Package = d
	case obs.Network != nil:
		n := *obs.Network
		f.Network = &n
	case obs.Code != nil:
		c := *obs.Code
		f.Code = &c
	}
	return f
}

// fixAvailable is YES when every package has a fixed version, PARTIAL
// when some do, NO otherwise.
func fixAvailable(ps []model.VulnerablePackage) model.FixAvailable {
	fixed := 0
	for _, p := range ps {
		if p.FixedInVersion != "" {
			fixed++
		}
	}
	switch {
	case fixed == 0:
		return model.FixNo
	case fixed == len(ps):
		return model.FixYes
	}
	return model.FixPartial
}

// ResourceRef returns the finding's view of a resource, with the image
// repository and tag parsed from an image's name.
func ResourceRef(r *model.Resource) model.FindingResource {
	ref := model.FindingResource{ID: r.ID, Type: r.Type, Name: r.Name, Digest: r.Digest}
	if len(r.Tags) > 0 {
		ref.Tags = maps.Clone(r.Tags)
	}
	if r.Type == model.ResourceImage {
		ref.ImageRepository, ref.ImageTag = SplitImageRef(r.Name)
	}
	return ref
}

// SplitImageRef splits an image reference into repository and tag:
// "registry:5000/app:1.0@sha256:…" gives "registry:5000/app" and "1.0".
// The tag is empty when the reference has none.
func SplitImageRef(ref string) (repo, tag string) {
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		ref = ref[:at]
	}
	slash := strings.LastIndexByte(ref, '/')
	if colon := strings.LastIndexByte(ref, ':'); colon > slash {
		return ref[:colon], ref[colon+1:]
	}
	return ref, ""
}
