// Package patch applies SCIM PATCH requests (RFC 7644 Section 3.5.2) and
// reads PUT and POST bodies, accepting the dialects that Okta and Entra ID
// send while always producing a document in strict RFC 7643 form.
//
// A PATCH handler calls [Parse] on the body, then [Apply] with the stored
// document inside the store's Update. Result.Doc is the document to store.
// Result.Members is the Group membership change, which
// [MemberChange.ApplyTo] applies through the store's MemberEditor in the
// same transaction. A PUT handler calls [ReplaceBody] and a POST handler
// [CreateBody]. Each result lists the [Rule] values that fired, for one log
// line per rule with the request id.
//
// Every dialect is a named Rule. With Options.Strict, the rules whose
// Strict field is false are off, and their input gets the RFC error. The
// others (such as RulePrimaryExclusive and RuleEmptyClears) handle input
// that the RFCs allow, so they stay on.
//
// The package does no I/O. Its only callback is [MemberSource], which
// Apply uses for member filters other than value eq "id".
package patch
