// Package pattern compiles Amazon EventBridge event patterns and matches
// them against JSON events, answering as EventBridge's TestEventPattern
// does.
//
// It is vigil's own implementation, written from the EventBridge user
// guide ("Creating event patterns", "Content filtering", "Comparison
// operators", "Arrays in event patterns", "Matching null values and empty
// strings"): quamina, the Go port of aws/event-ruler, is not available
// from the module proxy this project builds from.
//
// Supported: exact strings, numbers (equal by value, so 300, 300.0 and
// 3.0e2 are one value; like EventBridge, numbers within ±5.0e9 compare at
// six decimals), true, false and null; prefix, suffix and
// equals-ignore-case (also in their prefix/suffix ignore-case forms);
// anything-but (a value, a list of strings or of numbers, a prefix, a
// suffix, equals-ignore-case, wildcard); numeric ranges; exists; wildcard;
// cidr (IPv4 and IPv6); $or; nested fields at any depth.
//
// Semantics in brief:
//   - Fields are ANDed; the values of a field's array are ORed.
//   - An event array matches when any of its elements matches; arrays of
//     objects are matched element by element, so every field of one
//     sub-pattern must be satisfied by the same element (EventBridge's
//     array consistency).
//   - Only leaf values (strings, numbers, booleans, null) are matched. A
//     field that is absent, an object, or an empty array has no leaf value:
//     it matches nothing but {"exists": false}.
//   - anything-but needs a leaf value: an absent field does not match it.
//     A value of another type than the excluded ones is not excluded
//     (anything-but "x" matches 5; anything-but {"prefix": …} matches 5).
//   - "$or" is an OR only when its value is an array of two or more objects
//     that use no operator keyword; otherwise it is an ordinary field name,
//     as in event-ruler.
//
// Known differences from event-ruler: keys containing dots are not
// equated with nested keys ({"a.b": …} does not match {"a": {"b": …}}),
// which event-ruler's README says must not be relied upon; and
// {"exists": false} inside an array of objects is decided per element.
//
// Events are parsed by a small JSON parser of our own that accepts exactly
// what encoding/json accepts (FuzzParseJSON compares the two) at about
// twice the speed.
//
// A Pattern is immutable once compiled and safe for concurrent use. A Set
// holds many named patterns and indexes them by a field each one requires
// (detail-type, source, …) so that an event is tested only against the
// rules that can match it.
package pattern
