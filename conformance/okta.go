package conformance

import (
	"encoding/json"
	"strings"
)

// Headers of Okta's provisioning engine (SCIM 2.0 reference and support
// articles) and of Okta's SCIM 2.0 spec test, the OIN submission gate,
// whose GETs carry another User-Agent and whose POSTs are sent as
// application/json.
var (
	oktaGet = headers(
		"User-Agent", "Okta SCIM Client 1.0.0",
		"Accept", "application/scim+json",
		"Accept-Charset", "utf-8",
	)
	oktaSend = headers(
		"User-Agent", "Okta SCIM Client 1.0.0",
		"Accept", "application/scim+json",
		"Accept-Charset", "utf-8",
		"Content-Type", "application/scim+json; charset=utf-8",
	)
	oktaSpecGet = headers(
		"Accept", "application/scim+json",
		"Accept-Charset", "utf-8",
		"Content-Type", "application/scim+json; charset=utf-8",
		"User-Agent", "OKTA SCIM Integration",
	)
	oktaSpecPost = headers(
		"Accept", "application/scim+json; charset=utf-8",
		"Content-Type", "application/json",
	)
)

// oktaCreateBody is the user Okta's engine creates: core schema only,
// emails with type work, its own user id as externalId, an empty groups
// list and a password, which Okta sends even without password sync.
const oktaCreateBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{userName}}","name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"primary":true,"value":"{{userName}}","type":"work"}],"displayName":"Jane Doe","locale":"en-US","externalId":"{{oktaUserId}}","groups":[],"password":"{{password}}","active":true}`

// Okta's admin message prefixes for a user assignment, with the user and
// app filled in.
func oktaLookupContext(v map[string]string, user string) reqContext {
	return reqContext{okta: "Automatic provisioning of user " + user + " to app " + v["app"] + " failed: Error while verifying if user " + user + " exists"}
}

func oktaCreateContext(v map[string]string) reqContext {
	return reqContext{okta: "Automatic provisioning of user " + v["userName"] + " to app " + v["app"] + " failed: Error while creating user Jane Doe"}
}

func oktaPushContext(v map[string]string) reqContext {
	return reqContext{okta: "Automatic profile push of user " + v["userName"] + " to app " + v["app"] + " failed: Error while trying to push profile update for " + v["userName"]}
}

// oktaGroupContext has no documented prefix: group push failures show on
// the Push Groups tab with the same "Errors reported by remote server"
// tail, so the HTTP reason alone starts the message.
var oktaGroupContext = reqContext{}

var oktaConnection = reqContext{okta: "Error authenticating"}

// oktaSteps returns the requests Okta sends, in the order a connection
// test, an assignment, a profile push, a deactivation and a group push send
// them, plus the read-only steps of Okta's spec test.
func oktaSteps(opts Options) []step {
	steps := []step{
		{
			id: "okta.connection-test", title: "Test Connector Configuration",
			method: "GET", path: "/Users", query: "startIndex=1&count=2", header: oktaGet,
			judge: func(c *call) { _, v := ruleListResponse(ProfileOkta, oktaConnection, c.ex); c.add(v...) },
		},
		{
			id: "okta.spec.users-endpoint", title: "Spec test: Test Users endpoint",
			method: "GET", path: "/Users", query: "count=1&startIndex=1", header: oktaSpecGet,
			judge: judgeOktaSpecUsers,
			after: func(c *call) { c.setVar("specUserId", "Resources.0.id") },
		},
		{
			id: "okta.spec.get-user", title: "Spec test: Get Users/{{id}}",
			method: "GET", path: "/Users/{{specUserId}}", header: oktaSpecGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, reqContext{}, c.ex, "okta.spec.get-user", map[string]string{"id": c.vars["specUserId"]})
				c.add(v...)
			},
		},
		{
			id: "okta.lookup.missing", title: "Assignment lookup of a user that does not exist",
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{missingUser}}" + qt + "&startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) {
				c.add(ruleEmptyLookup(ProfileOkta, oktaLookupContext(c.vars, c.vars["missingUser"]), c.ex)...)
			},
		},
		{
			id: "okta.get.unknown-id", title: "Spec test: Test invalid User by ID",
			method: "GET", path: "/Users/{{unknownId}}", header: oktaSpecGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileOkta, c.ex)...) },
		},
		{
			id: "okta.auth.invalid", title: "Spec test: Check status 401",
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{userNameCaps}}" + qt,
			header: append(headers("Authorization", "non-token"), oktaSpecGet...),
			judge:  func(c *call) { c.add(ruleUnauthorized(ProfileOkta, c.ex)...) },
		},
		{
			id: "okta.groups.list", title: "Group import, first page",
			method: "GET", path: "/Groups", query: "startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) { _, v := ruleListResponse(ProfileOkta, oktaGroupContext, c.ex); c.add(v...) },
		},
		{
			id: "okta.group.lookup.missing", title: "Group push lookup of a group that does not exist",
			method: "GET", path: "/Groups", query: "filter=displayName" + sp + "eq" + sp + qt + "{{missingGroup}}" + qt + "&startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileOkta, oktaGroupContext, c.ex)...) },
		},
	}
	if opts.User != "" {
		steps = append(steps, oktaExistingUserSteps()...)
	}
	steps = append(steps, oktaUserWriteSteps(opts)...)
	if opts.OktaApp == OktaWizard {
		return append(steps, oktaWizardGroupSteps()...)
	}
	return append(steps, oktaGroupWriteSteps()...)
}

// judgeOktaSpecUsers applies the first step of Okta's spec test: a
// ListResponse whose first user has id, name, userName, active and an
// email. The spec test needs one user on the server; an empty list is a
// warning here, because a read-only run cannot create one.
func judgeOktaSpecUsers(c *call) {
	m, v := ruleListResponse(ProfileOkta, reqContext{}, c.ex)
	c.add(v...)
	if m == nil || c.failed() {
		return
	}
	if n, _ := resourceCount(m); n == 0 {
		c.add(warn("okta.spec.users-endpoint.first-user", "the server has no users; Okta's spec test asserts a non-empty Resources list", "Okta's OIN spec test fails this step until one user exists; provisioning itself works with an empty list"))
		return
	}
	for _, path := range []string{"id", "name.familyName", "name.givenName", "userName", "active", "emails.0.value"} {
		if s, ok := lookupString(m, "Resources.0."+path); !ok || s == "" {
			c.add(fail("okta.spec.users-endpoint.fields", "Resources[0]."+path+" is missing or empty", "Okta's spec test fails; Okta requires userName, name.givenName, name.familyName, emails and active on every user", ""))
		}
	}
}

func oktaExistingUserSteps() []step {
	return []step{
		{
			id: "okta.lookup.existing", title: "Assignment lookup of the existing user (--user)",
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{existingUser}}" + qt + "&startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) {
				c.add(ruleLookupHit(ProfileOkta, oktaLookupContext(c.vars, c.vars["existingUser"]), c.ex)...)
			},
			after: func(c *call) { c.setVar("existingId", "Resources.0.id") },
		},
		{
			id: "okta.lookup.existing-case", title: "Spec test: Username Case Sensitivity Check (--user)",
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{existingUserCaps}}" + qt, header: oktaSpecGet,
			judge: judgeOktaCaseLookup,
		},
		{
			id: "okta.get.existing", title: "Read of the existing user (--user)",
			method: "GET", path: "/Users/{{existingId}}", header: oktaGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, reqContext{}, c.ex, "okta.get.existing", map[string]string{"id": c.vars["existingId"]})
				c.add(v...)
			},
		},
	}
}

// judgeOktaCaseLookup applies the spec test's case check, which asserts only
// 200. A case-sensitive match is a warning: RFC 7643 defines userName with
// caseExact false, and Entra ID's validator requires the match.
func judgeOktaCaseLookup(c *call) {
	m, v := ruleListResponse(ProfileOkta, reqContext{}, c.ex)
	c.add(v...)
	if m == nil || c.failed() {
		return
	}
	if n, _ := resourceCount(m); n == 0 {
		c.add(warn("okta.lookup.case-insensitive", "the upper-cased userName found nothing: the filter compares userName case-sensitively", "Okta's spec test passes (it asserts only 200), but RFC 7643 defines userName as caseExact false and Entra ID's validator fails this"))
		return
	}
	c.add(pass("okta.lookup.case-insensitive", "200, and the upper-cased userName matched"))
}

func oktaUserWriteSteps(opts Options) []step {
	steps := []step{
		{
			id: "okta.create", title: "Create user (assignment)", write: true,
			method: "POST", path: "/Users", header: oktaSend, body: oktaCreateBody,
			judge: func(c *call) { _, v := ruleCreated(ProfileOkta, oktaCreateContext(c.vars), c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Users", "userName"); id != "" {
					c.vars["userId"] = id
				}
			},
		},
		{
			id: "okta.create.verify", title: "Spec test: Verify that user was created", write: true,
			method: "GET", path: "/Users/{{userId}}", header: oktaSpecGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, reqContext{}, c.ex, "okta.create.verify", map[string]string{
					"userName": c.vars["userName"], "name.givenName": "Jane", "name.familyName": "Doe",
				})
				c.add(v...)
			},
		},
		{
			id: "okta.lookup.created", title: "Lookup of the created user", write: true,
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{userName}}" + qt + "&startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) {
				c.add(ruleLookupHit(ProfileOkta, oktaLookupContext(c.vars, c.vars["userName"]), c.ex)...)
			},
		},
		{
			id: "okta.lookup.created-case", title: "Spec test: Username Case Sensitivity Check", write: true,
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{userNameCaps}}" + qt, header: oktaSpecGet,
			judge: judgeOktaCaseLookup,
		},
		{
			id: "okta.create.duplicate", title: "Spec test: Expect failure when recreating user with same values", write: true,
			method: "POST", path: "/Users", header: oktaSpecPost, body: oktaCreateBody,
			judge: func(c *call) { c.add(ruleDuplicate(ProfileOkta, c.ex)...) },
			after: func(c *call) { c.track("Users", "userName") },
		},
		{
			id: "okta.update.get", title: "Profile push: read before the update", write: true,
			method: "GET", path: "/Users/{{userId}}", header: oktaGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.update.get", map[string]string{"id": c.vars["userId"]})
				c.add(v...)
			},
			after: prepareOktaPut,
		},
		{
			id: "okta.update.put", title: "Profile push: PUT of the whole user", write: true,
			method: "PUT", path: "/Users/{{userId}}", header: oktaSend, body: "@putBody",
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.update.put", map[string]string{
					"name.givenName": "Janet", "active": "true",
				})
				for i := range v {
					if v[i].Status == Fail && strings.HasPrefix(v[i].Reason, "active") {
						v[i].IdPAction = "the PUT handler drops active: Okta sends the whole user, and a server that resets active deactivates the user by accident"
					}
				}
				c.add(v...)
			},
		},
	}
	steps = append(steps, oktaPasswordStep(opts))
	if opts.OktaApp == OktaWizard {
		steps = append(steps, step{
			id: "okta.deactivate", title: "Deactivate (App Integration Wizard app): PUT with active false", write: true,
			method: "PUT", path: "/Users/{{userId}}", header: oktaSend, body: "@deactivateBody",
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.deactivate", map[string]string{"active": "false"})
				c.add(v...)
			},
		})
	} else {
		steps = append(steps, step{
			id: "okta.deactivate", title: "Deactivate (catalog app): PATCH replace without path", write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: oktaSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.deactivate")...) },
		})
	}
	steps = append(steps,
		step{
			id: "okta.deactivate.verify", title: "Read of the deactivated user", write: true,
			method: "GET", path: "/Users/{{userId}}", header: oktaGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, reqContext{}, c.ex, "okta.deactivate.verify", map[string]string{"active": "false"})
				c.add(v...)
			},
		},
		step{
			id: "okta.lookup.deactivated", title: "Lookup of the deactivated user", write: true,
			method: "GET", path: "/Users", query: "filter=userName" + sp + "eq" + sp + qt + "{{userName}}" + qt + "&startIndex=1&count=100", header: oktaGet,
			judge: func(c *call) {
				v := ruleLookupHit(ProfileOkta, oktaLookupContext(c.vars, c.vars["userName"]), c.ex)
				for i := range v {
					if v[i].Rule == "okta.lookup.no-match" {
						v[i].Rule = "okta.lookup.inactive-visible"
						v[i].IdPAction = "a deactivated user vanishes from the filter, so a reassignment makes Okta create the user again, which fails with 409"
					}
				}
				c.add(v...)
			},
		},
	)
	if opts.OktaApp == OktaWizard {
		steps = append(steps, step{
			id: "okta.reactivate", title: "Reactivate: PUT with active true", write: true,
			method: "PUT", path: "/Users/{{userId}}", header: oktaSend, body: "@putBody",
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.reactivate", map[string]string{"active": "true"})
				c.add(v...)
			},
		})
	} else {
		steps = append(steps, step{
			id: "okta.reactivate", title: "Reactivate: PATCH replace without path", write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: oktaSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.reactivate")...) },
		})
	}
	return steps
}

// oktaPasswordAction is Okta's action when a password push fails.
const oktaPasswordAction = "Okta records the password push as failed and the server keeps the old password. Okta sends the password with every password change while password sync is on, so a server that does not store passwords must still answer 2xx and ignore the value; otherwise the admin turns password sync off in the app's provisioning settings"

// oktaPasswordStep returns Okta's password sync: for catalog apps a
// PATCH replace without path whose value carries the password, for
// wizard-built apps a PUT of the whole user with the password.
//
// NOTE: Okta's documentation states only that catalog apps sync passwords
// "via PATCH". The path-less replace is inferred from the deactivation
// PATCH. Okta documents no admin message prefix for a password push, so
// the profile push prefix is used in its place.
func oktaPasswordStep(opts Options) step {
	s := step{
		id: "okta.password.sync", title: "Password sync (catalog app): PATCH replace without path, carrying the password", write: true,
		method: "PATCH", path: "/Users/{{userId}}", header: oktaSend,
		body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"password":"{{newPassword}}"}}]}`,
		judge: judgeOktaPassword,
	}
	if opts.OktaApp == OktaWizard {
		s.title = "Password sync (App Integration Wizard app): PUT of the whole user with the password"
		s.method, s.body = "PUT", "@passwordBody"
	}
	return s
}

