#!/usr/bin/env python3
"""Writes the AWS acceptance scenarios under testdata/<scenario>/.

Each scenario is a set of AWS CLI outputs (`aws ec2 describe-*`, `aws elbv2
describe-*`) in the exact shape the CLI prints (PascalCase keys, the usual
fields), plus README.md (the reasoning) and expected.json (the reachable
ranges and paths that reasoning gives). expected.json is written by hand
here, from the reasoning in README.md, never from vigil's output.

Run from this directory: python3 gen_scenarios.py
"""
import json
import os
import shutil

ACCOUNT = "111122223333"
REGION = "us-east-1"
AZ = ["us-east-1a", "us-east-1b"]

T = {
    "igw": "AWS::EC2::InternetGateway",
    "pcx": "AWS::EC2::VPCPeeringConnection",
    "rtb": "AWS::EC2::RouteTable",
    "acl": "AWS::EC2::NetworkAcl",
    "sg": "AWS::EC2::SecurityGroup",
    "eni": "AWS::EC2::NetworkInterface",
    "i": "AWS::EC2::Instance",
    "lb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "listener": "AWS::ElasticLoadBalancingV2::Listener",
    "tg": "AWS::ElasticLoadBalancingV2::TargetGroup",
}


def path(*ids):
    out = []
    for i in ids:
        kind = i.split("/")[0].split("-")[0]
        if i.startswith("arn:"):
            kind = {"loadbalancer": "lb", "listener": "listener", "targetgroup": "tg"}[i.split(":")[5].split("/")[0]]
        out.append(T[kind] + " " + i)
    return out


def vpc(vid, cidr, ipv6=None, default=False):
    v = {
        "CidrBlock": cidr,
        "DhcpOptionsId": "dopt-0a1b2c3d",
        "State": "available",
        "VpcId": vid,
        "OwnerId": ACCOUNT,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {"AssociationId": "vpc-cidr-assoc-" + vid[4:], "CidrBlock": cidr, "CidrBlockState": {"State": "associated"}}
        ],
        "IsDefault": default,
        "Tags": [{"Key": "Name", "Value": vid}],
    }
    if ipv6:
        v["Ipv6CidrBlockAssociationSet"] = [
            {
                "AssociationId": "vpc-cidr-assoc-6" + vid[5:],
                "Ipv6CidrBlock": ipv6,
                "Ipv6CidrBlockState": {"State": "associated"},
                "NetworkBorderGroup": REGION,
                "Ipv6Pool": "Amazon",
            }
        ]
    return v


def subnet(sid, vid, cidr, az=0, ipv6=None, public=False):
    s = {
        "AvailabilityZone": AZ[az],
        "AvailabilityZoneId": "use1-az" + str(az + 1),
        "AvailableIpAddressCount": 250,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": public,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vid,
        "OwnerId": ACCOUNT,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "SubnetArn": "arn:aws:ec2:%s:%s:subnet/%s" % (REGION, ACCOUNT, sid),
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }
    if ipv6:
        s["Ipv6CidrBlockAssociationSet"] = [
            {"AssociationId": "subnet-cidr-assoc-" + sid[7:], "Ipv6CidrBlock": ipv6, "Ipv6CidrBlockState": {"State": "associated"}}
        ]
    return s


def route(dest, **target):
    r = {"Origin": "CreateRoute", "State": "active"}
    if ":" in dest:
        r["DestinationIpv6CidrBlock"] = dest
    else:
        r["DestinationCidrBlock"] = dest
    r.update(target)
    return r


def local(cidr):
    r = route(cidr, GatewayId="local")
    r["Origin"] = "CreateRouteTable"
    return r


def rtb(rid, vid, routes, subnets=(), main=False):
    assoc = []
    if main:
        assoc.append(
            {"Main": True, "RouteTableAssociationId": "rtbassoc-m" + rid[5:], "RouteTableId": rid, "AssociationState": {"State": "associated"}}
        )
    for i, s in enumerate(subnets):
        assoc.append(
            {
                "Main": False,
                "RouteTableAssociationId": "rtbassoc-%d%s" % (i, rid[5:]),
                "RouteTableId": rid,
                "SubnetId": s,
                "AssociationState": {"State": "associated"},
            }
        )
    return {
        "Associations": assoc,
        "PropagatingVgws": [],
        "RouteTableId": rid,
        "Routes": routes,
        "Tags": [],
        "VpcId": vid,
        "OwnerId": ACCOUNT,
    }


def igw(gid, vid):
    return {
        "Attachments": [{"State": "available", "VpcId": vid}],
        "InternetGatewayId": gid,
        "OwnerId": ACCOUNT,
        "Tags": [],
    }


def nat(nid, vid, sid, eni, private, public):
    return {
        "CreateTime": "2026-01-10T09:00:00+00:00",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-0a1b2c3d", "NetworkInterfaceId": eni, "PrivateIp": private, "PublicIp": public, "IsPrimary": True, "Status": "succeeded"}
        ],
        "NatGatewayId": nid,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vid,
        "Tags": [],
        "ConnectivityType": "public",
    }


def entry(num, action, egress, proto="-1", cidr="0.0.0.0/0", ports=None):
    e = {"Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": num}
    if ":" in cidr:
        e["Ipv6CidrBlock"] = cidr
    else:
        e["CidrBlock"] = cidr
    if ports is not None:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


def default_entries(ipv6=False):
    es = [
        entry(100, "allow", True),
        entry(32767, "deny", True),
        entry(100, "allow", False),
        entry(32767, "deny", False),
    ]
    if ipv6:
        es += [
            entry(101, "allow", True, cidr="::/0"),
            entry(32768, "deny", True, cidr="::/0"),
            entry(101, "allow", False, cidr="::/0"),
            entry(32768, "deny", False, cidr="::/0"),
        ]
    return es


def nacl(aid, vid, subnets, entries=None, default=False, ipv6=False):
    return {
        "Associations": [
            {"NetworkAclAssociationId": "aclassoc-%d%s" % (i, aid[5:]), "NetworkAclId": aid, "SubnetId": s}
            for i, s in enumerate(subnets)
        ],
        "Entries": entries if entries is not None else default_entries(ipv6),
        "IsDefault": default,
        "NetworkAclId": aid,
        "Tags": [],
        "VpcId": vid,
        "OwnerId": ACCOUNT,
    }


def perm(proto, ports=None, cidrs=(), v6=(), groups=(), pls=()):
    p = {
        "IpProtocol": proto,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in v6],
        "PrefixListIds": [{"PrefixListId": x} for x in pls],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": ACCOUNT} for g in groups],
    }
    if ports is not None:
        p["FromPort"], p["ToPort"] = ports
    return p


def sg(gid, name, vid, perms):
    return {
        "Description": name + " group",
        "GroupName": name,
        "IpPermissions": perms,
        "OwnerId": ACCOUNT,
        "GroupId": gid,
        "IpPermissionsEgress": [perm("-1", cidrs=["0.0.0.0/0"])],
        "VpcId": vid,
    }


