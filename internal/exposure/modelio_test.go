package exposure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestModelJSONRoundTrip(t *testing.T) {
	for name, m := range map[string]*Model{"base": baseModel(), "lb": lbModel(), "generated": generateModel(50, 20, 20)} {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeModel(bytes.NewReader(data), 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Analyze(context.Background(), m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Analyze(context.Background(), got, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("analysis differs after a JSON round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestModelJSONShape(t *testing.T) {
	data, err := json.Marshal(&Model{ACLs: []ACL{{ID: "a", Inbound: []ACLRule{{Number: 1, Protocol: ProtoTCP, Allow: true, CIDR: pfx("0.0.0.0/0"), Ports: PortRange{22, 22}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"acls":[{"id":"a","inbound":[{"number":1,"protocol":"TCP","allow":true,"cidr":"0.0.0.0/0","ports":{"from":22,"to":22}}]}]}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
}

func TestDecodeModelErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		limit     int64
		where     string // ModelError.Where; "" for other errors
		tooLarge  bool
	}{
		{"unknown field", `{"networks":[],"vpcs":[]}`, 0, "", false},
		{"trailing data", `{} {}`, 0, "document", false},
		{"bad port", `{"groups":[{"id":"g","inbound":[{"protocol":"TCP","ports":{"from":10,"to":70000}}]}]}`, 0, "groups[0].inbound[0].ports", false},
		{"bad protocol", `{"acls":[{"id":"a","outbound":[{"number":1,"protocol":"ICMP","cidr":"0.0.0.0/0","ports":{"from":0,"to":0}}]}]}`, 0, "acls[0].outbound[0].protocol", false},
		{"missing id", `{"hosts":[{"running":true}]}`, 0, "hosts[0].id", false},
		{"bad gateway kind", `{"gateways":[{"id":"x","kind":"Wormhole"}]}`, 0, "gateways[0].kind", false},
		{"bad prefix", `{"networks":[{"id":"n","cidrs":["10.0.0.0/99"]}]}`, 0, "", false},
		{"too large", `{"networks":[{"id":"n","cidrs":["10.0.0.0/16"]}]}`, 10, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeModel(strings.NewReader(tt.doc), tt.limit)
			if err == nil {
				t.Fatal("no error")
			}
			var me *ModelError
			var tl *ModelTooLargeError
			switch {
			case tt.tooLarge:
				if !errors.As(err, &tl) {
					t.Errorf("got %v", err)
				}
			case tt.where != "":
				if !errors.As(err, &me) || me.Where != tt.where {
					t.Errorf("got %v", err)
				}
			default:
				if errors.As(err, &me) || errors.As(err, &tl) {
					t.Errorf("got %v", err)
				}
			}
		})
	}
}

// FuzzDecodeModel decodes arbitrary documents; whatever is accepted must
// analyse without panicking.
func FuzzDecodeModel(f *testing.F) {
	for _, m := range []*Model{baseModel(), lbModel()} {
		data, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"portForwards":[{"id":"p","protocol":"ALL","external":{"from":1,"to":65535},"internalLo":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeModel(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		if _, err := Analyze(context.Background(), m, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}
