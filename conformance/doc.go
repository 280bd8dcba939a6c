// Package conformance replays against a SCIM 2.0 endpoint the requests
// that Okta and Microsoft Entra ID really send, and judges each response the
// way that identity provider does.
//
// Use Run with a Target (base URL, credentials) and Options (profiles,
// read-only or Write, Plan), then Write to render the Result as text, JSON
// or JUnit XML. Result.ExitCode maps the outcome to scimdoctor's exit codes.
//
// Profiles are flows of requests held as data (method, path, query encoded
// as the IdP encodes it, headers, body templates) with a judge per
// request:
//
//   - okta: Okta's provisioning engine (User-Agent "Okta SCIM Client
//     1.0.0", lookups with startIndex=1&count=100, create with the password
//     placeholder and groups [], update as GET then PUT, password sync,
//     deactivation and group push) and the read-only steps of Okta's SCIM
//     2.0 spec test. Options.OktaApp selects the app kind. Catalog apps
//     sync passwords and deactivate by path-less PATCH. They push groups
//     with the rename that carries id, remove-by-filter plus add, and
//     replace members []. Apps built with the App Integration Wizard send a
//     PUT of the whole user or group instead.
//   - entra: Entra ID's provisioning service (Test Connection on a random
//     GUID, userName, externalId and emails[type eq "work"].value matching,
//     capitalised ops, string booleans, "$ref": null, manager as a string,
//     excludedAttributes=members, member removal by value list or, with the
//     aadOptscim062020 flag, by filter).
//   - rfc: strict RFC 7643/7644 checks where both IdPs are lenient.
//
// Each request gets a Verdict: pass, warn or fail, the id of the deciding
// rule (such as "okta.lookup.empty-404-accepted"), what the IdP does with
// the response, and the message its admin would read.
//
// Without Options.Write only read-only requests are sent. With it, the
// resources a run creates carry a unique prefix and are deleted before Run
// returns, also after a failure, a timeout or a cancelled context.
package conformance
