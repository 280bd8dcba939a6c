package conformance

// Entra ID's provisioning service documents no User-Agent. Its requests
// carry bodies as application/scim+json. Its filters are sent with "+" for
// a space and raw quotes (escapeQueryLoose).
var (
	entraGet  = headers("Accept", "application/scim+json")
	entraSend = headers("Accept", "application/scim+json", "Content-Type", "application/scim+json")
)

// entraCreateBody is the user Entra ID creates: core and enterprise
// schemas, externalId, meta with the resource type, the name with
// formatted, an empty roles list.
const entraCreateBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"{{externalId}}","userName":"{{userName}}","active":true,"emails":[{"primary":true,"type":"work","value":"{{userName}}"}],"meta":{"resourceType":"User"},"name":{"formatted":"Jane Doe","familyName":"Doe","givenName":"Jane"},"roles":[],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"{{employeeNumber}}","department":"Engineering"}}`

var (
	entraTest  = reqContext{entra: entraTestConnection}
	entraQ     = reqContext{entra: entraQuery}
	entraW     = reqContext{entra: entraWrite}
	entraReadC = reqContext{entra: entraRead}
)

// entraSteps returns the requests Entra ID sends: Test Connection, the
// matching queries, and with --write a user's and a group's life cycle in
// the PATCH dialect of the selected mode.
func entraSteps(opts Options) []step {
	flag := opts.EntraMode == EntraFlag
	steps := []step{
		{
			id: "entra.test-connection", title: "Test Connection: filter on a random GUID",
			method: "GET", path: "/Users", query: `filter=userName+eq+"{{guid}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileEntra, entraTest, c.ex)...) },
		},
		{
			id: "entra.lookup.externalId", title: "Matching on externalId, no match",
			method: "GET", path: "/Users", query: `filter=externalId+eq+"{{guid}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileEntra, entraQ, c.ex)...) },
		},
		{
			id: "entra.lookup.email", title: `Matching on emails[type eq "work"].value, no match`,
			method: "GET", path: "/Users", query: `filter=emails[type+eq+"work"].value+eq+"{{missingUser}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileEntra, entraQ, c.ex)...) },
		},
		{
			id: "entra.group.lookup.missing", title: "Group matching on displayName without members, no match",
			method: "GET", path: "/Groups", query: `excludedAttributes=members&filter=displayName+eq+"{{missingGroup}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleEmptyLookup(ProfileEntra, entraQ, c.ex)...) },
		},
		{
			id: "entra.schemas", title: "Schema discovery",
			method: "GET", path: "/Schemas", header: entraGet,
			judge: judgeEntraSchemas,
		},
		{
			id: "entra.get.unknown-id", title: "Read of an id that does not exist",
			method: "GET", path: "/Users/{{guid}}", header: entraGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileEntra, c.ex)...) },
		},
	}
	if opts.User != "" {
		steps = append(steps,
			step{
				id: "entra.lookup.existing", title: "Matching on userName, the existing user (--user)",
				method: "GET", path: "/Users", query: `filter=userName+eq+"{{existingUser}}"`, escape: escapeQueryLoose, header: entraGet,
				judge: func(c *call) { c.add(ruleLookupHit(ProfileEntra, entraQ, c.ex)...) },
				after: func(c *call) { c.setVar("existingId", "Resources.0.id") },
			},
			step{
				id: "entra.lookup.existing-case", title: "Matching on userName in another case (--user)",
				method: "GET", path: "/Users", query: `filter=userName+eq+"{{existingUserCaps}}"`, escape: escapeQueryLoose, header: entraGet,
				judge: func(c *call) { c.add(caseRule(ruleLookupHit(ProfileEntra, entraQ, c.ex))...) },
			},
			step{
				id: "entra.get.existing", title: "Read of the existing user (--user)",
				method: "GET", path: "/Users/{{existingId}}", header: entraGet,
				judge: func(c *call) {
					_, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.get.existing", map[string]string{"id": c.vars["existingId"]})
					c.add(v...)
				},
			},
		)
	}
	steps = append(steps, entraUserWriteSteps(flag)...)
	return append(steps, entraGroupWriteSteps(flag)...)
}

// caseRule renames a failed case-variant match: Entra ID's validator
// requires userName to match case-insensitively (RFC 7643: caseExact
// false).
func caseRule(v []Verdict) []Verdict {
	for i := range v {
		if v[i].Rule == "entra.lookup.no-match" {
			v[i].Rule = "entra.lookup.case-insensitive"
			v[i].Reason = "the userName in another case found nothing: the filter compares userName case-sensitively"
			v[i].IdPAction = "Entra ID does not match the existing user, creates it again and gets 409; its validator fails \"Filter for an existing user with a different case\""
		}
	}
	return v
}

// judgeEntraSchemas checks that /Schemas is a ListResponse with the core
// User schema. The Group schema is needed for group provisioning, and
// Entra's gallery validation fails group tests without it.
func judgeEntraSchemas(c *call) {
	m, v := ruleListResponse(ProfileEntra, entraReadC, c.ex)
	c.add(v...)
	if m == nil || c.failed() {
		return
	}
	ids := map[string]bool{}
	list, _ := getFoldValue(m, "Resources").([]any)
	for _, item := range list {
		im, _ := item.(map[string]any)
		if id, ok := lookupString(im, "id"); ok {
			ids[id] = true
		}
	}
	if !ids[urnUser] {
		c.add(fail("entra.schemas.user", "/Schemas does not list "+urnUser, "Entra ID cannot map user attributes to the schema", ""))
	}
	if !ids[urnGroup] {
		c.add(warn("entra.schemas.group", "/Schemas does not list "+urnGroup, "Entra ID's gallery validation fails every group test without the Group schema"))
	}
}

func entraUserWriteSteps(flag bool) []step {
	patchAttrs := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"{{emailNew}}"},{"op":"Replace","path":"name.familyName","value":"Doe-Smith"}]}`
	disable := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	patchTitle := `PATCH "Replace" of emails[type eq "work"].value and name.familyName`
	disableTitle := `Disable: PATCH "Replace" active with the string "False"`
	if flag {
		patchAttrs = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"{{emailNew}}"},{"op":"replace","value":{"name.familyName":"Doe-Smith","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"{{employeeNumber}}9"}}]}`
		disable = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
		patchTitle = "PATCH replace with a filtered path and a path-less value with dotted and URN keys (aadOptscim062020)"
		disableTitle = "Disable: PATCH replace active with false (aadOptscim062020)"
	}
	return []step{
		{
			id: "entra.create", title: "Create user", write: true,
			method: "POST", path: "/Users", header: entraSend, body: entraCreateBody,
			judge: func(c *call) { _, v := ruleCreated(ProfileEntra, entraW, c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Users", "userName"); id != "" {
					c.vars["userId"] = id
				}
			},
		},
		{
			id: "entra.create.duplicate", title: "Create the same user again", write: true,
			method: "POST", path: "/Users", header: entraSend, body: entraCreateBody,
			judge: func(c *call) { c.add(ruleDuplicate(ProfileEntra, c.ex)...) },
			after: func(c *call) { c.track("Users", "userName") },
		},
		{
			id: "entra.lookup.created-case", title: "Matching on userName in another case", write: true,
			method: "GET", path: "/Users", query: `filter=userName+eq+"{{userNameCaps}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(caseRule(ruleLookupHit(ProfileEntra, entraQ, c.ex))...) },
		},
		{
			id: "entra.lookup.externalId-created", title: "Matching on externalId", write: true,
			method: "GET", path: "/Users", query: `filter=externalId+eq+"{{externalId}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleLookupHit(ProfileEntra, entraQ, c.ex)...) },
		},
		{
			id: "entra.lookup.email-created", title: `Matching on emails[type eq "work"].value`, write: true,
			method: "GET", path: "/Users", query: `filter=emails[type+eq+"work"].value+eq+"{{userName}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) { c.add(ruleLookupHit(ProfileEntra, entraQ, c.ex)...) },
		},
		{
			id: "entra.patch.attributes", title: patchTitle, write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: entraSend, body: patchAttrs,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.patch.attributes")...) },
		},
		{
			id: "entra.patch.attributes.verify", title: "Read after the attribute PATCH", write: true,
			method: "GET", path: "/Users/{{userId}}", header: entraGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.patch.attributes.verify", map[string]string{
					"name.familyName": "Doe-Smith", "emails.0.value": c.vars["emailNew"],
				})
				c.add(v...)
			},
		},
		{
			id: "entra.patch.manager", title: "PATCH Add of the enterprise manager as a bare string", write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: entraSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"{{userId}}"}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.patch.manager-string")...) },
		},
		{
			id: "entra.disable", title: disableTitle, write: true,
			method: "PATCH", path: "/Users/{{userId}}", header: entraSend, body: disable,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.patch.disable")...) },
		},
		{
			id: "entra.disable.verify", title: "Read of the disabled user", write: true,
			method: "GET", path: "/Users/{{userId}}", header: entraGet,
			judge: func(c *call) {
				_, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.disable.verify", map[string]string{"active": "false"})
				c.add(v...)
			},
		},
		{
			id: "entra.lookup.disabled", title: "Matching on userName of the disabled user", write: true,
			method: "GET", path: "/Users", query: `filter=userName+eq+"{{userName}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) {
				v := ruleLookupHit(ProfileEntra, entraQ, c.ex)
				for i := range v {
					if v[i].Rule == "entra.lookup.no-match" {
						v[i].Rule = "entra.lookup.inactive-visible"
						v[i].IdPAction = "Entra ID loses track of soft-deleted users (InvalidAnchor) and its validator fails \"Patch User - Disable User\""
					}
				}
				c.add(v...)
			},
		},
	}
}

