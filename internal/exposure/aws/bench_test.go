package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/exposure"
)

type obj = map[string]any

// largeFiles generates CLI outputs for 200 subnets, 500 security groups
// and 5,000 instances with one interface each.
func largeFiles(tb testing.TB) []File {
	var vpcs, subnets, rtbs, acls, sgs, enis, res []any
	for n := range 20 {
		vid := fmt.Sprintf("vpc-%04x", n)
		vpcs = append(vpcs, obj{"VpcId": vid, "CidrBlock": fmt.Sprintf("10.%d.0.0/16", n)})
		rtbs = append(rtbs, obj{"RouteTableId": "rtb-" + vid, "VpcId": vid, "Associations": []any{obj{"Main": true}},
			"Routes": []any{obj{"DestinationCidrBlock": fmt.Sprintf("10.%d.0.0/16", n), "GatewayId": "local", "State": "active"},
				obj{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-" + vid, "State": "active"}}})
		acls = append(acls, obj{"NetworkAclId": "acl-" + vid, "VpcId": vid, "IsDefault": true, "Entries": []any{
			obj{"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"},
			obj{"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": true, "CidrBlock": "0.0.0.0/0"}}})
	}
	for s := range 200 {
		subnets = append(subnets, obj{"SubnetId": fmt.Sprintf("subnet-%04x", s), "VpcId": fmt.Sprintf("vpc-%04x", s/10),
			"CidrBlock": fmt.Sprintf("10.%d.%d.0/24", s/10, s%10)})
	}
	for g := range 500 {
		var perms []any
		for k := range 6 {
			perms = append(perms, obj{"IpProtocol": "tcp", "FromPort": 1000 + k*100, "ToPort": 1000 + k*100 + g%50,
				"IpRanges": []any{obj{"CidrIp": fmt.Sprintf("%d.%d.0.0/16", 1+g%200, k)}}, "Ipv6Ranges": []any{},
				"PrefixListIds": []any{}, "UserIdGroupPairs": []any{obj{"GroupId": fmt.Sprintf("sg-%04x", (g+1)%500)}}})
		}
		sgs = append(sgs, obj{"GroupId": fmt.Sprintf("sg-%04x", g), "GroupName": "g", "VpcId": fmt.Sprintf("vpc-%04x", g%20), "IpPermissions": perms})
	}
	for i := range 5000 {
		s := i % 200
		e := obj{"NetworkInterfaceId": fmt.Sprintf("eni-%05x", i), "SubnetId": fmt.Sprintf("subnet-%04x", s), "Status": "in-use",
			"PrivateIpAddress": fmt.Sprintf("10.%d.%d.%d", s/10, s%10, 4+i%250),
			"Attachment":       obj{"InstanceId": fmt.Sprintf("i-%05x", i), "DeviceIndex": 0, "Status": "attached"},
			"Association":      obj{"PublicIp": fmt.Sprintf("54.%d.%d.1", i/256, i%256)},
			"Groups":           []any{obj{"GroupId": fmt.Sprintf("sg-%04x", i%500)}}}
		enis = append(enis, e)
		res = append(res, obj{"Instances": []any{obj{"InstanceId": fmt.Sprintf("i-%05x", i), "State": obj{"Name": "running"}, "NetworkInterfaces": []any{e}}}})
	}
	var igws []any
	for n := range 20 {
		igws = append(igws, obj{"InternetGatewayId": fmt.Sprintf("igw-vpc-%04x", n), "Attachments": []any{obj{"State": "available", "VpcId": fmt.Sprintf("vpc-%04x", n)}}})
	}
	docs := map[string]obj{
		"describe-vpcs.json": {"Vpcs": vpcs}, "describe-subnets.json": {"Subnets": subnets},
		"describe-route-tables.json": {"RouteTables": rtbs}, "describe-network-acls.json": {"NetworkAcls": acls},
		"describe-security-groups.json": {"SecurityGroups": sgs}, "describe-network-interfaces.json": {"NetworkInterfaces": enis},
		"describe-instances.json": {"Reservations": res}, "describe-internet-gateways.json": {"InternetGateways": igws},
	}
	var files []File
	for name, d := range docs {
		data, err := json.Marshal(d)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, File{name, data})
	}
	return files
}

// BenchmarkParseLarge imports 5,000 instances, 500 groups, 200 subnets.
func BenchmarkParseLarge(b *testing.B) {
	files := largeFiles(b)
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := Parse(files); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAnalyzeLarge is the end-to-end figure for `vigil network
// analyze` on 5,000 instances (files already in memory).
func BenchmarkParseAnalyzeLarge(b *testing.B) {
	files := largeFiles(b)
	for b.Loop() {
		imp, err := Parse(files)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := exposure.Analyze(context.Background(), imp.Model, exposure.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
