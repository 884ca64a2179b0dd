// Package exposure holds vigil's provider-neutral network model and the
// static reachability analysis that runs on it.
//
// A [Model] describes networks (VPCs) and subnets, route tables, gateways
// (internet, NAT, VPN, peering), load balancers with listeners and target
// groups, port forwards, stateful allow-list firewalls (security-group
// style, [Group]), stateless ordered rule lists (network-ACL style, [ACL]),
// interfaces and hosts. Importers (exposure/aws) build a Model from a
// provider's configuration; [Analyze] computes, for every running host, the
// TCP and UDP port ranges reachable from each source zone (an internet
// gateway, a peered network, a VPN gateway) with the components each path
// crosses, and turns them into model.Observation values of type
// NETWORK_REACHABILITY. No packet is ever sent.
//
// Port sets are interval sets ([PortSet]) and address spaces are split into
// "atoms" — address intervals on which every rule, route and source zone in
// play is uniform — so the analysis never loops over single ports or single
// addresses. See ANALYSIS.md in this directory for the exact semantics.
package exposure