func entraGroupWriteSteps(flag bool) []step {
	remove := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"{{userId}}"}]}]}`
	removeTitle := `Remove member: "Remove" of members with a value list`
	if flag {
		remove = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"{{userId}}\"]"}]}`
		removeTitle = "Remove member: remove with a members[value eq] filter (aadOptscim062020)"
	}
	return []step{
		{
			id: "entra.group.create", title: "Create group with the ADSCIM schema and externalId", write: true,
			method: "POST", path: "/Groups", header: entraSend,
			body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"{{groupExternalId}}","displayName":"{{groupName}}","meta":{"resourceType":"Group"}}`,
			judge: func(c *call) { _, v := ruleCreated(ProfileEntra, entraW, c.ex); c.add(v...) },
			after: func(c *call) {
				if id := c.track("Groups", "groupName"); id != "" {
					c.vars["groupId"] = id
				}
			},
		},
		{
			id: "entra.group.lookup.created", title: "Group matching on displayName without members", write: true,
			method: "GET", path: "/Groups", query: `excludedAttributes=members&filter=displayName+eq+"{{groupName}}"`, escape: escapeQueryLoose, header: entraGet,
			judge: func(c *call) {
				c.add(ruleLookupHit(ProfileEntra, entraQ, c.ex)...)
				if m := c.object(); m != nil && c.ex.status == 200 {
					c.add(ruleMembersExcluded(ProfileEntra, m)...)
				}
			},
		},
		{
			id: "entra.group.add-member", title: `Add member: "Add" of members with "$ref": null`, write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: entraSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"{{userId}}"}]}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.group.add-member")...) },
		},
		{
			id: "entra.group.get", title: "Read of the group without members", write: true,
			method: "GET", path: "/Groups/{{groupId}}", query: "excludedAttributes=members", header: entraGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.group.get", map[string]string{"displayName": c.vars["groupName"]})
				c.add(v...)
				if m != nil {
					c.add(ruleMembersExcluded(ProfileEntra, m)...)
				}
			},
		},
		{
			id: "entra.group.add-member.verify", title: "Read of the group with members", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: entraGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.group.add-member.verify", nil)
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileEntra, m, []string{c.vars["userId"]}, nil, "entra.group.add-member.verify")...)
				}
			},
		},
		{
			id: "entra.group.remove-member", title: removeTitle, write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: entraSend, body: remove,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.group.remove-member")...) },
		},
		{
			id: "entra.group.remove-member.verify", title: "Read of the group after the removal", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: entraGet,
			judge: func(c *call) {
				m, v := ruleResource(ProfileEntra, entraReadC, c.ex, "entra.group.remove-member.verify", nil)
				c.add(v...)
				if m != nil {
					c.add(ruleMembership(ProfileEntra, m, nil, []string{c.vars["userId"]}, "entra.group.remove-member.verify")...)
				}
			},
		},
		{
			id: "entra.group.rename", title: `Rename: "Replace" of displayName`, write: true,
			method: "PATCH", path: "/Groups/{{groupId}}", header: entraSend,
			body:  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"{{groupRenamed}}"}]}`,
			judge: func(c *call) { c.add(rulePatched(ProfileEntra, entraW, c.ex, "entra.group.rename")...) },
		},
		{
			id: "entra.group.delete", title: "Delete group", write: true,
			method: "DELETE", path: "/Groups/{{groupId}}", header: entraGet,
			judge: func(c *call) { c.add(ruleDeleted(ProfileEntra, c.ex, "entra.group.delete")...) },
			after: func(c *call) { c.untrack("Groups", "groupId") },
		},
		{
			id: "entra.group.delete.verify", title: "Read of the deleted group", write: true,
			method: "GET", path: "/Groups/{{groupId}}", header: entraGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileEntra, c.ex)...) },
		},
		{
			id: "entra.user.delete", title: "Delete user (hard delete after the soft-delete period)", write: true,
			method: "DELETE", path: "/Users/{{userId}}", header: entraGet,
			judge: func(c *call) { c.add(ruleDeleted(ProfileEntra, c.ex, "entra.user.delete")...) },
			after: func(c *call) { c.untrack("Users", "userId") },
		},
		{
			id: "entra.user.delete.verify", title: "Read of the deleted user", write: true,
			method: "GET", path: "/Users/{{userId}}", header: entraGet,
			judge: func(c *call) { c.add(ruleNotFound(ProfileEntra, c.ex)...) },
		},
	}
}
