package model

import "time"

// FindingType is the kind of a finding, as in Inspector, extended with the
// kinds vigil adds later (CIS checks).
type FindingType string

// Finding types.
const (
	FindingPackageVulnerability FindingType = "PACKAGE_VULNERABILITY"
	FindingNetworkReachability  FindingType = "NETWORK_REACHABILITY"
	FindingCodeVulnerability    FindingType = "CODE_VULNERABILITY"
	FindingConfiguration        FindingType = "CONFIGURATION"
)

// Observation is what one analyzer saw in one scan, before reconciliation
// with stored findings: a generic part (what is wrong) and a target part
// (where). Exactly one of the detail pointers is set, matching Type.
type Observation struct {
	Type FindingType `json:"type"`
	// CheckID is the advisory id for package findings, the rule or check id
	// for others.
	CheckID     string   `json:"checkId"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Remediation string   `json:"remediation,omitempty"`

	Package *PackageDetail `json:"packageVulnerabilityDetails,omitempty"`
	Network *NetworkDetail `json:"networkReachabilityDetails,omitempty"`
	Code    *CodeDetail    `json:"codeVulnerabilityDetails,omitempty"`
}

// PackageDetail is the target part of a package vulnerability observation.
type PackageDetail struct {
	Vulnerability Vulnerability `json:"vulnerability"`
	Package       Package       `json:"package"`
	// Exposure is what the network analysis says about the package's host
	// (nil: nothing known); it adjusts the score.
	Exposure *PackageExposure `json:"exposure,omitempty"`
}

// PackageExposure is the network context of a package on a host.
type PackageExposure struct {
	// HostReachable is false when no port of the host is reachable.
	HostReachable bool `json:"hostReachable"`
	// InternetListeners are the internet-reachable ports the package's own
	// processes listen on ("TCP 22 (sshd)").
	InternetListeners []string `json:"internetListeners,omitempty"`
}

// PortRange is an inclusive range of ports.
type PortRange struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// PathStep is one component on a network path.
type PathStep struct {
	ComponentID   string `json:"componentId"`
	ComponentType string `json:"componentType"`
}

// NetworkDetail is the target part of a network reachability observation.
type NetworkDetail struct {
	Protocol string     `json:"protocol"`
	Ports    PortRange  `json:"openPortRange"`
	From     string     `json:"from"`
	Steps    []PathStep `json:"steps"`
	Process  string     `json:"process,omitempty"`
	// Confirmed is true once an active probe found a port of the range
	// open; Evidence holds the latest probes of the range (newest last,
	// at most MaxProbeEvidence). Both are kept across rescans that
	// observe the same reachability.
	Confirmed bool            `json:"confirmed,omitempty"`
	Evidence  []ProbeEvidence `json:"evidence,omitempty"`
}

// MaxProbeEvidence bounds the probe runs kept on one finding.
const MaxProbeEvidence = 10

// MaxProbeClosed bounds the closed ports listed in one ProbeEvidence.
const MaxProbeClosed = 32

// ProbeEvidence is what one active probe (vigil probe --attach) saw of a
// finding's port range from one vantage point.
type ProbeEvidence struct {
	// ProbedAt is when the probe ran; Vantage where it ran from (a name
	// given to the probe, else the prober's host name).
	ProbedAt time.Time `json:"probedAt"`
	Vantage  string    `json:"vantage"`
	// Target is the host as named to the probe, Addr the address probed.
	Target string `json:"target"`
	Addr   string `json:"addr"`
	// Probed counts the ports of the range the probe tried.
	Probed int `json:"probed"`
	// Ports are the open ports of the range, with their banners, then
	// up to MaxProbeClosed closed ones; ClosedOmitted counts the closed
	// ports not listed.
	Ports         []ProbePort `json:"ports"`
	ClosedOmitted int         `json:"closedOmitted,omitempty"`
}

// ProbePort is one probed port.
type ProbePort struct {
	Port int `json:"port"`
	// Open is true when the port accepted a TCP connection.
	Open bool `json:"open"`
	// Service is the recognised service ("ssh", "http", "https", "tls");
	// Banner what it said (SSH identification, HTTP Server header, TLS
	// certificate subject).
	Service string `json:"service,omitempty"`
	Banner  string `json:"banner,omitempty"`
}

// CodeDetail is the target part of a code or configuration observation.
type CodeDetail struct {
	CWEs      []string `json:"cwes,omitempty"`
	RuleID    string   `json:"ruleId"`
	FilePath  string   `json:"filePath"`
	StartLine int      `json:"startLine,omitempty"`
	EndLine   int      `json:"endLine,omitempty"`
}
