package finding

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/arena"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
)

// Outbox event types written by this package; each payload is the JSON of
// an event.Finding.
const (
	EventCreated    = "finding.created"
	EventUpdated    = "finding.updated"
	EventClosed     = "finding.closed"
	EventSuppressed = "finding.suppressed"
)

// DetailTypeOf maps an outbox event type of this package to its envelope
// detail-type ("finding.created" → "Finding Created"); ok is false for
// other types.
func DetailTypeOf(typ string) (dt event.DetailType, ok bool) {
	switch typ {
	case EventCreated:
		return event.FindingCreated, true
	case EventUpdated:
		return event.FindingUpdated, true
	case EventClosed:
		return event.FindingClosed, true
	case EventSuppressed:
		return event.FindingSuppressed, true
	}
	return "", false
}

// ARN returns the finding's EventBridge-style id:
// "vigil:<account>:finding/<32 hex>".
func ARN(f *model.Finding) string {
	return "vigil:" + string(f.AccountID) + ":finding/" + f.ID.Hex()
}

// Detail converts a finding to the detail of its events. prev is the
// status before the change ("" when unchanged or new); changed lists what
// changed.
func Detail(f *model.Finding, prev model.FindingStatus, changed []string) *event.Finding {
	d := &event.Finding{
		FindingID:        ARN(f),
		AccountID:        string(f.AccountID),
		Title:            f.Title,
		Description:      f.Description,
		Type:             string(f.Type),
		Severity:         string(f.Severity),
		Status:           string(f.Status),
		FirstObservedAt:  f.FirstObservedAt,
		LastObservedAt:   f.LastObservedAt,
		UpdatedAt:        f.UpdatedAt,
		Score:            f.Score,
		FixAvailable:     string(f.FixAvailable),
		ExploitAvailable: string(f.ExploitAvailable),
		Remediation:      event.Remediation{Recommendation: event.Recommendation{Text: f.Remediation.Text, URL: f.Remediation.URL}},
		Resources:        []event.Resource{resourceDetail(&f.Resource)},
		PreviousStatus:   string(prev),
		Changed:          changed,
		ClosedReason:     string(f.ClosedReason),
	}
	if f.EPSS != nil {
		d.EPSS = &event.EPSS{Score: f.EPSS.Score, Percentile: f.EPSS.Percentile}
	}
	if f.KEV != nil {
		d.KEV = &event.KEV{DateAdded: f.KEV.DateAdded, DueDate: f.KEV.DueDate, RequiredAction: f.KEV.RequiredAction}
	}
	if s := f.Suppression; s != nil {
		d.Suppression = &event.Suppression{Rule: string(s.RuleID), Reason: s.Reason}
		if !s.ExpiresAt.IsZero() {
			t := s.ExpiresAt
			d.Suppression.Expires = &t
		}
	}
	if p := f.Package; p != nil {
		pd := &event.PackageVulnerabilityDetails{
			VulnerabilityID:        p.VulnerabilityID,
			Source:                 p.Source,
			SourceURL:              p.SourceURL,
			VendorSeverity:         p.VendorSeverity,
			CVSS:                   []event.CVSS{},
			ReferenceURLs:          nonNil(p.ReferenceURLs),
			RelatedVulnerabilities: nonNil(p.RelatedVulnerabilities),
		}
		if !p.Published.IsZero() {
			t := p.Published
			pd.VendorCreatedAt = &t
		}
		if !p.Modified.IsZero() {
			t := p.Modified
			pd.VendorUpdatedAt = &t
		}
		for _, c := range p.CVSS {
			pd.CVSS = append(pd.CVSS, event.CVSS{BaseScore: c.BaseScore, ScoringVector: c.Vector, Source: c.Source, Version: c.Version})
		}
		for _, vp := range p.VulnerablePackages {
			pd.VulnerablePackages = append(pd.VulnerablePackages, event.VulnerablePackage{
				Name: vp.Name, Version: vp.Version, Arch: vp.Arch, PackageManager: string(vp.Manager),
				FilePath: vp.FilePath, FixedInVersion: vp.FixedInVersion, SourceLayerHash: vp.Layer, PURL: vp.PURL,
				Remediation: f.Remediation.Text,
			})
		}
		if pd.VulnerablePackages == nil {
			pd.VulnerablePackages = []event.VulnerablePackage{}
		}
		d.PackageVulnerabilityDetails = pd
	}
	if n := f.Network; n != nil {
		nd := &event.NetworkReachabilityDetails{Protocol: n.Protocol,
			OpenPortRange: event.PortRange{Begin: n.Ports.Begin, End: n.Ports.End},
			NetworkPath:   event.NetworkPath{Steps: []event.PathStep{}}}
		for _, s := range n.Steps {
			nd.NetworkPath.Steps = append(nd.NetworkPath.Steps, event.PathStep{ComponentID: s.ComponentID, ComponentType: s.ComponentType})
		}
		d.NetworkReachabilityDetails = nd
	}
	if c := f.Code; c != nil {
		d.CodeVulnerabilityDetails = &event.CodeVulnerabilityDetails{CWEs: c.CWEs, RuleID: c.RuleID,
			FilePath: c.FilePath, StartLine: c.StartLine, EndLine: c.EndLine}
	}
	return d
}

func resourceDetail(r *model.FindingResource) event.Resource {
	er := event.Resource{ID: string(r.ID), Type: string(r.Type), Tags: r.Tags}
	switch r.Type {
	case model.ResourceImage:
		img := &event.ImageDetails{RepositoryName: r.ImageRepository, ImageHash: r.Digest}
		if r.ImageTag != "" {
			img.ImageTags = []string{r.ImageTag}
		}
		er.Details = &event.ResourceDetails{Image: img}
	case model.ResourceHost:
		er.Details = &event.ResourceDetails{Host: &event.HostDetails{Hostname: r.Name}}
	case model.ResourceFunction:
		er.Details = &event.ResourceDetails{Function: &event.FunctionDetails{FunctionName: r.Name, CodeSha256: r.Digest}}
	}
	return er
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// newEvent builds the outbox event of a finding change without its
// payload, and the detail its payload encodes (encodeEvents).
func newEvent(typ string, f *model.Finding, prev model.FindingStatus, changed []string) (model.Event, *event.Finding) {
	return model.Event{AccountID: f.AccountID, Type: typ, Subject: string(f.ID), CreatedAt: f.UpdatedAt}, Detail(f, prev, changed)
}

// encodeEvents sets the payload of each of events that has none: the JSON
// of its detail (details[i] is events[i]'s). A panic is returned as an
// error: it may run on a goroutine of its own (writer.flush).
func encodeEvents(events []model.Event, details []*event.Finding) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("encode finding events: %v", v)
		}
	}()
	var payloads arena.Arena // shared chunks rather than a buffer each
	for i, d := range details {
		if events[i].Payload != nil {
			continue
		}
		b, err := d.AppendJSON(payloads.Room(4 << 10))
		if err != nil {
			return fmt.Errorf("encode finding event: %w", err)
		}
		events[i].Payload = payloads.Keep(b)
	}
	return nil
}
