package event

// Outbox types: the type a server writes to its outbox for each published
// detail-type. The outbox also holds bookkeeping events ("resource.
// registered", …) that are not published; the relay skips them.
const (
	OutboxFindingCreated          = "finding.created"
	OutboxFindingUpdated          = "finding.updated"
	OutboxFindingClosed           = "finding.closed"
	OutboxFindingSuppressed       = "finding.suppressed"
	OutboxScanCompleted           = "scan.completed"
	OutboxInitialScanComplete     = "scan.initial-complete"
	OutboxCoverageChanged         = "coverage.changed"
	OutboxAdvisoryDatabaseUpdated = "advisory.updated"
)

var outboxTypes = map[string]DetailType{
	OutboxFindingCreated:          FindingCreated,
	OutboxFindingUpdated:          FindingUpdated,
	OutboxFindingClosed:           FindingClosed,
	OutboxFindingSuppressed:       FindingSuppressed,
	OutboxScanCompleted:           ScanCompleted,
	OutboxInitialScanComplete:     InitialScanComplete,
	OutboxCoverageChanged:         CoverageChanged,
	OutboxAdvisoryDatabaseUpdated: AdvisoryDatabaseUpdated,
}

// DetailTypeOfOutbox returns the detail-type published for an outbox
// type; ok is false for bookkeeping types. The outbox payload is the
// detail's JSON.
func DetailTypeOfOutbox(typ string) (dt DetailType, ok bool) {
	dt, ok = outboxTypes[typ]
	return dt, ok
}