def eni(nid, sid, vid, private, groups, instance=None, device=0, public=None, ipv6=(), desc="", itype="interface", status="in-use"):
    e = {
        "AvailabilityZone": AZ[0],
        "Description": desc,
        "Groups": [{"GroupName": g, "GroupId": g} for g in groups],
        "InterfaceType": itype,
        "Ipv6Addresses": [{"Ipv6Address": a, "IsPrimaryIpv6": False} for a in ipv6],
        "MacAddress": "02:00:00:00:00:01",
        "NetworkInterfaceId": nid,
        "OwnerId": ACCOUNT,
        "PrivateDnsName": "ip-%s.ec2.internal" % private.replace(".", "-"),
        "PrivateIpAddress": private,
        "PrivateIpAddresses": [
            {"Primary": True, "PrivateDnsName": "ip-%s.ec2.internal" % private.replace(".", "-"), "PrivateIpAddress": private}
        ],
        "RequesterManaged": itype != "interface",
        "SourceDestCheck": True,
        "Status": status,
        "SubnetId": sid,
        "TagSet": [],
        "VpcId": vid,
    }
    if instance:
        e["Attachment"] = {
            "AttachTime": "2026-01-10T09:00:00+00:00",
            "AttachmentId": "eni-attach-" + nid[4:],
            "DeleteOnTermination": device == 0,
            "DeviceIndex": device,
            "NetworkCardIndex": 0,
            "InstanceId": instance,
            "InstanceOwnerId": ACCOUNT,
            "Status": "attached",
        }
    elif itype != "interface":
        e["Attachment"] = {
            "AttachmentId": "ela-attach-" + nid[4:],
            "DeleteOnTermination": False,
            "DeviceIndex": 1,
            "NetworkCardIndex": 0,
            "InstanceOwnerId": "amazon-aws",
            "Status": "attached",
        }
    if public:
        assoc = {"IpOwnerId": "amazon", "PublicDnsName": "ec2-%s.compute-1.amazonaws.com" % public.replace(".", "-"), "PublicIp": public}
        e["Association"] = assoc
        e["PrivateIpAddresses"][0]["Association"] = assoc
    return e


def instance(iid, name, state, enis):
    """enis: network interfaces as from eni(); the instance embeds them the way describe-instances does."""
    prim = enis[0]
    codes = {"running": 16, "stopped": 80, "pending": 0, "stopping": 64, "terminated": 48}
    inst = {
        "AmiLaunchIndex": 0,
        "ImageId": "ami-0abcdef1234567890",
        "InstanceId": iid,
        "InstanceType": "t3.micro",
        "KeyName": "ops",
        "LaunchTime": "2026-01-10T09:00:00+00:00",
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": AZ[0], "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": prim["PrivateDnsName"],
        "PrivateIpAddress": prim["PrivateIpAddress"],
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": codes[state], "Name": state},
        "StateTransitionReason": "" if state == "running" else "User initiated (2026-02-01 10:00:00 GMT)",
        "SubnetId": prim["SubnetId"],
        "VpcId": prim["VpcId"],
        "Architecture": "x86_64",
        "BlockDeviceMappings": [],
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": g["GroupName"], "GroupId": g["GroupId"]} for g in prim["Groups"]],
        "SourceDestCheck": True,
        "Tags": [{"Key": "Name", "Value": name}],
        "VirtualizationType": "hvm",
        "PlatformDetails": "Linux/UNIX",
    }
    if "Association" in prim and state == "running":
        inst["PublicIpAddress"] = prim["Association"]["PublicIp"]
    for e in enis:
        ie = {
            "Attachment": {
                "AttachTime": "2026-01-10T09:00:00+00:00",
                "AttachmentId": e["Attachment"]["AttachmentId"],
                "DeleteOnTermination": e["Attachment"]["DeleteOnTermination"],
                "DeviceIndex": e["Attachment"]["DeviceIndex"],
                "Status": "attached",
                "NetworkCardIndex": 0,
            },
            "Description": e["Description"],
            "Groups": e["Groups"],
            "Ipv6Addresses": [{"Ipv6Address": a["Ipv6Address"]} for a in e["Ipv6Addresses"]],
            "MacAddress": e["MacAddress"],
            "NetworkInterfaceId": e["NetworkInterfaceId"],
            "OwnerId": ACCOUNT,
            "PrivateDnsName": e["PrivateDnsName"],
            "PrivateIpAddress": e["PrivateIpAddress"],
            "PrivateIpAddresses": e["PrivateIpAddresses"],
            "SourceDestCheck": True,
            "Status": "in-use",
            "SubnetId": e["SubnetId"],
            "VpcId": e["VpcId"],
            "InterfaceType": "interface",
        }
        if "Association" in e:
            ie["Association"] = e["Association"]
        inst["NetworkInterfaces"].append(ie)
    return inst


def reservations(*insts):
    return {
        "Reservations": [
            {"Groups": [], "Instances": [i], "OwnerId": ACCOUNT, "ReservationId": "r-" + i["InstanceId"][2:]} for i in insts
        ]
    }


def lb_arn(name, kind="app"):
    return "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/50dc6c495c0c9188" % (REGION, ACCOUNT, kind, name)


def tg_arn(name):
    return "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/73e2d6bc24d8a067" % (REGION, ACCOUNT, name)


def listener_arn(lb, port):
    return lb.replace(":loadbalancer/", ":listener/") + "/f2f7dc8efc52%04d" % port


def load_balancer(name, vid, subnets, groups, scheme="internet-facing", kind="application", ipt="ipv4"):
    return {
        "LoadBalancerArn": lb_arn(name, "app" if kind == "application" else "net"),
        "DNSName": "%s-1234567890.%s.elb.amazonaws.com" % (name, REGION),
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
        "CreatedTime": "2026-01-10T09:00:00.000Z",
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": vid,
        "State": {"Code": "active"},
        "Type": kind,
        "AvailabilityZones": [{"ZoneName": AZ[i % 2], "SubnetId": s, "LoadBalancerAddresses": []} for i, s in enumerate(subnets)],
        "SecurityGroups": groups,
        "IpAddressType": ipt,
    }


