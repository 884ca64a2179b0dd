// Package acceptance holds end-to-end acceptance tests over the real data in
// shared/testdata: advisory feeds are imported into a real advisory
// database, real package databases are laid out in root file systems,
// scanned through the index and match stages (and the vigil binary), and
// the results are checked against expectations computed independently in
// the tests from the native feed formats, with each distribution's
// reference version comparison (dpkg for Debian).
//
// The package has no non-test code.
package acceptance