// judgeOktaPassword requires a 2xx to the password push, and warns when
// the response returns the password, which RFC 7643 section 4.1.1
// defines with returned "never".
func judgeOktaPassword(c *call) {
	var v []Verdict
	if c.ex.method == "PATCH" {
		v = rulePatched(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.password.sync")
	} else {
		_, v = ruleResource(ProfileOkta, oktaPushContext(c.vars), c.ex, "okta.password.sync", nil)
	}
	for i := range v {
		if v[i].Status == Fail {
			v[i].IdPAction = oktaPasswordAction
		}
	}
	c.add(v...)
	if m := c.object(); m != nil && c.ex.status >= 200 && c.ex.status <= 299 {
		if _, ok := getFold(m, "password"); ok {
			c.add(warn("okta.password.returned", "the response returns the password; RFC 7643 section 4.1.1 defines password with returned \"never\"",
				"Okta ignores it, but every such response sends the password back over the wire"))
		}
	}
}

// prepareOktaPut builds the bodies of Okta's updates from the user just
// read. Each body is the whole object, id, meta and groups included. The
// first carries the changed given name. The second adds a new password,
// for the password sync of wizard-built apps. The third has the changed
// given name and active false but no password, for their deactivation.
func prepareOktaPut(c *call) {
	m := c.object()
	if m == nil || c.failed() {
		return
	}
	name, _ := getFoldValue(m, "name").(map[string]any)
	if name == nil {
		name = map[string]any{}
	}
	name["givenName"] = "Janet"
	m["name"] = name
	m["active"] = true
	if _, ok := getFold(m, "groups"); !ok {
		m["groups"] = []any{}
	}
	if b, err := json.Marshal(m); err == nil {
		c.vars["putBody"] = string(b)
	}
	m["password"] = c.vars["newPassword"]
	if b, err := json.Marshal(m); err == nil {
		c.vars["passwordBody"] = string(b)
	}
	delete(m, "password")
	m["active"] = false
	if b, err := json.Marshal(m); err == nil {
		c.vars["deactivateBody"] = string(b)
	}
}

// oktaGroupWriteSteps returns group push as catalog (OIN) apps send it.
func oktaGroupWriteSteps() []step {
	return []step{
		{
			id: "okta.group.create", title: "Group push: create the group", write: true,
			method: "POST", path: "/Groups", header: oktaSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"{{groupName}}","members":[]}`,
			judge: func(c *call) { _, v := ruleCreated(ProfileOkta, oktaGroupContext, c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Groups", "groupName"); id != "" {
					c.vars["groupId"] = id
				}
			},
		},
		{
			id: "okta.group.rename", title: "Group push: PATCH replace without path, carrying id", write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: oktaSend,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"{{groupId}}","displayName":"{{groupRenamed}}"}}]}`,
			judge: func(c *call) {
				v := rulePatched(ProfileOkta, oktaGroupContext, c.ex, "okta.group.rename")
				for i := range v {
					if v[i].Status == Fail {
						v[i].IdPAction = "Okta sends this rename with the group's own id on every membership update; a server that rejects touching id breaks group push"
					}
				}
				c.add(v...)
			},
		},
		{
			id: "okta.group.members", title: "Group push: remove by filter and add the member in one PATCH", write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: oktaSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"{{userId}}\"]"},{"op":"add","path":"members","value":[{"value":"{{userId}}","display":"{{userName}}"}]}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileOkta, oktaGroupContext, c.ex, "okta.group.members")...) },
		},
		{
			id: "okta.group.members.verify", title: "Read of the pushed group", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, "okta.group.members.verify", map[string]string{"displayName": c.vars["groupRenamed"]})
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileOkta, m, []string{c.vars["userId"]}, nil, "okta.group.members.verify")...)
				}
			},
		},
		{
			id: "okta.group.members.replace-empty", title: "Group push of an empty group: replace members with []", write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: oktaSend,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[]}]}`,
			judge: func(c *call) {
				c.add(rulePatched(ProfileOkta, oktaGroupContext, c.ex, "okta.group.members.replace-empty")...)
			},
		},
		{
			id: "okta.group.members.replace-empty.verify", title: "Read of the emptied group", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, "okta.group.members.replace-empty.verify", nil)
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileOkta, m, nil, []string{c.vars["userId"]}, "okta.group.members.replace-empty.verify")...)
				}
			},
		},
		{
			id: "okta.group.delete", title: "Unlink pushed group with delete in the target", write: true,
			method: "DELETE", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) { c.add(ruleDeleted(ProfileOkta, c.ex, "okta.group.delete")...) },
			after: func(c *call) { c.untrack("Groups", "groupId") },
		},
	}
}

// oktaWizardGroupSteps returns group push as apps built with the App
// Integration Wizard send it. They send no PATCH at all. They send a POST,
// a GET and a PUT of the whole group with its full members list, then a
// PUT with an empty list for a group whose last member left.
func oktaWizardGroupSteps() []step {
	return []step{
		{
			id: "okta.group.create", title: "Group push: create the group", write: true,
			method: "POST", path: "/Groups", header: oktaSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"{{groupName}}","members":[]}`,
			judge: func(c *call) { _, v := ruleCreated(ProfileOkta, oktaGroupContext, c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Groups", "groupName"); id != "" {
					c.vars["groupId"] = id
				}
			},
		},
		{
			id: "okta.group.read", title: "Group push: read before the PUT", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, "okta.group.read", map[string]string{"id": c.vars["groupId"]})
				c.add(v...)
			},
			after: prepareOktaGroupPut,
		},
		{
			id: "okta.group.put", title: "Group push (App Integration Wizard app): PUT of the whole group with its members", write: true,
			method: "PUT", path: "/Groups/{{groupId}}", header: oktaSend, body: "@groupPutBody",
			judge: func(c *call) { judgeOktaGroupPut(c, "okta.group.put") },
		},
		{
			id: "okta.group.members.verify", title: "Read of the pushed group", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, "okta.group.members.verify", map[string]string{"displayName": c.vars["groupRenamed"]})
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileOkta, m, []string{c.vars["userId"]}, nil, "okta.group.members.verify")...)
				}
			},
		},
		{
			id: "okta.group.put-empty", title: "Group push of an empty group: PUT with members []", write: true,
			method: "PUT", path: "/Groups/{{groupId}}", header: oktaSend, body: "@groupPutEmptyBody",
			judge: func(c *call) { judgeOktaGroupPut(c, "okta.group.put-empty") },
		},
		{
			id: "okta.group.put-empty.verify", title: "Read of the emptied group", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, "okta.group.put-empty.verify", nil)
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileOkta, m, nil, []string{c.vars["userId"]}, "okta.group.put-empty.verify")...)
				}
			},
		},
		{
			id: "okta.group.delete", title: "Unlink pushed group with delete in the target", write: true,
			method: "DELETE", path: "/Groups/{{groupId}}", header: oktaGet,
			judge: func(c *call) { c.add(ruleDeleted(ProfileOkta, c.ex, "okta.group.delete")...) },
			after: func(c *call) { c.untrack("Groups", "groupId") },
		},
	}
}