def listener(lb, port, proto, tg):
    return {
        "ListenerArn": listener_arn(lb, port),
        "LoadBalancerArn": lb,
        "Port": port,
        "Protocol": proto,
        "DefaultActions": [
            {"Type": "forward", "TargetGroupArn": tg, "Order": 1,
             "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}], "TargetGroupStickinessConfig": {"Enabled": False}}}
        ],
    }


def target_group(name, vid, port, proto="HTTP", ttype="instance", lbs=()):
    return {
        "TargetGroupArn": tg_arn(name),
        "TargetGroupName": name,
        "Protocol": proto,
        "Port": port,
        "VpcId": vid,
        "HealthCheckProtocol": proto,
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": list(lbs),
        "TargetType": ttype,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def health(tid, port, state):
    d = {"Target": {"Id": tid, "Port": port}, "HealthCheckPort": str(port), "TargetHealth": {"State": state}}
    if state == "draining":
        d["TargetHealth"].update({"Reason": "Target.DeregistrationInProgress", "Description": "Target deregistration is in progress"})
    return d


def finding(resource, iface, proto, ports, frm, steps, severity):
    return {"resource": resource, "interface": iface, "protocol": proto, "ports": ports, "from": frm, "severity": severity, "path": steps}


def write(name, readme, files, expected):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    base = {
        "describe-internet-gateways": {"InternetGateways": []},
        "describe-nat-gateways": {"NatGateways": []},
        "describe-vpc-peering-connections": {"VpcPeeringConnections": []},
    }
    base.update(files)
    for cmd, doc in sorted(base.items()):
        with open(os.path.join(d, cmd + ".json"), "w") as f:
            json.dump(doc, f, indent=4)
            f.write("\n")
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(readme.strip() + "\n")
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, ensure_ascii=False)
        f.write("\n")


SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


VPC, VPC2 = "vpc-0a000001", "vpc-0a000002"
SN1, SN2, SN3 = "subnet-0b000001", "subnet-0b000002", "subnet-0b000003"
RTM, RT1, RT2 = "rtb-0c000000", "rtb-0c000001", "rtb-0c000002"
IGW = "igw-0d000001"
NAT = "nat-0e000001"
ACL1, ACL2, ACL3 = "acl-0f000001", "acl-0f000002", "acl-0f000003"
SG1, SG2 = "sg-01000001", "sg-01000002"
ENI1, ENI2, ENI3 = "eni-02000001", "eni-02000002", "eni-02000003"
I1, I2, I3 = "i-03000001", "i-03000002", "i-03000003"
PCX = "pcx-04000001"


def public_base(subnets=((SN1, "10.0.1.0/24"),), acl_subnets=None):
    """A VPC with an internet gateway, a main route table with only the local
    route, and RT1 (0.0.0.0/0 -> IGW) associated with the given subnets."""
    ids = [s for s, _ in subnets]
    return {
        "describe-vpcs": {"Vpcs": [vpc(VPC, "10.0.0.0/16")]},
        "describe-subnets": {"Subnets": [subnet(s, VPC, c, public=True) for s, c in subnets]},
        "describe-internet-gateways": {"InternetGateways": [igw(IGW, VPC)]},
        "describe-route-tables": {"RouteTables": [
            rtb(RTM, VPC, [local("10.0.0.0/16")], main=True),
            rtb(RT1, VPC, [local("10.0.0.0/16"), route("0.0.0.0/0", GatewayId=IGW)], ids),
        ]},
        "describe-network-acls": {"NetworkAcls": [nacl(ACL1, VPC, ids if acl_subnets is None else acl_subnets, default=True)]},
    }


def direct(i, e, proto, ports, sev, rt=RT1, acl=ACL1, sgid=SG1, frm=IGW):
    return finding(i, e, proto, ports, frm, path(frm, rt, acl, sgid, e, i), sev)


@scenario
def s01():
    f = public_base()
    web = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "web", VPC, [
        perm("tcp", (22, 22), cidrs=["0.0.0.0/0"]),
        perm("tcp", (443, 443), cidrs=["0.0.0.0/0"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [web]}
    f["describe-instances"] = reservations(instance(I1, "web", "running", [web]))
    write("01-public-subnet-open-sg", """
# 01 public subnet + open security group

One VPC (10.0.0.0/16) with an internet gateway igw-0d000001. Subnet subnet-0b000001 (10.0.1.0/24)
is associated with rtb-0c000001, whose 0.0.0.0/0 route goes to the internet gateway; its network
ACL is the default acl-0f000001 (rule 100 allows all traffic both ways). Instance i-03000001 is
running with one interface eni-02000001 (10.0.1.10, public 203.0.113.10) in security group
sg-01000001, which allows TCP 22 and TCP 443 from 0.0.0.0/0.

Reasoning: a client anywhere on the internet reaches 203.0.113.10; the IGW translates to
10.0.1.10; the ACL allows it in and the reply out (rule 100 both directions); the return route for
any public address is 0.0.0.0/0 -> igw; the group allows 22 and 443 from any address.

Expected: TCP 22 (HIGH: SSH is a remote-administration port) and TCP 443 (MEDIUM), each on the path
InternetGateway -> RouteTable rtb-0c000001 -> NetworkAcl acl-0f000001 -> SecurityGroup sg-01000001
-> NetworkInterface eni-02000001 -> Instance i-03000001. No UDP: no group rule allows UDP.
""", f, [direct(I1, ENI1, "TCP", "22", "HIGH"), direct(I1, ENI1, "TCP", "443", "MEDIUM")])


@scenario
def s02():
    f = public_base()
    f["describe-subnets"]["Subnets"].append(subnet(SN2, VPC, "10.0.2.0/24"))
    f["describe-network-acls"]["NetworkAcls"][0]["Associations"].append(
        {"NetworkAclAssociationId": "aclassoc-2", "NetworkAclId": ACL1, "SubnetId": SN2})
    pub = eni(ENI1, SN1, VPC, "10.0.1.10", [SG2], instance=I1, public="203.0.113.10")
    priv = eni(ENI2, SN2, VPC, "10.0.2.10", [SG1], instance=I2, public="203.0.113.20")
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "open-all", VPC, [perm("-1", cidrs=["0.0.0.0/0"])]),
        sg(SG2, "ssh", VPC, [perm("tcp", (22, 22), cidrs=["0.0.0.0/0"])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [pub, priv]}
    f["describe-instances"] = reservations(instance(I1, "bastion", "running", [pub]), instance(I2, "worker", "running", [priv]))
    write("02-private-subnet", """
# 02 private subnet (no route to the internet gateway)

Same VPC and internet gateway as scenario 01. subnet-0b000002 (10.0.2.0/24) has no explicit route
table association, so it uses the main table rtb-0c000000, which holds only the local route
10.0.0.0/16. Instance i-03000002 (eni-02000002, 10.0.2.10) even has an Elastic IP 203.0.113.20
and a group open to all traffic from 0.0.0.0/0 (sg-01000001). For contrast, i-03000001 sits in the
public subnet subnet-0b000001 with group sg-01000002 (TCP 22 from 0.0.0.0/0).

Reasoning: for i-03000002, a reply to any internet address looks up the main table: no route
covers a public address (only 10.0.0.0/16 local), so the connection cannot complete and the
subnet is private whatever its groups say. i-03000001 is reachable as in scenario 01.

Expected: only i-03000001 TCP 22 (HIGH) on InternetGateway -> rtb-0c000001 -> acl-0f000001 ->
sg-01000002 -> eni-02000001 -> i-03000001. Nothing for i-03000002.
""", f, [direct(I1, ENI1, "TCP", "22", "HIGH", sgid=SG2)])


@scenario
def s03():
    f = public_base()
    f["describe-subnets"]["Subnets"].append(subnet(SN2, VPC, "10.0.2.0/24"))
    f["describe-network-acls"]["NetworkAcls"][0]["Associations"].append(
        {"NetworkAclAssociationId": "aclassoc-2", "NetworkAclId": ACL1, "SubnetId": SN2})
    f["describe-route-tables"]["RouteTables"].append(
        rtb(RT2, VPC, [local("10.0.0.0/16"), route("0.0.0.0/0", NatGatewayId=NAT)], [SN2]))
    f["describe-nat-gateways"] = {"NatGateways": [nat(NAT, VPC, SN1, "eni-02000009", "10.0.1.5", "198.51.100.5")]}
    natif = eni("eni-02000009", SN1, VPC, "10.0.1.5", [], public="198.51.100.5",
                desc="Interface for NAT Gateway " + NAT, itype="nat_gateway")
    app = eni(ENI1, SN2, VPC, "10.0.2.10", [SG1], instance=I1, public="203.0.113.20")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "open-all", VPC, [perm("-1", cidrs=["0.0.0.0/0"])])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [natif, app]}
    f["describe-instances"] = reservations(instance(I1, "app", "running", [app]))
    write("03-nat-only", """
# 03 NAT only (not reachable inbound)

subnet-0b000002 (10.0.2.0/24) routes 0.0.0.0/0 to the NAT gateway nat-0e000001 (rtb-0c000002); the
NAT gateway lives in the public subnet subnet-0b000001 with its own interface eni-02000009
(198.51.100.5), which belongs to no instance. Instance i-03000001 (eni-02000001, 10.0.2.10) is in
the NAT subnet with an Elastic IP 203.0.113.20 and a group allowing all traffic from 0.0.0.0/0.

Reasoning: a NAT gateway only translates connections that start inside; it never forwards an
inbound connection, so it is not a source zone. Traffic that arrives through the internet
gateway for 203.0.113.20 cannot be answered: the reply to a public address follows 0.0.0.0/0 to
the NAT gateway, not to the internet gateway, and the connection fails (asymmetric path). The
NAT gateway's interface has no instance behind it, so it yields no finding either.

Expected: no finding.
""", f, [])


@scenario
def s04():
    f = public_base(acl_subnets=[])
    f["describe-network-acls"]["NetworkAcls"].append(nacl(ACL2, VPC, [SN1], entries=[
        entry(100, "deny", False, "6", "0.0.0.0/0", (22, 22)),
        entry(110, "allow", False, "6", "203.0.113.0/24", (22, 22)),
        entry(120, "allow", False, "6", "0.0.0.0/0", (0, 65535)),
        entry(32767, "deny", False),
        entry(100, "allow", True),
        entry(32767, "deny", True),
    ]))
    web = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "web", VPC, [
        perm("tcp", (22, 22), cidrs=["0.0.0.0/0"]),
        perm("tcp", (80, 80), cidrs=["0.0.0.0/0"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [web]}
    f["describe-instances"] = reservations(instance(I1, "web", "running", [web]))
    write("04-nacl-deny-before-allow", """
# 04 network ACL: deny before allow

subnet-0b000001 is public (rtb-0c000001 -> igw-0d000001) and associated with the custom ACL
acl-0f000002 (the default ACL acl-0f000001 is associated with nothing). Inbound entries, in
RuleNumber order: 100 deny TCP 22 from 0.0.0.0/0; 110 allow TCP 22 from 203.0.113.0/24; 120 allow
TCP 0-65535 from 0.0.0.0/0; * deny. Outbound: 100 allow all. Group sg-01000001 allows TCP 22 and
TCP 80 from 0.0.0.0/0; instance i-03000001 (eni-02000001, public 203.0.113.10) is running.

Reasoning: ACL entries are evaluated lowest number first and the first match decides. Every
source address that sends TCP 22 matches entry 100 (deny) before entry 110 or 120 is looked at,
including 203.0.113.0/24: port 22 is blocked. TCP 80 does not match 100 or 110 and is allowed by
120; replies are allowed by outbound 100. The group allows 80.

Expected: TCP 80 (MEDIUM) on InternetGateway -> rtb-0c000001 -> acl-0f000002 -> sg-01000001 ->
eni-02000001 -> i-03000001; remediation names acl-0f000002 entry 120 and the group rule. No TCP 22.
""", f, [direct(I1, ENI1, "TCP", "80", "MEDIUM", acl=ACL2)])


@scenario
def s05():
    f = public_base(subnets=((SN1, "10.0.1.0/24"), (SN2, "10.0.2.0/24")), acl_subnets=[])
    inbound = [
        entry(100, "allow", False, "6", "0.0.0.0/0", (22, 22)),
        entry(110, "allow", False, "6", "0.0.0.0/0", (443, 443)),
        entry(32767, "deny", False),
    ]
    f["describe-network-acls"]["NetworkAcls"] += [
        nacl(ACL2, VPC, [SN1], entries=inbound + [
            entry(100, "allow", True, "6", "0.0.0.0/0", (80, 80)),
            entry(110, "allow", True, "6", "0.0.0.0/0", (443, 443)),
            entry(32767, "deny", True),
        ]),
        nacl(ACL3, VPC, [SN2], entries=inbound + [
            entry(100, "allow", True, "6", "0.0.0.0/0", (32768, 60999)),
            entry(32767, "deny", True),
        ]),
    ]
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    b = eni(ENI2, SN2, VPC, "10.0.2.10", [SG1], instance=I2, public="203.0.113.20")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "https", VPC, [perm("tcp", (443, 443), cidrs=["0.0.0.0/0"])])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a, b]}
    f["describe-instances"] = reservations(instance(I1, "web-a", "running", [a]), instance(I2, "web-b", "running", [b]))
    write("05-nacl-missing-ephemeral", """
# 05 network ACL missing the ephemeral return range

Two public subnets (both on rtb-0c000001 -> igw-0d000001), each with one running instance whose
group sg-01000001 allows TCP 443 from 0.0.0.0/0.
- subnet-0b000001 / acl-0f000002: inbound allows TCP 22 and 443; outbound allows only TCP 80 and
  TCP 443 to 0.0.0.0/0. Instance i-03000001 (eni-02000001, 203.0.113.10).
- subnet-0b000002 / acl-0f000003: same inbound; outbound allows TCP 32768-60999 (the Linux
  ephemeral range). Instance i-03000002 (eni-02000002, 203.0.113.20).

Reasoning: ACLs are stateless, so the reply to a client's connection (source port 443,
destination the client's ephemeral port, 1024-65535) must be allowed by an outbound entry.
acl-0f000002 allows nothing in 1024-65535 outbound: the request gets in but no reply gets out, so
i-03000001 is not reachable. acl-0f000003 allows part of the ephemeral range: clients whose
ephemeral port falls in 32768-60999 (Linux and most others) get replies, so vigil counts it as
reachable (the rule is: at least one port of 1024-65535 allowed back to the client).

Expected: i-03000002 TCP 443 (MEDIUM) on InternetGateway -> rtb-0c000001 -> acl-0f000003 ->
sg-01000001 -> eni-02000002 -> i-03000002. Nothing for i-03000001.
""", f, [direct(I2, ENI2, "TCP", "443", "MEDIUM", acl=ACL3)])


