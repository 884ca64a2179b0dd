// Package osv holds the Open Source Vulnerability record schema
// (https://ossf.github.io/osv-schema/) as Go types and its parser.
//
// Records come from outside (feeds, mirrors, user files), so Parse checks
// the parts that matching relies on and returns a *ParseError instead of
// accepting a record that would be silently misread.
package osv
