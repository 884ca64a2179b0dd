package aws

// The structs below mirror the AWS CLI's JSON output (PascalCase keys);
// only the fields the analysis needs are declared.

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type vpcsDoc struct {
	Vpcs []struct {
		VpcID                   string `json:"VpcId"`
		CidrBlock               string `json:"CidrBlock"`
		CidrBlockAssociationSet []struct {
			CidrBlock      string      `json:"CidrBlock"`
			CidrBlockState *blockState `json:"CidrBlockState"`
		} `json:"CidrBlockAssociationSet"`
		Ipv6CidrBlockAssociationSet []ipv6Assoc `json:"Ipv6CidrBlockAssociationSet"`
	} `json:"Vpcs"`
}

type blockState struct {
	State string `json:"State"`
}

type ipv6Assoc struct {
	Ipv6CidrBlock      string      `json:"Ipv6CidrBlock"`
	Ipv6CidrBlockState *blockState `json:"Ipv6CidrBlockState"`
}

type subnetsDoc struct {
	Subnets []struct {
		SubnetID                    string      `json:"SubnetId"`
		VpcID                       string      `json:"VpcId"`
		CidrBlock                   string      `json:"CidrBlock"`
		Ipv6CidrBlockAssociationSet []ipv6Assoc `json:"Ipv6CidrBlockAssociationSet"`
	} `json:"Subnets"`
}

type routeTablesDoc struct {
	RouteTables []struct {
		RouteTableID string `json:"RouteTableId"`
		VpcID        string `json:"VpcId"`
		Associations []struct {
			Main     bool   `json:"Main"`
			SubnetID string `json:"SubnetId"`
		} `json:"Associations"`
		Routes []struct {
			DestinationCidrBlock        string `json:"DestinationCidrBlock"`
			DestinationIpv6CidrBlock    string `json:"DestinationIpv6CidrBlock"`
			DestinationPrefixListID     string `json:"DestinationPrefixListId"`
			GatewayID                   string `json:"GatewayId"`
			NatGatewayID                string `json:"NatGatewayId"`
			VpcPeeringConnectionID      string `json:"VpcPeeringConnectionId"`
			EgressOnlyInternetGatewayID string `json:"EgressOnlyInternetGatewayId"`
			TransitGatewayID            string `json:"TransitGatewayId"`
			InstanceID                  string `json:"InstanceId"`
			NetworkInterfaceID          string `json:"NetworkInterfaceId"`
			CarrierGatewayID            string `json:"CarrierGatewayId"`
			LocalGatewayID              string `json:"LocalGatewayId"`
			State                       string `json:"State"`
		} `json:"Routes"`
	} `json:"RouteTables"`
}

type igwDoc struct {
	InternetGateways []struct {
		InternetGatewayID string `json:"InternetGatewayId"`
		Attachments       []struct {
			State string `json:"State"`
			VpcID string `json:"VpcId"`
		} `json:"Attachments"`
	} `json:"InternetGateways"`
}

type natDoc struct {
	NatGateways []struct {
		NatGatewayID string `json:"NatGatewayId"`
		VpcID        string `json:"VpcId"`
		SubnetID     string `json:"SubnetId"`
		State        string `json:"State"`
	} `json:"NatGateways"`
}

type aclDoc struct {
	NetworkAcls []struct {
		NetworkAclID string `json:"NetworkAclId"`
		VpcID        string `json:"VpcId"`
		IsDefault    bool   `json:"IsDefault"`
		Associations []struct {
			SubnetID string `json:"SubnetId"`
		} `json:"Associations"`
		Entries []struct {
			RuleNumber    int    `json:"RuleNumber"`
			Protocol      string `json:"Protocol"`
			RuleAction    string `json:"RuleAction"`
			Egress        bool   `json:"Egress"`
			CidrBlock     string `json:"CidrBlock"`
			Ipv6CidrBlock string `json:"Ipv6CidrBlock"`
			PortRange     *struct {
				From *int `json:"From"`
				To   *int `json:"To"`
			} `json:"PortRange"`
		} `json:"Entries"`
	} `json:"NetworkAcls"`
}

type sgDoc struct {
	SecurityGroups []struct {
		GroupID       string         `json:"GroupId"`
		GroupName     string         `json:"GroupName"`
		VpcID         string         `json:"VpcId"`
		IPPermissions []ipPermission `json:"IpPermissions"`
	} `json:"SecurityGroups"`
}

type ipPermission struct {
	IPProtocol string `json:"IpProtocol"`
	FromPort   *int   `json:"FromPort"`
	ToPort     *int   `json:"ToPort"`
	IPRanges   []struct {
		CidrIP string `json:"CidrIp"`
	} `json:"IpRanges"`
	Ipv6Ranges []struct {
		CidrIpv6 string `json:"CidrIpv6"`
	} `json:"Ipv6Ranges"`
	PrefixListIDs []struct {
		PrefixListID string `json:"PrefixListId"`
	} `json:"PrefixListIds"`
	UserIDGroupPairs []struct {
		GroupID string `json:"GroupId"`
	} `json:"UserIdGroupPairs"`
}

