package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Source is the source of every event vigil emits.
const Source = "vigil"

// EnvelopeVersion is the version of the envelope, as EventBridge's "0".
const EnvelopeVersion = "0"

// DetailType names what happened; it selects the shape of the detail.
type DetailType string

// Detail types. The finding ones carry a Finding; the others their own
// detail struct.
const (
	FindingCreated          DetailType = "Finding Created"
	FindingUpdated          DetailType = "Finding Updated"
	FindingClosed           DetailType = "Finding Closed"
	FindingSuppressed       DetailType = "Finding Suppressed"
	ScanCompleted           DetailType = "Scan Completed"
	InitialScanComplete     DetailType = "Initial Scan Complete"
	CoverageChanged         DetailType = "Coverage Changed"
	AdvisoryDatabaseUpdated DetailType = "Advisory Database Updated"
)

// DetailTypes lists every detail-type, in the order of the documentation.
var DetailTypes = []DetailType{FindingCreated, FindingUpdated, FindingClosed, FindingSuppressed,
	ScanCompleted, InitialScanComplete, CoverageChanged, AdvisoryDatabaseUpdated}

// Valid reports whether t is a known detail-type.
func (t DetailType) Valid() bool {
	for _, d := range DetailTypes {
		if t == d {
			return true
		}
	}
	return false
}

// Envelope is a vigil event, shaped as an Amazon EventBridge event so that
// EventBridge event patterns apply to it unchanged.
type Envelope struct {
	// Version is EnvelopeVersion.
	Version string `json:"version"`
	// ID is a UUID, unique per event; receivers deduplicate on it.
	ID         string     `json:"id"`
	DetailType DetailType `json:"detail-type"`
	// Source is always "vigil".
	Source string `json:"source"`
	// Account is the vigil account the event belongs to.
	Account string `json:"account"`
	// Time is when the change happened, UTC, whole seconds.
	Time time.Time `json:"time"`
	// Region names the vigil installation or site ("local" by default).
	Region string `json:"region"`
	// Resources are the identifiers of the resources concerned.
	Resources []string `json:"resources"`
	// Detail is the detail-type's payload, as JSON.
	Detail json.RawMessage `json:"detail"`
}

// InvalidEventError reports an envelope or detail that breaks the event
// contract.
type InvalidEventError struct {
	Field  string
	Reason string
}

func (e *InvalidEventError) Error() string {
	return fmt.Sprintf("invalid event: %s: %s", e.Field, e.Reason)
}

// New builds an envelope with detail marshalled to JSON. The detail must
// be the Go type of the detail-type: *Finding for the finding events,
// *ScanCompletedDetail, *InitialScanCompleteDetail, *CoverageChangedDetail
// or *AdvisoryDatabaseUpdatedDetail.
func New(dt DetailType, id, account, region string, at time.Time, resources []string, detail any) (*Envelope, error) {
	if !dt.Valid() {
		return nil, &InvalidEventError{Field: "detail-type", Reason: fmt.Sprintf("unknown detail-type %q", dt)}
	}
	if want := detailFor(dt); fmt.Sprintf("%T", want) != fmt.Sprintf("%T", detail) {
		return nil, &InvalidEventError{Field: "detail", Reason: fmt.Sprintf("%s carries %T, not %T", dt, want, detail)}
	}
	raw, err := marshal(detail)
	if err != nil {
		return nil, &InvalidEventError{Field: "detail", Reason: err.Error()}
	}
	if resources == nil {
		resources = []string{}
	}
	e := &Envelope{Version: EnvelopeVersion, ID: id, DetailType: dt, Source: Source, Account: account,
		Time: at.UTC().Truncate(time.Second), Region: region, Resources: resources, Detail: raw}
	if err := e.Check(); err != nil {
		return nil, err
	}
	return e, nil
}

// Check verifies the envelope fields every receiver relies on.
func (e *Envelope) Check() error {
	switch {
	case e.Version != EnvelopeVersion:
		return &InvalidEventError{Field: "version", Reason: fmt.Sprintf("want %q", EnvelopeVersion)}
	case e.ID == "":
		return &InvalidEventError{Field: "id", Reason: "empty"}
	case !e.DetailType.Valid():
		return &InvalidEventError{Field: "detail-type", Reason: fmt.Sprintf("unknown detail-type %q", e.DetailType)}
	case e.Source != Source:
		return &InvalidEventError{Field: "source", Reason: fmt.Sprintf("want %q", Source)}
	case e.Account == "":
		return &InvalidEventError{Field: "account", Reason: "empty"}
	case e.Region == "":
		return &InvalidEventError{Field: "region", Reason: "empty"}
	case e.Time.IsZero():
		return &InvalidEventError{Field: "time", Reason: "zero"}
	case len(e.Detail) == 0 || e.Detail[0] != '{':
		return &InvalidEventError{Field: "detail", Reason: "must be a JSON object"}
	}
	return nil
}

// DecodeDetail decodes the detail into the Go type of the detail-type.
func (e *Envelope) DecodeDetail() (any, error) {
	d := detailFor(e.DetailType)
	if d == nil {
		return nil, &InvalidEventError{Field: "detail-type", Reason: fmt.Sprintf("unknown detail-type %q", e.DetailType)}
	}
	dec := json.NewDecoder(bytes.NewReader(e.Detail))
	if err := dec.Decode(d); err != nil {
		return nil, &InvalidEventError{Field: "detail", Reason: err.Error()}
	}
	return d, nil
}

func detailFor(dt DetailType) any {
	switch dt {
	case FindingCreated, FindingUpdated, FindingClosed, FindingSuppressed:
		return &Finding{}
	case ScanCompleted:
		return &ScanCompletedDetail{}
	case InitialScanComplete:
		return &InitialScanCompleteDetail{}
	case CoverageChanged:
		return &CoverageChangedDetail{}
	case AdvisoryDatabaseUpdated:
		return &AdvisoryDatabaseUpdatedDetail{}
	}
	return nil
}

// Marshal encodes the envelope as one line of JSON, HTML characters
// unescaped.
func (e *Envelope) Marshal() ([]byte, error) {
	b, err := marshal(e)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
