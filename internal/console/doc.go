// Package console serves vigil's web console: a single-page application of
// plain ES modules and CSS embedded in the binary (no build step, no
// Node.js). The console talks only to the public /v1 API with the token
// the user enters; the server side only serves the files, with strict
// security headers.
package console