type eni struct {
	NetworkInterfaceID string `json:"NetworkInterfaceId"`
	SubnetID           string `json:"SubnetId"`
	VpcID              string `json:"VpcId"`
	Status             string `json:"Status"`
	Attachment         *struct {
		InstanceID  string `json:"InstanceId"`
		DeviceIndex int    `json:"DeviceIndex"`
		Status      string `json:"Status"`
	} `json:"Attachment"`
	Association *struct {
		PublicIP string `json:"PublicIp"`
	} `json:"Association"`
	Groups []struct {
		GroupID string `json:"GroupId"`
	} `json:"Groups"`
	PrivateIPAddress   string `json:"PrivateIpAddress"`
	PrivateIPAddresses []struct {
		PrivateIPAddress string `json:"PrivateIpAddress"`
		Association      *struct {
			PublicIP string `json:"PublicIp"`
		} `json:"Association"`
	} `json:"PrivateIpAddresses"`
	Ipv6Addresses []struct {
		Ipv6Address string `json:"Ipv6Address"`
	} `json:"Ipv6Addresses"`
}

type eniDoc struct {
	NetworkInterfaces []eni `json:"NetworkInterfaces"`
}

type instancesDoc struct {
	Reservations []struct {
		Instances []struct {
			InstanceID string `json:"InstanceId"`
			State      struct {
				Name string `json:"Name"`
			} `json:"State"`
			SubnetID         string `json:"SubnetId"`
			PrivateIPAddress string `json:"PrivateIpAddress"`
			PublicIPAddress  string `json:"PublicIpAddress"`
			Ipv6Address      string `json:"Ipv6Address"`
			SecurityGroups   []struct {
				GroupID string `json:"GroupId"`
			} `json:"SecurityGroups"`
			Tags              []tag `json:"Tags"`
			NetworkInterfaces []eni `json:"NetworkInterfaces"`
		} `json:"Instances"`
	} `json:"Reservations"`
}

type peeringInfo struct {
	VpcID        string `json:"VpcId"`
	CidrBlock    string `json:"CidrBlock"`
	CidrBlockSet []struct {
		CidrBlock string `json:"CidrBlock"`
	} `json:"CidrBlockSet"`
	Ipv6CidrBlockSet []struct {
		Ipv6CidrBlock string `json:"Ipv6CidrBlock"`
	} `json:"Ipv6CidrBlockSet"`
}

type peeringDoc struct {
	VpcPeeringConnections []struct {
		VpcPeeringConnectionID string      `json:"VpcPeeringConnectionId"`
		AccepterVpcInfo        peeringInfo `json:"AccepterVpcInfo"`
		RequesterVpcInfo       peeringInfo `json:"RequesterVpcInfo"`
		Status                 struct {
			Code string `json:"Code"`
		} `json:"Status"`
	} `json:"VpcPeeringConnections"`
}

type lbDoc struct {
	LoadBalancers []struct {
		LoadBalancerArn   string   `json:"LoadBalancerArn"`
		LoadBalancerName  string   `json:"LoadBalancerName"`
		Scheme            string   `json:"Scheme"`
		VpcID             string   `json:"VpcId"`
		Type              string   `json:"Type"`
		IPAddressType     string   `json:"IpAddressType"`
		SecurityGroups    []string `json:"SecurityGroups"`
		AvailabilityZones []struct {
			SubnetID string `json:"SubnetId"`
		} `json:"AvailabilityZones"`
		State *struct {
			Code string `json:"Code"`
		} `json:"State"`
	} `json:"LoadBalancers"`
}

type listenersDoc struct {
	Listeners []struct {
		ListenerArn     string `json:"ListenerArn"`
		LoadBalancerArn string `json:"LoadBalancerArn"`
		Port            int    `json:"Port"`
		Protocol        string `json:"Protocol"`
		DefaultActions  []struct {
			Type           string `json:"Type"`
			TargetGroupArn string `json:"TargetGroupArn"`
			ForwardConfig  *struct {
				TargetGroups []struct {
					TargetGroupArn string `json:"TargetGroupArn"`
				} `json:"TargetGroups"`
			} `json:"ForwardConfig"`
		} `json:"DefaultActions"`
	} `json:"Listeners"`
}

type targetGroupsDoc struct {
	TargetGroups []struct {
		TargetGroupArn  string `json:"TargetGroupArn"`
		TargetGroupName string `json:"TargetGroupName"`
		Protocol        string `json:"Protocol"`
		Port            int    `json:"Port"`
		TargetType      string `json:"TargetType"`
	} `json:"TargetGroups"`
}

type targetHealthDoc struct {
	TargetHealthDescriptions []struct {
		Target struct {
			ID   string `json:"Id"`
			Port int    `json:"Port"`
		} `json:"Target"`
		TargetHealth struct {
			State string `json:"State"`
		} `json:"TargetHealth"`
	} `json:"TargetHealthDescriptions"`
}

type prefixListEntriesDoc struct {
	Entries []struct {
		Cidr string `json:"Cidr"`
	} `json:"Entries"`
}