// judgeOktaGroupPut requires 200 with the group (RFC 7644 section 3.5.1)
// and the new displayName.
func judgeOktaGroupPut(c *call, rule string) {
	_, v := ruleResource(ProfileOkta, oktaGroupContext, c.ex, rule, map[string]string{"displayName": c.vars["groupRenamed"]})
	for i := range v {
		if v[i].Status == Fail && v[i].IdPAction == "Okta records the request as failed" {
			v[i].IdPAction = "a wizard-built app pushes every group change as this PUT; when it fails, the group's name and members on the server stop following Okta"
		}
	}
	c.add(v...)
}

// prepareOktaGroupPut builds the PUT bodies of a wizard-built app's group
// push from the group just read. Both bodies are the whole object, id and
// meta included, with the new displayName. The first has the created user
// as its only member, and the second has an empty members list. It sets
// neither when the run has no user id, so both PUTs are skipped.
func prepareOktaGroupPut(c *call) {
	m := c.object()
	if m == nil || c.failed() || c.vars["userId"] == "" {
		return
	}
	m["displayName"] = c.vars["groupRenamed"]
	m["members"] = []any{map[string]any{"value": c.vars["userId"], "display": c.vars["userName"]}}
	if b, err := json.Marshal(m); err == nil {
		c.vars["groupPutBody"] = string(b)
	}
	m["members"] = []any{}
	if b, err := json.Marshal(m); err == nil {
		c.vars["groupPutEmptyBody"] = string(b)
	}
}
