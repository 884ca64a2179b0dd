package exposure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxModelSize bounds a model document read by DecodeModel.
const DefaultMaxModelSize = 256 << 20

// ModelTooLargeError says a model document is over the size limit.
type ModelTooLargeError struct{ Limit int64 }

// Error implements error.
func (e *ModelTooLargeError) Error() string {
	return fmt.Sprintf("network model is over the limit of %d bytes", e.Limit)
}

// ModelError is an invalid value in a model document: Where names it
// ("interfaces[3].groups[0]").
type ModelError struct {
	Where string
	Why   string
}

// Error implements error.
func (e *ModelError) Error() string { return "network model: " + e.Where + ": " + e.Why }

// DecodeModel reads a model in its JSON form (the field names of the
// json tags on Model; addresses and prefixes as strings), rejects unknown
// fields, trailing data and documents over limit bytes (0 means
// DefaultMaxModelSize), and validates it with Validate.
func DecodeModel(r io.Reader, limit int64) (*Model, error) {
	if limit <= 0 {
		limit = DefaultMaxModelSize
	}
	lr := &io.LimitedReader{R: r, N: limit + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		if lr.N <= 0 {
			return nil, &ModelTooLargeError{Limit: limit}
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if lr.N <= 0 {
			return nil, &ModelTooLargeError{Limit: limit}
		}
		return nil, &ModelError{Where: "document", Why: "trailing data after the model"}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func validPorts(where string, r PortRange) error {
	if r.Lo < 0 || r.Hi > MaxPort || r.Lo > r.Hi {
		return &ModelError{Where: where, Why: fmt.Sprintf("port range %d-%d is not within 0-65535", r.Lo, r.Hi)}
	}
	return nil
}

func validProto(where string, p Protocol, all bool) error {
	switch p {
	case ProtoTCP, ProtoUDP:
		return nil
	case ProtoAll:
		if all {
			return nil
		}
	}
	return &ModelError{Where: where, Why: fmt.Sprintf("protocol %q: want TCP, UDP or ALL", p)}
}

// Validate checks what the analysis relies on: every component has an
// ID, port ranges are within 0-65535, protocols are TCP, UDP or ALL, and
// gateway kinds are known. Dangling references are not errors (Analyze
// reports them as warnings).
func (m *Model) Validate() error {
	ids := func(kind string, n int, id func(int) string) error {
		for i := range n {
			if id(i) == "" {
				return &ModelError{Where: fmt.Sprintf("%s[%d].id", kind, i), Why: "empty"}
			}
		}
		return nil
	}
	for _, c := range []error{
		ids("networks", len(m.Networks), func(i int) string { return m.Networks[i].ID }),
		ids("subnets", len(m.Subnets), func(i int) string { return m.Subnets[i].ID }),
		ids("routeTables", len(m.RouteTables), func(i int) string { return m.RouteTables[i].ID }),
		ids("gateways", len(m.Gateways), func(i int) string { return m.Gateways[i].ID }),
		ids("peerings", len(m.Peerings), func(i int) string { return m.Peerings[i].ID }),
		ids("acls", len(m.ACLs), func(i int) string { return m.ACLs[i].ID }),
		ids("groups", len(m.Groups), func(i int) string { return m.Groups[i].ID }),
		ids("prefixLists", len(m.PrefixLists), func(i int) string { return m.PrefixLists[i].ID }),
		ids("interfaces", len(m.Interfaces), func(i int) string { return m.Interfaces[i].ID }),
		ids("hosts", len(m.Hosts), func(i int) string { return m.Hosts[i].ID }),
		ids("loadBalancers", len(m.LoadBalancers), func(i int) string { return m.LoadBalancers[i].ID }),
		ids("targetGroups", len(m.TargetGroups), func(i int) string { return m.TargetGroups[i].ID }),
		ids("portForwards", len(m.PortForwards), func(i int) string { return m.PortForwards[i].ID }),
	} {
		if c != nil {
			return c
		}
	}
	for i, g := range m.Gateways {
		switch g.Kind {
		case KindInternetGateway, KindNATGateway, KindEgressOnly, KindVPNGateway:
		default:
			return &ModelError{Where: fmt.Sprintf("gateways[%d].kind", i), Why: fmt.Sprintf("%q: want InternetGateway, NatGateway, EgressOnlyInternetGateway or VpnGateway", g.Kind)}
		}
	}
	for i, a := range m.ACLs {
		for _, d := range []struct {
			name  string
			rules []ACLRule
		}{{"inbound", a.Inbound}, {"outbound", a.Outbound}} {
			for j, r := range d.rules {
				where := fmt.Sprintf("acls[%d].%s[%d]", i, d.name, j)
				if err := validProto(where+".protocol", r.Protocol, true); err != nil {
					return err
				}
				if err := validPorts(where+".ports", r.Ports); err != nil {
					return err
				}
				if !r.CIDR.IsValid() {
					return &ModelError{Where: where + ".cidr", Why: "missing"}
				}
			}
		}
	}
	for i, g := range m.Groups {
		for j, r := range g.Inbound {
			where := fmt.Sprintf("groups[%d].inbound[%d]", i, j)
			if err := validProto(where+".protocol", r.Protocol, true); err != nil {
				return err
			}
			if err := validPorts(where+".ports", r.Ports); err != nil {
				return err
			}
		}
	}
	for i, lb := range m.LoadBalancers {
		for j, l := range lb.Listeners {
			where := fmt.Sprintf("loadBalancers[%d].listeners[%d]", i, j)
			if err := validProto(where+".protocol", l.Protocol, true); err != nil {
				return err
			}
			if err := validPorts(where+".port", PortRange{l.Port, l.Port}); err != nil {
				return err
			}
		}
	}
	for i, tg := range m.TargetGroups {
		for j, t := range tg.Targets {
			if err := validPorts(fmt.Sprintf("targetGroups[%d].targets[%d].port", i, j), PortRange{t.Port, t.Port}); err != nil {
				return err
			}
		}
	}
	for i, pf := range m.PortForwards {
		where := fmt.Sprintf("portForwards[%d]", i)
		if err := validProto(where+".protocol", pf.Protocol, true); err != nil {
			return err
		}
		if err := validPorts(where+".external", pf.External); err != nil {
			return err
		}
		if err := validPorts(where+".internalLo", PortRange{pf.InternalLo, pf.InternalLo + pf.External.Len() - 1}); err != nil {
			return err
		}
	}
	return nil
}
