// Package app wires vigil's server together and runs it: the HTTP API
// (internal/api, TLS when given a certificate), the worker pool (internal/job)
// with the scan and rematch handlers, and the advisory updater, under one
// errgroup whose context is cancelled by SIGTERM. Shutdown stops accepting
// requests, lets in-flight handlers finish within a grace period and releases
// the jobs of those that do not, so that no job is lost.
//
// A scan job indexes an image from its registry reference (or takes the
// inventory stored for a pushed host, SBOM or function), saves the inventory,
// matches it against the current advisory snapshot and reconciles the
// resulting observations into findings (internal/finding). A rematch job,
// queued when an advisory update makes a new snapshot, re-matches only the
// stored inventories that hold a package the update touched, without
// extracting anything again; App.Extractions counts extractions so that tests
// can prove it.
//
// On first start with an empty store, New creates the organisation, its
// delegated-admin account and an admin token, printed once (or taken from
// Config.BootstrapToken).
package app
