package api

// Route is one registered route: a method, a ServeMux pattern (Go 1.22
// syntax, path parameters in braces) and the access it requires.
type Route struct {
	Method  string
	Pattern string
	Access  Access
	handler HandlerFunc
}

// table lists every route of the API, once.
func (s *Server) table() []Route {
	rs := []Route{
		{"GET", "/healthz", Public, s.healthz},
		{"GET", "/readyz", Public, s.readyz},
		{"GET", "/v1/openapi.yaml", Public, s.openapi},

		{"GET", "/v1/accounts", Read, s.listAccounts},
		{"POST", "/v1/accounts", Admin, s.createAccount},
		{"GET", "/v1/accounts/{id}", Read, s.getAccount},

		{"GET", "/v1/tokens", Read, s.listTokens},
		{"POST", "/v1/tokens", Admin, s.createToken},
		{"GET", "/v1/tokens/{id}", Read, s.getToken},
		{"DELETE", "/v1/tokens/{id}", Admin, s.revokeToken},

		{"GET", "/v1/resources", Read, s.listResources},
		{"POST", "/v1/resources/images", Write, s.registerImage},
		{"POST", "/v1/resources/hosts", Write, s.pushHost},
		{"POST", "/v1/resources/sboms", Write, s.uploadSBOM},
		{"POST", "/v1/resources/functions", Write, s.uploadFunction},
		{"GET", "/v1/resources/{id}", Read, s.getResource},
		{"PUT", "/v1/resources/{id}/tags", Write, s.setTags},
		{"DELETE", "/v1/resources/{id}", Write, s.deleteResource},
		{"GET", "/v1/resources/{id}/inventory", Read, s.getInventory},
		{"GET", "/v1/resources/{id}/sbom", Read, s.exportSBOM},

		{"POST", "/v1/scans", Write, s.requestScan},

		{"GET", "/v1/events", Read, s.listEvents},
		{"GET", "/v1/audit", Read, s.listAudit},

		{"GET", "/v1/scan-configuration", Read, s.getScanConfig},
		{"PUT", "/v1/scan-configuration", Admin, s.putScanConfig},
	}
	rs = append(rs, s.dashboardRoutes()...)
	rs = append(rs, s.deliveryRoutes()...)
	rs = append(rs, s.findingRoutes()...)
	rs = append(rs, s.probeRoutes()...)
	return append(rs, s.agentRoutes()...)
}
