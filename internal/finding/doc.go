// Package finding keeps findings current: it turns the observations of a
// scan into stored findings (reconciliation), scores them, applies
// suppression rules and writes one outbox event per state change in the
// same transaction as the change.
//
// Lifecycle (architecture, data flow step 3), per resource and scan, in
// one transaction:
//
//   - a new key → ACTIVE (or SUPPRESSED when a rule matches) and
//     "finding.created";
//   - a key seen again → lastObservedAt moves; "finding.updated" only when
//     the severity, the score or the fix availability changed;
//   - a stored open key not seen → CLOSED and "finding.closed";
//   - a CLOSED key seen again → reopened with the same id (reopen count
//     +1) and "finding.updated" (changed: status);
//   - an open finding that starts matching an active suppression rule →
//     SUPPRESSED and "finding.suppressed"; one whose rule expired or was
//     deleted → ACTIVE and "finding.updated" (changed: status).
//
// The key is hash(account, resource, type, check id, target), the target
// being (ecosystem, name, version, path) for packages, (protocol, ports,
// from) for network findings and (rule, file, line) for code; the finding
// id is derived from it, so a finding keeps its id for life.
//
// Event payloads are the JSON of an event.Finding (the detail of the
// EventBridge-shaped envelope the relay builds).
package finding