@scenario
def s06():
    f = public_base()
    web = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    db = eni(ENI2, SN1, VPC, "10.0.1.20", [SG2], instance=I2, public="203.0.113.20")
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "web", VPC, [perm("tcp", (443, 443), cidrs=["0.0.0.0/0"])]),
        sg(SG2, "db", VPC, [perm("tcp", (5432, 5432), groups=[SG1]), perm("tcp", (22, 22), groups=[SG1])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [web, db]}
    f["describe-instances"] = reservations(instance(I1, "web", "running", [web]), instance(I2, "db", "running", [db]))
    write("06-sg-references-group", """
# 06 security group referencing another group

Public subnet subnet-0b000001 (rtb-0c000001 -> igw-0d000001, default ACL allowing all). Two running
instances with public addresses:
- i-03000001 (eni-02000001, 10.0.1.10 / 203.0.113.10) in sg-01000001 "web": TCP 443 from 0.0.0.0/0;
- i-03000002 (eni-02000002, 10.0.1.20 / 203.0.113.20) in sg-01000002 "db": TCP 5432 and TCP 22
  from the group sg-01000001.

Reasoning: a rule that references a group allows traffic whose source is the private address of
an interface in that group (here 10.0.1.10). Traffic from the internet gateway carries the
client's public address, which is never a member's private address, so the db rules admit
nothing from the internet even though the db instance has a public IP and a public route.

Expected: i-03000001 TCP 443 (MEDIUM) on InternetGateway -> rtb-0c000001 -> acl-0f000001 ->
sg-01000001 -> eni-02000001 -> i-03000001. Nothing for i-03000002.
""", f, [direct(I1, ENI1, "TCP", "443", "MEDIUM")])


@scenario
def s07():
    f = public_base(acl_subnets=[])
    f["describe-network-acls"]["NetworkAcls"].append(nacl(ACL2, VPC, [SN1], entries=[
        entry(90, "deny", False, "6", "0.0.0.0/0", (8085, 8085)),
        entry(100, "allow", False),
        entry(32767, "deny", False),
        entry(100, "allow", True),
        entry(32767, "deny", True),
    ]))
    app = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "app", VPC, [
        perm("tcp", (8000, 8080), cidrs=["0.0.0.0/0"]),
        perm("tcp", (8081, 8090), cidrs=["0.0.0.0/0"]),
        perm("udp", (60000, 61000), cidrs=["0.0.0.0/0"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [app]}
    f["describe-instances"] = reservations(instance(I1, "app", "running", [app]))
    write("07-port-range", """
# 07 port ranges

Public subnet subnet-0b000001 (rtb-0c000001 -> igw-0d000001) with ACL acl-0f000002: inbound 90 deny
TCP 8085, 100 allow all, * deny; outbound 100 allow all. Group sg-01000001 allows TCP 8000-8080,
TCP 8081-8090 and UDP 60000-61000 from 0.0.0.0/0. Instance i-03000001 (eni-02000001,
203.0.113.10) is running.

Reasoning (interval arithmetic): the group's TCP set is 8000-8080 ∪ 8081-8090 = 8000-8090 (adjacent
ranges merge). The ACL allows TCP 0-65535 minus 8085 (entry 90 matches first for 8085). The
intersection is 8000-8084 and 8086-8090: two maximal ranges, two findings. UDP: the ACL allows all
UDP, so 60000-61000 stays whole. None of the ranges holds a sensitive port and each is narrower
than 1024 ports, so all are MEDIUM.

Expected: TCP 8000-8084, TCP 8086-8090, UDP 60000-61000, each on InternetGateway -> rtb-0c000001 ->
acl-0f000002 -> sg-01000001 -> eni-02000001 -> i-03000001.
""", f, [direct(I1, ENI1, "TCP", "8000-8084", "MEDIUM", acl=ACL2), direct(I1, ENI1, "TCP", "8086-8090", "MEDIUM", acl=ACL2),
         direct(I1, ENI1, "UDP", "60000-61000", "MEDIUM", acl=ACL2)])


@scenario
def s08():
    f = public_base(subnets=((SN1, "10.0.1.0/24"), (SN3, "10.0.3.0/24")))
    f["describe-subnets"]["Subnets"].append(subnet(SN2, VPC, "10.0.2.0/24"))
    f["describe-network-acls"]["NetworkAcls"][0]["Associations"].append(
        {"NetworkAclAssociationId": "aclassoc-2", "NetworkAclId": ACL1, "SubnetId": SN2})
    f["describe-route-tables"]["RouteTables"].append(
        rtb(RT2, VPC, [local("10.0.0.0/16"), route("0.0.0.0/0", NatGatewayId=NAT)], [SN2]))
    f["describe-nat-gateways"] = {"NatGateways": [nat(NAT, VPC, SN1, "eni-02000009", "10.0.1.5", "198.51.100.5")]}
    lb = lb_arn("web-alb")
    tg = tg_arn("web-tg")
    alb1 = eni("eni-02000011", SN1, VPC, "10.0.1.100", [SG1], public="198.51.100.11",
               desc="ELB app/web-alb/50dc6c495c0c9188", itype="interface")
    alb3 = eni("eni-02000013", SN3, VPC, "10.0.3.100", [SG1], public="198.51.100.13",
               desc="ELB app/web-alb/50dc6c495c0c9188", itype="interface")
    natif = eni("eni-02000009", SN1, VPC, "10.0.1.5", [], public="198.51.100.5",
                desc="Interface for NAT Gateway " + NAT, itype="nat_gateway")
    a = eni(ENI1, SN2, VPC, "10.0.2.10", [SG2], instance=I1)
    b = eni(ENI2, SN2, VPC, "10.0.2.20", [SG2], instance=I2)
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "alb", VPC, [perm("tcp", (80, 80), cidrs=["0.0.0.0/0"]), perm("tcp", (443, 443), cidrs=["0.0.0.0/0"])]),
        sg(SG2, "app", VPC, [perm("tcp", (8080, 8080), groups=[SG1])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [natif, alb1, alb3, a, b]}
    f["describe-instances"] = reservations(instance(I1, "app-1", "running", [a]), instance(I2, "app-2", "running", [b]))
    f["describe-load-balancers"] = {"LoadBalancers": [load_balancer("web-alb", VPC, [SN1, SN3], [SG1])]}
    f["describe-listeners"] = {"Listeners": [listener(lb, 80, "HTTP", tg), listener(lb, 443, "HTTPS", tg)]}
    f["describe-target-groups"] = {"TargetGroups": [target_group("web-tg", VPC, 8080, lbs=[lb])]}
    f["describe-target-health-web-tg"] = {"TargetHealthDescriptions": [health(I1, 8080, "healthy"), health(I2, 8080, "draining")]}
    l80, l443 = listener_arn(lb, 80), listener_arn(lb, 443)
    write("08-alb-listener-to-target-port", """
# 08 ALB listener forwarding to a target port

An internet-facing application load balancer web-alb sits in the public subnets subnet-0b000001 and
subnet-0b000003 (rtb-0c000001 -> igw-0d000001) with group sg-01000001 (TCP 80 and 443 from
0.0.0.0/0). Listeners HTTP:80 and HTTPS:443 both forward to target group web-tg (HTTP, port 8080,
instance targets). describe-target-health-web-tg.json: i-03000001:8080 healthy, i-03000002:8080
draining. Both instances are in the private subnet subnet-0b000002 (0.0.0.0/0 -> NAT gateway, no
public addresses) with group sg-01000002 allowing TCP 8080 from the group sg-01000001. All
subnets use the default ACL (allow all).

Reasoning: clients reach the listener ports on the load balancer (its subnets route back to the
IGW, its group allows 80 and 443). The load balancer opens a new connection from its own
interfaces (members of sg-01000001) to the target's port 8080, which sg-01000002 allows by group
reference. So port 8080 of i-03000001 is reachable from the internet through each listener: two
paths, two findings. A draining target receives no new connections, so i-03000002 gets none;
neither instance is reachable directly (no public address; replies would go to the NAT gateway).
The load balancer's and NAT gateway's own interfaces have no instance and give no finding.

Expected: i-03000001 TCP 8080 (MEDIUM, published through a load balancer), paths
InternetGateway -> LoadBalancer web-alb -> Listener (80, resp. 443) -> TargetGroup web-tg ->
SecurityGroup sg-01000002 -> NetworkInterface eni-02000001 -> Instance i-03000001.
""", f, [
        finding(I1, ENI1, "TCP", "8080", IGW, path(IGW, lb, l443, tg, SG2, ENI1, I1), "MEDIUM"),
        finding(I1, ENI1, "TCP", "8080", IGW, path(IGW, lb, l80, tg, SG2, ENI1, I1), "MEDIUM"),
    ])


@scenario
def s09():
    f = {
        "describe-vpcs": {"Vpcs": [vpc(VPC, "10.0.0.0/16"), vpc(VPC2, "10.1.0.0/16")]},
        "describe-subnets": {"Subnets": [subnet(SN1, VPC, "10.0.1.0/24"), subnet(SN3, VPC, "10.0.2.0/24"), subnet(SN2, VPC2, "10.1.5.0/24")]},
        "describe-route-tables": {"RouteTables": [
            rtb(RTM, VPC, [local("10.0.0.0/16")], main=True),
            rtb(RT1, VPC, [local("10.0.0.0/16"), route("10.1.0.0/16", VpcPeeringConnectionId=PCX)], [SN1, SN3]),
            rtb(RT2, VPC2, [local("10.1.0.0/16"), route("10.0.1.0/24", VpcPeeringConnectionId=PCX)], [SN2], main=True),
        ]},
        "describe-network-acls": {"NetworkAcls": [nacl(ACL1, VPC, [SN1, SN3], default=True), nacl(ACL2, VPC2, [SN2], default=True)]},
        "describe-vpc-peering-connections": {"VpcPeeringConnections": [{
            "AccepterVpcInfo": {"CidrBlock": "10.0.0.0/16", "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}], "OwnerId": ACCOUNT,
                                "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": False}, "VpcId": VPC, "Region": REGION},
            "RequesterVpcInfo": {"CidrBlock": "10.1.0.0/16", "CidrBlockSet": [{"CidrBlock": "10.1.0.0/16"}], "OwnerId": ACCOUNT,
                                 "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": False}, "VpcId": VPC2, "Region": REGION},
            "Status": {"Code": "active", "Message": "Active"},
            "Tags": [],
            "VpcPeeringConnectionId": PCX,
        }]},
    }
    db = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1)
    other = eni(ENI3, SN3, VPC, "10.0.2.10", [SG1], instance=I3)
    ops = eni(ENI2, SN2, VPC2, "10.1.5.10", [SG2], instance=I2)
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "db", VPC, [
            perm("tcp", (5432, 5432), cidrs=["10.1.0.0/16"]),
            perm("tcp", (22, 22), cidrs=["10.1.5.0/24"]),
            perm("tcp", (6379, 6379), cidrs=["192.168.0.0/16"]),
        ]),
        sg(SG2, "bastion", VPC2, [perm("tcp", (22, 22), cidrs=["0.0.0.0/0"])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [db, other, ops]}
    f["describe-instances"] = reservations(instance(I1, "db", "running", [db]), instance(I3, "db-2", "running", [other]),
                                           instance(I2, "ops", "running", [ops]))
    write("09-peering", """
# 09 reachability from a peered VPC

Two VPCs and no internet gateway: vpc-0a000001 (10.0.0.0/16) and vpc-0a000002 (10.1.0.0/16), joined
by the active peering pcx-04000001 (requester vpc-0a000002, accepter vpc-0a000001). Default ACLs
allow all.
- vpc-0a000001: subnets subnet-0b000001 (10.0.1.0/24) and subnet-0b000003 (10.0.2.0/24), both on
  rtb-0c000001 (10.1.0.0/16 -> pcx). Group sg-01000001: TCP 5432 from 10.1.0.0/16, TCP 22 from
  10.1.5.0/24, TCP 6379 from 192.168.0.0/16. Instances i-03000001 (10.0.1.10) and i-03000003
  (10.0.2.10) in that group.
- vpc-0a000002: subnet-0b000002 (10.1.5.0/24) on rtb-0c000002, which routes only 10.0.1.0/24 to
  the peering. Instance i-03000002 (10.1.5.10) in sg-01000002: TCP 22 from 0.0.0.0/0.

Reasoning: the peered zone of vpc-0a000001 is 10.1.0.0/16. For i-03000001, the peer routes
10.0.1.0/24 (which holds 10.0.1.10) to the peering, and rtb-0c000001 routes replies to 10.1.0.0/16
back over it; 5432 (from 10.1.0.0/16) and 22 (from 10.1.5.0/24, inside the peer) are reachable,
6379 is not (192.168.0.0/16 is not the peer). i-03000003 has the same group and return route but
the peer has no route to 10.0.2.0/24, so nothing from the peer reaches it. In the other direction
the zone is 10.0.0.0/16; rtb-0c000002 routes replies only to 10.0.1.0/24 over the peering, and
vpc-0a000001 routes 10.1.0.0/16 to it: i-03000002's TCP 22 (open to 0.0.0.0/0) is reachable from
the 10.0.1.0/24 part. Private sources: LOW.

Expected: i-03000001 TCP 22 and TCP 5432 on VPCPeeringConnection pcx-04000001 -> rtb-0c000001 ->
acl-0f000001 -> sg-01000001 -> eni-02000001 -> i-03000001; i-03000002 TCP 22 on pcx-04000001 ->
rtb-0c000002 -> acl-0f000002 -> sg-01000002 -> eni-02000002 -> i-03000002. Nothing for i-03000003.
""", f, [
        direct(I1, ENI1, "TCP", "22", "LOW", frm=PCX),
        direct(I1, ENI1, "TCP", "5432", "LOW", frm=PCX),
        direct(I2, ENI2, "TCP", "22", "LOW", rt=RT2, acl=ACL2, sgid=SG2, frm=PCX),
    ])


@scenario
def s10():
    v6 = "2600:1f18:1234:5600::/56"
    f = {
        "describe-vpcs": {"Vpcs": [vpc(VPC, "10.0.0.0/16", ipv6=v6)]},
        "describe-subnets": {"Subnets": [
            subnet(SN1, VPC, "10.0.1.0/24", ipv6="2600:1f18:1234:5601::/64"),
            subnet(SN2, VPC, "10.0.2.0/24", ipv6="2600:1f18:1234:5602::/64"),
        ]},
        "describe-internet-gateways": {"InternetGateways": [igw(IGW, VPC)]},
        "describe-route-tables": {"RouteTables": [
            rtb(RTM, VPC, [local("10.0.0.0/16"), local(v6)], main=True),
            rtb(RT1, VPC, [local("10.0.0.0/16"), local(v6), route("0.0.0.0/0", GatewayId=IGW), route("::/0", GatewayId=IGW)], [SN1]),
            rtb(RT2, VPC, [local("10.0.0.0/16"), local(v6), route("::/0", EgressOnlyInternetGatewayId="eigw-0e000002")], [SN2]),
        ]},
        "describe-network-acls": {"NetworkAcls": [nacl(ACL1, VPC, [SN1, SN2], default=True, ipv6=True)]},
    }
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, ipv6=["2600:1f18:1234:5601::10"])
    b = eni(ENI2, SN2, VPC, "10.0.2.10", [SG1], instance=I2, ipv6=["2600:1f18:1234:5602::10"])
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "web6", VPC, [
        perm("tcp", (443, 443), v6=["::/0"]),
        perm("tcp", (22, 22), cidrs=["0.0.0.0/0"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a, b]}
    f["describe-instances"] = reservations(instance(I1, "web6", "running", [a]), instance(I2, "worker6", "running", [b]))
    write("10-ipv6", """
# 10 IPv6

vpc-0a000001 has 10.0.0.0/16 and 2600:1f18:1234:5600::/56. Default ACL acl-0f000001 allows all
traffic for IPv4 (rules 100) and IPv6 (rules 101) both ways. Group sg-01000001 allows TCP 443 from
::/0 and TCP 22 from 0.0.0.0/0.
- subnet-0b000001 (…:5601::/64) on rtb-0c000001: 0.0.0.0/0 and ::/0 -> igw-0d000001. Instance
  i-03000001 (eni-02000001): 10.0.1.10, IPv6 2600:1f18:1234:5601::10, no public IPv4.
- subnet-0b000002 (…:5602::/64) on rtb-0c000002: ::/0 -> egress-only gateway eigw-0e000002 only.
  Instance i-03000002 (eni-02000002): 10.0.2.10, IPv6 2600:1f18:1234:5602::10.

Reasoning: IPv6 addresses are globally routable, so i-03000001's IPv6 address is reachable through
the IGW; the ::/0 rule admits TCP 443 from any global IPv6 source; replies route ::/0 -> igw. TCP 22
is allowed only from IPv4 sources, and the instance has no public IPv4 address, so it is not
reachable from the internet. An egress-only internet gateway passes only connections started
inside, so i-03000002 is unreachable (and its subnet has no IPv4 route to the IGW either).

Expected: i-03000001 TCP 443 (MEDIUM) on InternetGateway -> rtb-0c000001 -> acl-0f000001 ->
sg-01000001 -> eni-02000001 -> i-03000001. Nothing else.
""", f, [direct(I1, ENI1, "TCP", "443", "MEDIUM")])


@scenario
def s11():
    f = public_base(subnets=((SN1, "10.0.1.0/24"), (SN2, "10.0.2.0/24")), acl_subnets=[SN1])
    f["describe-network-acls"]["NetworkAcls"].append(nacl(ACL2, VPC, [SN2], entries=[
        entry(100, "allow", False, "6", "0.0.0.0/0", (80, 80)),
        entry(32767, "deny", False),
        entry(100, "allow", True, "6", "0.0.0.0/0", (1024, 65535)),
        entry(32767, "deny", True),
    ]))
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, device=0, public="203.0.113.10")
    b = eni(ENI2, SN2, VPC, "10.0.2.10", [SG2], instance=I1, device=1, public="203.0.113.11")
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "mgmt", VPC, [perm("tcp", (22, 22), cidrs=["0.0.0.0/0"])]),
        sg(SG2, "web", VPC, [perm("tcp", (80, 80), cidrs=["0.0.0.0/0"]), perm("tcp", (443, 443), cidrs=["0.0.0.0/0"])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a, b]}
    f["describe-instances"] = reservations(instance(I1, "dual-homed", "running", [a, b]))
    write("11-two-enis", """
# 11 two interfaces on one instance

Instance i-03000001 is running with two interfaces, each in its own public subnet (both subnets on
rtb-0c000001 -> igw-0d000001):
- eni-02000001 (device 0): subnet-0b000001, 10.0.1.10 / 203.0.113.10, group sg-01000001 "mgmt"
  (TCP 22 from 0.0.0.0/0); default ACL acl-0f000001 (allow all).
- eni-02000002 (device 1): subnet-0b000002, 10.0.2.10 / 203.0.113.11, group sg-01000002 "web"
  (TCP 80 and 443 from 0.0.0.0/0); ACL acl-0f000002: inbound 100 allow TCP 80, * deny; outbound 100
  allow TCP 1024-65535, * deny.

Reasoning: each interface has its own address, subnet, ACL and groups, so each is analysed on its
own path. Through eni-02000001 TCP 22 is open. Through eni-02000002 the group allows 80 and 443 but
the ACL lets only 80 in (443 hits the * deny); replies to ephemeral ports are allowed out.

Expected: TCP 22 (HIGH) via eni-02000001 (… -> acl-0f000001 -> sg-01000001 -> eni-02000001 ->
i-03000001) and TCP 80 (MEDIUM) via eni-02000002 (… -> acl-0f000002 -> sg-01000002 -> eni-02000002
-> i-03000001).
""", f, [direct(I1, ENI1, "TCP", "22", "HIGH"), direct(I1, ENI2, "TCP", "80", "MEDIUM", acl=ACL2, sgid=SG2)])


