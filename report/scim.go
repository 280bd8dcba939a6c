package report

// SCIM is the outcome of the SCIM layer: the read-only requests that Okta
// and Entra ID send after the connection, replayed by the conformance
// engine, with a verdict per request.
type SCIM struct {
	// Profiles lists the conformance profiles that ran, in order.
	Profiles []SCIMProfile `json:"profiles"`
	// FirstFailure is the first request in run order whose verdict is
	// fail, or nil when none failed. check names it as the failing layer.
	FirstFailure *SCIMStep `json:"first_failure,omitempty"`
	// Aborted is set when the run stopped early: the endpoint went away
	// or a request timed out.
	Aborted string `json:"aborted,omitempty"`
	// Requests counts the requests sent.
	Requests int `json:"requests"`
}

// SCIMProfile holds the requests of one conformance profile.
type SCIMProfile struct {
	// Profile is "okta" or "entra".
	Profile string     `json:"profile"`
	Steps   []SCIMStep `json:"steps"`
}

// SCIMStep is one request and its verdict. The request carries no
// credentials, because the conformance engine redacts them before check
// copies the request into the report.
type SCIMStep struct {
	Profile string `json:"profile"`
	// Step is the conformance step id, such as "entra.test-connection",
	// and Title describes the request in the IdP's terms.
	Step   string `json:"step"`
	Title  string `json:"title"`
	Method string `json:"method,omitempty"`
	URL    string `json:"url,omitempty"`
	// Status is the HTTP status of the response, or 0 when none came.
	Status int `json:"status,omitempty"`
	// Verdict is "pass", "warn", "fail" or "skip".
	Verdict string `json:"verdict"`
	// Rule is the id of the conformance rule that decided the verdict.
	Rule   string `json:"rule"`
	Reason string `json:"reason,omitempty"`
	// IdPAction is the IdP's reaction to the response, and AdminMessage
	// the message its admin would read.
	IdPAction    string `json:"idp_action,omitempty"`
	AdminMessage string `json:"admin_message,omitempty"`
}
