// Package suppress decides which findings a scan hides, and says why.
//
// Two sources feed it, both designed not to rot:
//
//   - an ignore file (.vigilignore.yaml): entries naming a vulnerability id
//     (any alias works), optionally narrowed to a package URL and a path,
//     each with a reason and a REQUIRED expiry date. An expired entry stops
//     suppressing and is reported as a warning, so stale ignores surface
//     instead of hiding new risk;
//   - OpenVEX documents: statements whose status is not_affected or fixed
//     suppress the matching findings, and their justification and impact
//     statement are carried into the report.
//
// The result of a check is a *Decision, or nil when the finding stands.
package suppress
