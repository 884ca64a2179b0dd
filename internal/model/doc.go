// Package model holds vigil's pure data types: the inventory produced by the
// index stage (packages, operating system, layers), the results of the match
// stage, and the observation and finding types that the server reconciles.
//
// The package has no behaviour beyond small helpers on these types and no
// dependencies outside the standard library, so that every other package can
// import it.
package model
