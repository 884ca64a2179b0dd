// Package cli defines vigil's command line: the cobra command tree, global
// flags (database directory, logging) and the exit-code contract.
//
// Exit codes: 0 success (and no gate tripped); 1 a --fail-on gate tripped;
// 2 usage errors and every other failure. Commands are listed explicitly in
// root.go; there is no init() registration.
package cli
