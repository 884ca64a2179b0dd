// Package jsonx decodes JSON with encoding/json's semantics about twice as
// fast: it runs github.com/go-json-experiment/json (the implementation
// behind Go's encoding/json/v2) with its options for version 1 behaviour —
// names matched case-insensitively, duplicate names allowed (the last
// wins), invalid UTF-8 replaced, one value with nothing after it. The
// server decodes every pushed inventory twice (the request, then the
// stored copy its scan loads); on the push benchmark the two took a tenth
// of the server's CPU time with encoding/json (BENCHMARKS.md).
//
// Encoding stays with encoding/json, whose exact bytes finding
// fingerprints depend on, except for the two types a scan encodes once
// per finding (a finding's content, a finding event's detail): their
// hand-written encoders (model.Finding.AppendContentJSON,
// event.Finding.AppendJSON) are built from the Append functions and
// Writer here, which write what Marshal writes, and are tested against it.
package jsonx

import (
	json "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

var (
	v1     = jsonv1.DefaultOptionsV1()
	strict = json.JoinOptions(jsonv1.DefaultOptionsV1(), json.RejectUnknownMembers(true))
)

// Unmarshal decodes data into v as encoding/json.Unmarshal does.
func Unmarshal(data []byte, v any) error {
	return json.Unmarshal(data, v, v1)
}

// UnmarshalStrict is Unmarshal that also rejects object members v has no
// field for (encoding/json's Decoder.DisallowUnknownFields).
func UnmarshalStrict(data []byte, v any) error {
	return json.Unmarshal(data, v, strict)
}
