// Package aws builds an exposure.Model from the JSON the AWS CLI prints.
//
// [Load] reads a directory holding one file per command, named after it:
//
//	describe-vpcs.json                 (required)  aws ec2 describe-vpcs
//	describe-subnets.json              (required)  aws ec2 describe-subnets
//	describe-route-tables.json         (required)  aws ec2 describe-route-tables
//	describe-security-groups.json      (required)  aws ec2 describe-security-groups
//	describe-network-interfaces.json   (required)  aws ec2 describe-network-interfaces
//	describe-instances.json            (required)  aws ec2 describe-instances
//	describe-internet-gateways.json                aws ec2 describe-internet-gateways
//	describe-nat-gateways.json                     aws ec2 describe-nat-gateways
//	describe-network-acls.json                     aws ec2 describe-network-acls
//	describe-vpc-peering-connections.json          aws ec2 describe-vpc-peering-connections
//	describe-load-balancers.json                   aws elbv2 describe-load-balancers
//	describe-listeners.json                        aws elbv2 describe-listeners
//	describe-target-groups.json                    aws elbv2 describe-target-groups
//	describe-target-health-<TG>.json               aws elbv2 describe-target-health --target-group-arn ARN
//	get-managed-prefix-list-entries-<pl-id>.json   aws ec2 get-managed-prefix-list-entries --prefix-list-id ID
//
// Any command may also be split over several files named
// "<command>-<suffix>.json" (for example one describe-listeners file per
// load balancer, or paginated output); their lists are concatenated.
// describe-target-health prints no target group, so its files MUST be
// named after the target group: <TG> is the TargetGroupName or the last
// segment of the TargetGroupArn (".../targetgroup/web/73e2d6bc24d8a067" →
// "web" or "73e2d6bc24d8a067"). A target group without a health file has
// no known targets. Prefix lists without an entries file are unknown and
// match no address (a warning says so).
//
// Every file is bounded (Options.MaxFileSize, 64 MiB by default) and so
// is the number of files; errors name the file ([FileError]).
package aws
