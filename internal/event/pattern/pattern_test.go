package pattern

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ec2Event is the example event of the EventBridge user guide, "Amazon
// EventBridge events" and "Content filtering" pages (EC2 Instance
// State-change Notification), extended with the fields the other examples
// test.
const ec2Event = `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2017-10-02T18:43:48Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {
    "instance-id": "i-abcd1111",
    "state": "pending",
    "c-count": 5,
    "d-count": 7,
    "x-limit": 301.8,
    "sourceIPAddress": "10.0.0.123",
    "FileName": "image.PNG",
    "service": "EventBridge",
    "eventVersion": "",
    "responseElements": null,
    "enabled": true,
    "tags": ["prod", "web"],
    "empty": [],
    "nested": {"a": {"b": {"c": "deep"}}},
    "items": [{"name": "a", "qty": 1}, {"name": "b", "qty": 2}]
  }
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern string
		event         string // ec2Event when empty
		want          bool
	}{
		// "Creating Amazon EventBridge event patterns" (eb-event-patterns):
		// exact values; fields AND, values OR.
		{"exact source", `{"source":["aws.ec2"]}`, "", true},
		{"exact source miss", `{"source":["aws.s3"]}`, "", false},
		{"values are ORed", `{"source":["aws.s3","aws.ec2"]}`, "", true},
		{"fields are ANDed", `{"source":["aws.ec2"],"detail-type":["nope"]}`, "", false},
		{"case sensitive", `{"source":["AWS.EC2"]}`, "", false},
		{"nested exact", `{"detail":{"state":["pending"]}}`, "", true},
		{"deep nesting", `{"detail":{"nested":{"a":{"b":{"c":["deep"]}}}}}`, "", true},
		{"deep nesting miss", `{"detail":{"nested":{"a":{"b":{"c":["shallow"]}}}}}`, "", false},
		{"absent field never matches", `{"detail":{"missing":["x"]}}`, "", false},
		{"pattern object against scalar", `{"source":{"x":["aws.ec2"]}}`, "", false},
		// "Arrays in Amazon EventBridge event patterns": an event array
		// matches when the intersection is non-empty.
		{"resources intersection", `{"resources":["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f","arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}`, "", true},
		{"event array any element", `{"detail":{"tags":["web"]}}`, "", true},
		{"event array no element", `{"detail":{"tags":["dev"]}}`, "", false},
		{"array of objects", `{"detail":{"items":{"name":["b"]}}}`, "", true},
		{"array consistency same element", `{"detail":{"items":{"name":["b"],"qty":[2]}}}`, "", true},
		{"array consistency across elements", `{"detail":{"items":{"name":["a"],"qty":[2]}}}`, "", false},
		{"nested arrays flattened", `{"a":["x"]}`, `{"a":[["y"],["x"]]}`, true},
		// "Matching null values and empty strings".
		{"empty string", `{"detail":{"eventVersion":[""]}}`, "", true},
		{"null value", `{"detail":{"responseElements":[null]}}`, "", true},
		{"null is not empty string", `{"detail":{"responseElements":[""]}}`, "", false},
		{"empty string is not null", `{"detail":{"eventVersion":[null]}}`, "", false},
		{"null does not match absent", `{"detail":{"missing":[null]}}`, "", false},
		// Booleans and numbers (exact, by value).
		{"boolean true", `{"detail":{"enabled":[true]}}`, "", true},
		{"boolean false", `{"detail":{"enabled":[false]}}`, "", false},
		{"boolean is not a string", `{"detail":{"enabled":["true"]}}`, "", false},
		{"number exact", `{"detail":{"c-count":[5]}}`, "", true},
		{"number by value", `{"detail":{"c-count":[5.0]}}`, "", true},
		{"number exponent", `{"detail":{"x-limit":[3.018e2]}}`, "", true},
		{"number is not a string", `{"detail":{"c-count":["5"]}}`, "", false},
		{"string is not a number", `{"detail":{"state":[5]}}`, `{"detail":{"state":"5"}}`, false},
		// "Content filtering": prefix.
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, "", true},
		{"prefix miss", `{"time":[{"prefix":"2018"}]}`, "", false},
		{"prefix region example", `{"source":["aws.ec2"],"region":[{"prefix":"us-"}]}`, "", true},
		{"prefix only strings", `{"detail":{"c-count":[{"prefix":"5"}]}}`, "", false},
		// "Comparison operators": begins with, ignore case.
		{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EVENTB"}}]}}`, "", true},
		{"prefix ignore case miss", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"lambda"}}]}}`, "", false},
		// Suffix and suffix ignore case.
		{"suffix", `{"detail":{"FileName":[{"suffix":".PNG"}]}}`, "", true},
		{"suffix case sensitive", `{"detail":{"FileName":[{"suffix":".png"}]}}`, "", false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, "", true},
		// equals-ignore-case.
		{"equals-ignore-case", `{"detail":{"state":[{"equals-ignore-case":"PENDING"}]}}`, "", true},
		{"equals-ignore-case miss", `{"detail":{"state":[{"equals-ignore-case":"running"}]}}`, "", false},
		// anything-but: value, number, lists, prefix, suffix, ignore case, wildcard.
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, "", true},
		{"anything-but string hit", `{"detail":{"state":[{"anything-but":"pending"}]}}`, "", false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":123}]}}`, "", true},
		{"anything-but number hit", `{"detail":{"c-count":[{"anything-but":5}]}}`, "", false},
		{"anything-but string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, "", true},
		{"anything-but string list hit", `{"detail":{"state":[{"anything-but":["stopped","pending"]}]}}`, "", false},
		{"anything-but number list", `{"detail":{"d-count":[{"anything-but":[100,200,300]}]}}`, "", true},
		{"anything-but number list hit", `{"detail":{"d-count":[{"anything-but":[100,7,300]}]}}`, "", false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, "", true},
		{"anything-but prefix hit", `{"source":[{"anything-but":{"prefix":"aws."}}]}`, "", false},
		{"anything-but suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".png"}}]}}`, "", true},
		{"anything-but suffix hit", `{"detail":{"FileName":[{"anything-but":{"suffix":".PNG"}}]}}`, "", false},
		{"anything-but ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"PENDING"}}]}}`, "", false},
		{"anything-but ignore case list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["RUNNING","stopped"]}}]}}`, "", true},
		{"anything-but wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/x.so"}}`, false},
		{"anything-but wildcard other", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/x"}}`, true},
		{"anything-but needs the field", `{"detail":{"missing":[{"anything-but":"x"}]}}`, "", false},
		{"anything-but any array element", `{"detail":{"tags":[{"anything-but":"prod"}]}}`, "", true},
		{"anything-but all array elements excluded", `{"detail":{"tags":[{"anything-but":["prod","web"]}]}}`, "", false},
		{"anything-but CloudTrail example", `{"detail-type":[{"anything-but":"AWS API Call via CloudTrail"}]}`, "", true},
		// Numeric matching.
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, "", true},
		{"numeric upper exclusive", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, "", false},
		{"numeric lower exclusive", `{"detail":{"c-count":[{"numeric":[">",5]}]}}`, "", false},
		{"numeric lower inclusive", `{"detail":{"c-count":[{"numeric":[">=",5]}]}}`, "", true},
		{"numeric less", `{"detail":{"d-count":[{"numeric":["<",10]}]}}`, "", true},
		{"numeric equals", `{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}`, "", true},
		{"numeric only numbers", `{"detail":{"state":[{"numeric":[">",0]}]}}`, `{"detail":{"state":"5"}}`, false},
		// Numbers compare at six decimals (Content filtering: "15 digits of
		// precision, or six digits to the right of the decimal point").
		{"numeric six decimals", `{"n":[{"numeric":[">",5]}]}`, `{"n":5.0000001}`, false},
		{"numeric sixth decimal counts", `{"n":[{"numeric":[">",5]}]}`, `{"n":5.000001}`, true},
		{"numeric negative range", `{"n":[{"numeric":[">=",-10.5,"<",-1]}]}`, `{"n":-10.5}`, true},
		{"number exact at six decimals", `{"n":[5]}`, `{"n":5.0000001}`, true},
		{"number exact beyond limit", `{"n":[6000000000]}`, `{"n":6e9}`, true},
		{"anything-but number at six decimals", `{"n":[{"anything-but":[5]}]}`, `{"n":5.0000001}`, false},
		{"numeric beyond limit", `{"n":[{"numeric":[">",0]}]}`, `{"n":6e9}`, false},
		{"numeric complex example", `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}]}}`, "", true},
		// IP address matching.
		{"cidr v4", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, "", true},
		{"cidr v4 miss", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.1.0/24"}]}}`, "", false},
		{"cidr v6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8::1"}`, true},
		{"cidr v6 miss", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{"cidr not an address", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"ten"}`, false},
		// Exists matching (leaf nodes only).
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, "", true},
		{"exists true absent", `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"state":"x"}}`, false},
		{"exists false absent", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"state":"x"}}`, true},
		{"exists false present", `{"detail":{"c-count":[{"exists":false}]}}`, "", false},
		{"exists false on intermediate node", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"c-count":{"c1":100}}}`, true},
		{"exists true on intermediate node", `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},
		{"exists true null", `{"detail":{"responseElements":[{"exists":true}]}}`, "", true},
		{"exists true empty array", `{"detail":{"empty":[{"exists":true}]}}`, "", false},
		{"exists false empty array", `{"detail":{"empty":[{"exists":false}]}}`, "", true},
		{"exists false whole parent absent", `{"detail":{"x":{"y":[{"exists":false}]}}}`, "", true},
		{"exists false parent absent from event", `{"nothere":{"y":[{"exists":false}]}}`, "", true},
		{"exists false in array of objects", `{"detail":{"items":{"color":[{"exists":false}]}}}`, "", true},
		{"exists false or value", `{"detail":{"state":["running",{"exists":false}]}}`, `{"detail":{}}`, true},
		// Wildcard.
		{"wildcard", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"wildcard miss", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-west-2:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, false},
		{"wildcard spans slashes", `{"f":[{"wildcard":"dir/*.png"}]}`, `{"f":"dir/sub/a.png"}`, true},
		{"wildcard no star is exact", `{"f":[{"wildcard":"a.png"}]}`, `{"f":"a.png"}`, true},
		{"wildcard escaped star", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"a*b"}`, true},
		{"wildcard escaped star literal", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"axb"}`, false},
		{"wildcard escaped backslash", `{"f":[{"wildcard":"a\\\\*"}]}`, `{"f":"a\\xyz"}`, true},
		{"wildcard middle pieces in order", `{"f":[{"wildcard":"*a*b*"}]}`, `{"f":"xbxa"}`, false},
		{"wildcard overlap", `{"f":[{"wildcard":"ab*ba"}]}`, `{"f":"aba"}`, false},
		{"wildcard star only", `{"f":[{"wildcard":"*"}]}`, `{"f":""}`, true},
		{"wildcard only strings", `{"f":[{"wildcard":"*"}]}`, `{"f":1}`, false},
		// $or ("Comparison operators", "Or").
		{"$or branches", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":["=",3.018e2]}]}]}}`, "", true},
		{"$or none", `{"detail":{"$or":[{"c-count":[{"numeric":[">",10]}]},{"d-count":[{"numeric":[">",10]}]}]}}`, "", false},
		{"$or with sibling", `{"source":["aws.ec2"],"$or":[{"region":["eu-west-1"]},{"account":["123456789012"]}]}`, "", true},
		{"$or with failing sibling", `{"source":["aws.s3"],"$or":[{"region":["us-east-1"]},{"account":["123456789012"]}]}`, "", false},
		{"$or nested", `{"$or":[{"detail":{"$or":[{"state":["x"]},{"instance-id":["i-abcd1111"]}]}},{"source":["none"]}]}`, "", true},
		// "$or" as an ordinary field name (event-ruler README, "The backward
		// compatibility of using $or as field name in the rule").
		{"$or object is a field", `{"$or":{"metricType":["MetricType"]}}`, `{"$or":{"metricType":"MetricType"}}`, true},
		{"$or object is not an OR", `{"$or":{"metricType":["MetricType"]}}`, `{"metricType":"MetricType"}`, false},
		{"$or string list is a field", `{"$or":["x","y"]}`, `{"$or":"y"}`, true},
		// event-ruler README: "Or" has an "And" inside, nested "Or" and "And".
		{"$or and inside", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","namespace":"AWS/ES"}`, true},
		{"$or and inside partial", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"metricType":["MetricType"],"namespace":["AWS/EC2","AWS/ES"]},{"scope":["Service"]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType"}`, false},
		{"$or nested or and", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","spaceId":1000}`, true},
		{"parallel $or", `{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],"detail":{"$or":[{"source":["aws.cloudwatch"]},{"detail-type":["CloudWatch Alarm State Change"]}]}}`, `{"namespace":"AWS/EC2","detail":{"detail-type":"CloudWatch Alarm State Change"}}`, true},
		// event-ruler README, "JSON Array Matching": the employees example.
		{"employees crushed array", `{"employees":{"firstName":["Anna"]}}`, `{"employees":[[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}],[{"firstName":"Peter","lastName":"Jones"}]]}`, true},
		{"employees array consistency", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}]}`, false},
		// Keys beginning with '$' other than $or are ordinary fields.
		{"dollar field", `{"$x":["y"]}`, `{"$x":"y"}`, true},
		// Several values of different kinds in one list.
		{"mixed list", `{"detail":{"state":[{"prefix":"run"},"pending",{"numeric":[">",1]}]}}`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			ev := tc.event
			if ev == "" {
				ev = ec2Event
			}
			got, err := p.Match([]byte(ev))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, pattern string
		want          *PatternError
	}{
		{"not JSON", `{`, &PatternError{Reason: "not JSON: unexpected EOF"}},
		{"not an object", `["a"]`, &PatternError{Reason: "a pattern must be a JSON object"}},
		{"trailing", `{"a":["b"]} x`, &PatternError{Reason: "trailing data after the pattern"}},
		{"empty pattern", `{}`, &PatternError{Reason: "empty objects are not allowed"}},
		{"scalar leaf", `{"source":"aws.ec2"}`, &PatternError{Path: "source", Reason: "must be an object or an array"}},
		{"empty array", `{"detail":{"state":[]}}`, &PatternError{Path: "detail.state", Reason: "empty arrays are not allowed"}},
		{"empty nested object", `{"detail":{}}`, &PatternError{Path: "detail", Reason: "empty objects are not allowed"}},
		{"unknown operator", `{"a":[{"contains":"x"}]}`, &PatternError{Path: "a[0]", Reason: `unrecognized match type "contains"`}},
		{"two operators", `{"a":[{"prefix":"x","suffix":"y"}]}`, &PatternError{Path: "a[0]", Reason: "a match expression must have exactly one operator, not 2"}},
		{"empty operator", `{"a":[{}]}`, &PatternError{Path: "a[0]", Reason: "empty objects are not allowed"}},
		{"array in list", `{"a":[["x"]]}`, &PatternError{Path: "a[0]", Reason: "arrays are not allowed inside a match list"}},
		{"prefix number", `{"a":[{"prefix":1}]}`, &PatternError{Path: "a[0].prefix", Reason: `must be a string or {"equals-ignore-case": string}`}},
		{"suffix bad fold", `{"a":[{"suffix":{"x":"y"}}]}`, &PatternError{Path: "a[0].suffix", Reason: `must be a string or {"equals-ignore-case": string}`}},
		{"equals-ignore-case list", `{"a":[{"equals-ignore-case":["x"]}]}`, &PatternError{Path: "a[0].equals-ignore-case", Reason: "equals-ignore-case must be a string"}},
		{"exists string", `{"a":[{"exists":"true"}]}`, &PatternError{Path: "a[0].exists", Reason: "exists must be true or false"}},
		{"numeric not array", `{"a":[{"numeric":5}]}`, &PatternError{Path: "a[0].numeric", Reason: "numeric must be a non-empty array of operator, number pairs"}},
		{"numeric odd", `{"a":[{"numeric":[">",1,"<"]}]}`, &PatternError{Path: "a[0].numeric", Reason: "numeric takes one or two operator, number pairs"}},
		{"numeric bad op", `{"a":[{"numeric":["!=",1]}]}`, &PatternError{Path: "a[0].numeric[0]", Reason: `unrecognized numeric operator "!="`}},
		{"numeric string operand", `{"a":[{"numeric":[">","1"]}]}`, &PatternError{Path: "a[0].numeric[1]", Reason: `expected a number after ">"`}},
		{"numeric out of range", `{"a":[{"numeric":[">",6e9]}]}`, &PatternError{Path: "a[0].numeric[1]", Reason: "number 6e9 is outside [-5.0e9, 5.0e9]"}},
		{"numeric upper first", `{"a":[{"numeric":["<",5,">",1]}]}`, &PatternError{Path: "a[0].numeric[0]", Reason: "the lower bound (> or >=) must come first"}},
		{"numeric two lower", `{"a":[{"numeric":[">",1,">",2]}]}`, &PatternError{Path: "a[0].numeric[2]", Reason: "the lower bound (> or >=) must come first"}},
		{"numeric equals in range", `{"a":[{"numeric":[">",1,"=",2]}]}`, &PatternError{Path: "a[0].numeric[2]", Reason: `"=" cannot be combined with a range`}},
		{"numeric empty range", `{"a":[{"numeric":[">",5,"<",1]}]}`, &PatternError{Path: "a[0].numeric", Reason: "the lower bound must be below the upper bound"}},
		{"cidr bad", `{"a":[{"cidr":"10.0.0.0/33"}]}`, &PatternError{Path: "a[0].cidr", Reason: `"10.0.0.0/33" is not a CIDR block`}},
		{"cidr number", `{"a":[{"cidr":10}]}`, &PatternError{Path: "a[0].cidr", Reason: "cidr must be a string"}},
		{"wildcard consecutive", `{"a":[{"wildcard":"a**b"}]}`, &PatternError{Path: "a[0].wildcard", Reason: "consecutive wildcard characters at position 2"}},
		{"wildcard bad escape", `{"a":[{"wildcard":"a\\b"}]}`, &PatternError{Path: "a[0].wildcard", Reason: `invalid escape at position 1 (only \* and \\ are allowed)`}},
		{"wildcard not string", `{"a":[{"wildcard":["a*"]}]}`, &PatternError{Path: "a[0].wildcard", Reason: "wildcard must be a string"}},
		{"anything-but mixed list", `{"a":[{"anything-but":["x",1]}]}`, &PatternError{Path: "a[0].anything-but", Reason: "anything-but lists hold only strings or only numbers, not both"}},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, &PatternError{Path: "a[0].anything-but", Reason: "empty arrays are not allowed"}},
		{"anything-but bool", `{"a":[{"anything-but":true}]}`, &PatternError{Path: "a[0].anything-but", Reason: "anything-but takes a string, a number, a list, or an object"}},
		{"anything-but bool in list", `{"a":[{"anything-but":[true]}]}`, &PatternError{Path: "a[0].anything-but[0]", Reason: "anything-but lists hold only strings or only numbers"}},
		{"anything-but prefix list", `{"a":[{"anything-but":{"prefix":["x"]}}]}`, &PatternError{Path: "a[0].anything-but.prefix", Reason: "must be a string (anything-but takes a single prefix)"}},
		{"anything-but empty prefix", `{"a":[{"anything-but":{"prefix":""}}]}`, &PatternError{Path: "a[0].anything-but.prefix", Reason: "must not be empty"}},
		{"anything-but numeric", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, &PatternError{Path: "a[0].anything-but.numeric", Reason: "unsupported inside anything-but"}},
		{"anything-but two ops", `{"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]}`, &PatternError{Path: "a[0].anything-but", Reason: "anything-but takes one of prefix, suffix, equals-ignore-case, wildcard"}},
		{"anything-but bad wildcard", `{"a":[{"anything-but":{"wildcard":"**"}}]}`, &PatternError{Path: "a[0].anything-but.wildcard", Reason: "consecutive wildcard characters at position 1"}},
		// "$or" that is not an OR is an ordinary field; its list must then
		// be a valid match list.
		{"$or one branch", `{"$or":[{"a":["b"]}]}`, &PatternError{Path: "$or[0]", Reason: `unrecognized match type "a"`}},
		{"$or with operators", `{"$or":[{"numeric":123},{"prefix":"abc"}]}`, &PatternError{Path: "$or[0].numeric", Reason: "numeric must be a non-empty array of operator, number pairs"}},
		{"$or bad branch", `{"detail":{"$or":[{"a":["b"]},{"c":"d"}]}}`, &PatternError{Path: "detail.c", Reason: "must be an object or an array"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]byte(tc.pattern))
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%s) = %v, want a *PatternError", tc.pattern, err)
			}
			if diff := cmp.Diff(tc.want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileLimits(t *testing.T) {
	deep := ""
	for range MaxDepth + 1 {
		deep += `{"a":`
	}
	deep += `["x"]`
	for range MaxDepth + 1 {
		deep += `}`
	}
	var pe *PatternError
	if _, err := Compile([]byte(deep)); !errors.As(err, &pe) {
		t.Errorf("deep pattern: %v, want a *PatternError", err)
	}
	big := make([]byte, MaxPatternSize+1)
	if _, err := Compile(big); !errors.As(err, &pe) {
		t.Errorf("large pattern: %v, want a *PatternError", err)
	}
}

func TestEventErrors(t *testing.T) {
	p := MustCompile(`{"a":["b"]}`)
	for _, ev := range []string{``, `[1]`, `"x"`, `{"a":"b"} {}`, `{"a":`} {
		_, err := p.Match([]byte(ev))
		var ee *EventError
		if !errors.As(err, &ee) {
			t.Errorf("Match(%q) error = %v, want an *EventError", ev, err)
		}
	}
}

func TestCheckTestEvent(t *testing.T) {
	ev, err := ParseEvent([]byte(ec2Event))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckTestEvent(ev); err != nil {
		t.Errorf("complete event: %v", err)
	}
	for _, bad := range []string{
		`{"id":"1","account":"1","source":"s","time":"t","region":"r","resources":[]}`,
		`{"id":"1","account":"1","source":"s","time":"t","region":"r","resources":"x","detail-type":"d"}`,
		`{"id":1,"account":"1","source":"s","time":"t","region":"r","resources":[],"detail-type":"d"}`,
	} {
		ev, err := ParseEvent([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		var ee *EventError
		if err := CheckTestEvent(ev); !errors.As(err, &ee) {
			t.Errorf("CheckTestEvent(%s) = %v, want an *EventError", bad, err)
		}
	}
}

func TestEventFromValue(t *testing.T) {
	p := MustCompile(`{"n":[{"numeric":[">=",2]}],"m":[3]}`)
	if !p.MatchEvent(EventFromValue(map[string]any{"n": 2.5, "m": 3})) {
		t.Error("decoded event with float64 and int numbers did not match")
	}
}

func TestPatternString(t *testing.T) {
	src := `{"source":["vigil"]}`
	if got := MustCompile(src).String(); got != src {
		t.Errorf("String() = %q", got)
	}
}