@scenario
def s12():
    f = public_base()
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    b = eni(ENI2, SN1, VPC, "10.0.1.20", [SG1], instance=I2, public="203.0.113.20")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "ssh", VPC, [perm("tcp", (22, 22), cidrs=["0.0.0.0/0"])])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a, b]}
    f["describe-instances"] = reservations(instance(I1, "running", "running", [a]), instance(I2, "stopped", "stopped", [b]))
    write("12-stopped-instance", """
# 12 a stopped instance

Public subnet subnet-0b000001 (rtb-0c000001 -> igw-0d000001, default ACL). Group sg-01000001 allows
TCP 22 from 0.0.0.0/0. i-03000001 (eni-02000001, 203.0.113.10) is running; i-03000002
(eni-02000002) is stopped but keeps its Elastic IP 203.0.113.20 and its interface.

Reasoning: the network path to i-03000002 exists, but a stopped instance answers nothing; vigil
reports only running instances (Inspector too: a stopped instance is not scanned).

Expected: i-03000001 TCP 22 (HIGH) on InternetGateway -> rtb-0c000001 -> acl-0f000001 -> sg-01000001
-> eni-02000001 -> i-03000001. Nothing for i-03000002.
""", f, [direct(I1, ENI1, "TCP", "22", "HIGH")])


