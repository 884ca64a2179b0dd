// Package storetest is the conformance suite every store implementation
// passes: Run(t, newBackend) exercises account isolation, tokens,
// resources and coverage, inventories and the package index, the outbox,
// the audit log, migrations and the job queue against a fresh database per
// test, with a fake clock.
package storetest
