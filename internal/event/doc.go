// Package event holds vigil's event model: the envelope every event travels
// in (modelled on Amazon EventBridge's: version, id, detail-type, source
// "vigil", account, time, region, resources, detail), the detail types of
// each detail-type, and their published JSON Schemas (schemas/*.json).
//
// Rules select events with EventBridge event patterns; package
// event/pattern compiles and matches them. EventBridge's own matcher,
// aws/event-ruler (Java), has a Go port, quamina, but quamina is not
// served by the module proxy this project builds from, so the matcher is
// our own, written from the EventBridge documentation.
//
// These types are what the server's outbox carries and the relay delivers.
package event