@scenario
def s13():
    f = public_base()
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "launch-wizard-1", VPC, [
        perm("-1", cidrs=["0.0.0.0/0"]),
        perm("icmp", (-1, -1), cidrs=["0.0.0.0/0"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a]}
    f["describe-instances"] = reservations(instance(I1, "wide-open", "running", [a]))
    write("13-all-traffic", """
# 13 all traffic open

Public subnet subnet-0b000001 (rtb-0c000001 -> igw-0d000001, default ACL allowing all). Group
sg-01000001 allows all traffic (IpProtocol -1, no ports) and ICMP from 0.0.0.0/0. i-03000001
(eni-02000001, 203.0.113.10) is running.

Reasoning: "-1" covers every protocol and port, so TCP 0-65535 and UDP 0-65535 are reachable; ICMP
has no ports and is not reported. Ranges of 1024 ports or more from the internet are HIGH.

Expected: TCP 0-65535 (HIGH) and UDP 0-65535 (HIGH) on InternetGateway -> rtb-0c000001 ->
acl-0f000001 -> sg-01000001 -> eni-02000001 -> i-03000001.
""", f, [direct(I1, ENI1, "TCP", "0-65535", "HIGH"), direct(I1, ENI1, "UDP", "0-65535", "HIGH")])


@scenario
def s14():
    f = public_base()
    f["describe-route-tables"]["RouteTables"][1]["Routes"].append(
        dict(route("198.51.100.0/24", NatGatewayId="nat-0e00dead"), State="blackhole"))
    a = eni(ENI1, SN1, VPC, "10.0.1.10", [SG1], instance=I1, public="203.0.113.10")
    f["describe-security-groups"] = {"SecurityGroups": [sg(SG1, "partners", VPC, [
        perm("tcp", (22, 22), cidrs=["198.51.100.0/24"]),
        perm("tcp", (3306, 3306), cidrs=["192.0.2.0/24"]),
        perm("tcp", (9000, 9000), cidrs=["10.20.0.0/16"]),
    ])]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [a]}
    f["describe-instances"] = reservations(instance(I1, "partner-db", "running", [a]))
    write("14-longest-prefix-blackhole", """
# 14 longest prefix match, blackhole route, private sources

Public subnet subnet-0b000001 on rtb-0c000001: 10.0.0.0/16 local, 0.0.0.0/0 -> igw-0d000001, and
198.51.100.0/24 -> nat-0e00dead in state "blackhole" (the NAT gateway was deleted). Default ACL.
Group sg-01000001: TCP 22 from 198.51.100.0/24, TCP 3306 from 192.0.2.0/24, TCP 9000 from
10.20.0.0/16. i-03000001 (eni-02000001, 203.0.113.10) is running.

Reasoning: the return route is chosen by longest prefix match. Replies to 198.51.100.0/24 match
the /24 blackhole route, not 0.0.0.0/0, and are dropped: TCP 22 is not reachable. Replies to
192.0.2.0/24 follow 0.0.0.0/0 to the IGW: TCP 3306 is reachable from those addresses (HIGH:
database port). 10.20.0.0/16 is private address space that never arrives from the internet, so
TCP 9000 is not reachable from the IGW.

Expected: TCP 3306 (HIGH) on InternetGateway -> rtb-0c000001 -> acl-0f000001 -> sg-01000001 ->
eni-02000001 -> i-03000001.
""", f, [direct(I1, ENI1, "TCP", "3306", "HIGH")])


@scenario
def s15():
    f = public_base()
    f["describe-subnets"]["Subnets"].append(subnet(SN2, VPC, "10.0.2.0/24"))
    f["describe-network-acls"]["NetworkAcls"][0]["Associations"].append(
        {"NetworkAclAssociationId": "aclassoc-2", "NetworkAclId": ACL1, "SubnetId": SN2})
    lb = lb_arn("edge-nlb", "net")
    tg_ssh, tg_api = tg_arn("ssh-inst"), tg_arn("api-ip")
    nlbif = eni("eni-02000011", SN1, VPC, "10.0.1.100", [], public="198.51.100.11",
                desc="ELB net/edge-nlb/50dc6c495c0c9188", itype="network_load_balancer")
    a = eni(ENI1, SN2, VPC, "10.0.2.10", [SG1], instance=I1)
    b = eni(ENI2, SN2, VPC, "10.0.2.20", [SG2], instance=I2)
    f["describe-security-groups"] = {"SecurityGroups": [
        sg(SG1, "vpc-ssh", VPC, [perm("tcp", (22, 22), cidrs=["10.0.0.0/16"])]),
        sg(SG2, "vpc-api", VPC, [perm("tcp", (5000, 5000), cidrs=["10.0.0.0/16"])]),
    ]}
    f["describe-network-interfaces"] = {"NetworkInterfaces": [nlbif, a, b]}
    f["describe-instances"] = reservations(instance(I1, "ssh-host", "running", [a]), instance(I2, "api-host", "running", [b]))
    f["describe-load-balancers"] = {"LoadBalancers": [load_balancer("edge-nlb", VPC, [SN1], [], kind="network")]}
    f["describe-listeners"] = {"Listeners": [listener(lb, 22, "TCP", tg_ssh), listener(lb, 5000, "TCP", tg_api)]}
    f["describe-target-groups"] = {"TargetGroups": [
        target_group("ssh-inst", VPC, 22, proto="TCP", lbs=[lb]),
        target_group("api-ip", VPC, 5000, proto="TCP", ttype="ip", lbs=[lb]),
    ]}
    f["describe-target-health-ssh-inst"] = {"TargetHealthDescriptions": [health(I1, 22, "healthy")]}
    f["describe-target-health-api-ip"] = {"TargetHealthDescriptions": [health("10.0.2.20", 5000, "healthy")]}
    write("15-nlb-client-ip-preservation", """
# 15 network load balancer: client IP preservation

An internet-facing network load balancer edge-nlb (no security groups) in the public subnet
subnet-0b000001 (rtb-0c000001 -> igw-0d000001). Default ACL everywhere. Listeners:
- TCP 22 -> target group ssh-inst (TCP, instance targets): i-03000001:22, healthy;
- TCP 5000 -> target group api-ip (TCP, IP targets): 10.0.2.20:5000, healthy.
Both instances are in subnet-0b000002 (main table: local route only, no public address):
i-03000001 (eni-02000001, 10.0.2.10) in sg-01000001 (TCP 22 from 10.0.0.0/16) and i-03000002
(eni-02000002, 10.0.2.20) in sg-01000002 (TCP 5000 from 10.0.0.0/16).

Reasoning: a network load balancer without groups accepts both listener ports from anywhere. For
instance targets it preserves the client's address by default, so i-03000001 sees an internet
source, which its group (10.0.0.0/16 only) rejects: not reachable. For TCP IP targets client IP
preservation is off by default, so i-03000002 sees the load balancer's private address in
10.0.1.0/24, inside 10.0.0.0/16: port 5000 is reachable through the load balancer. Neither host is
reachable directly (no public address, no route to the IGW).

Expected: i-03000002 TCP 5000 (MEDIUM) on InternetGateway -> LoadBalancer edge-nlb -> Listener 5000
-> TargetGroup api-ip -> SecurityGroup sg-01000002 -> NetworkInterface eni-02000002 -> Instance
i-03000002. Nothing for i-03000001.
""", f, [finding(I2, ENI2, "TCP", "5000", IGW, path(IGW, lb, listener_arn(lb, 5000), tg_api, SG2, ENI2, I2), "MEDIUM")])


if __name__ == "__main__":
    for s in SCENARIOS:
        s()
