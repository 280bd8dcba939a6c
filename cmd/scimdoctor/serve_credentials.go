package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scimdoctor/scimdoctor/scim/server"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// credentialID returns the ID that "serve token list" shows for a bearer
// token: the first 12 hex digits of the SHA-256 of its lookup key. The
// lookup key is itself the token's SHA-256, so the ID names the token
// without showing the token or the hash stored for it. Basic users and
// OAuth clients are shown by their user name and client id.
func credentialID(c store.Credential) string {
	if c.Kind != store.BearerToken {
		return c.Key
	}
	sum := sha256.Sum256([]byte(c.Key))
	return hex.EncodeToString(sum[:])[:12]
}

// printCredentials writes one line per credential: ID, name, tenant, kind,
// creation time and expiry. It never writes a secret or a hash.
func (a *app) printCredentials(creds []store.Credential) {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTENANT\tKIND\tCREATED (UTC)\tEXPIRES (UTC)")
	for _, c := range creds {
		expires := "never"
		if !c.Expires.IsZero() {
			expires = c.Expires.UTC().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", credentialID(c), c.Name, c.Tenant, c.Kind, c.Created.UTC().Format(time.DateTime), expires)
	}
	tw.Flush()
}

// listCredentials returns the credentials of the kinds, of one tenant
// when tenant is not empty.
func listCredentials(ctx context.Context, cs store.CredentialAdmin, tenant string, kinds ...store.CredentialKind) ([]store.Credential, error) {
	var out []store.Credential
	for _, kind := range kinds {
		creds, err := cs.ListCredentials(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, c := range creds {
			if tenant == "" || c.Tenant == tenant {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// findOne returns the one credential of kind whose ID or name is ref. Its
// errors name ref and the list command, given as command, that shows the
// IDs. noun is the kind's name in messages.
func findOne(ctx context.Context, cs store.CredentialAdmin, kind store.CredentialKind, ref, noun, command string) (store.Credential, error) {
	creds, err := cs.ListCredentials(ctx, kind)
	if err != nil {
		return store.Credential{}, err
	}
	var found []store.Credential
	for _, c := range creds {
		if credentialID(c) == ref || c.Name == ref {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return store.Credential{}, withHint(fmt.Errorf("no %s with the ID or name %q", noun, ref), "list them with: scimdoctor "+command)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, c := range found {
		ids[i] = credentialID(c)
	}
	return store.Credential{}, withHint(fmt.Errorf("%d %ss match %q: %s", len(found), noun, ref, strings.Join(ids, ", ")), "give the ID of one of them")
}

// findBasicUser returns the Basic user named user.
func findBasicUser(ctx context.Context, cs store.CredentialAdmin, user string) (store.Credential, error) {
	c, err := cs.FindCredential(ctx, store.BasicUser, user, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return c, withHint(fmt.Errorf("no HTTP Basic user %q", user), "list the users with: scimdoctor serve token list")
	}
	return c, err
}

func (a *app) serveTokenListCommand(f *serveFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the bearer tokens and HTTP Basic users, without their secrets",
		Long: `token list prints one line per bearer token and HTTP Basic user in the
database of --db: its ID, name, tenant, kind, creation time and expiry. Tokens
that /oauth/token issued are named oauth:CLIENT_ID and expire after one hour.
Neither secrets nor their hashes are printed; a token's ID is derived from the
stored hash and is only good for "token revoke" and "token reset".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				creds, err := listCredentials(ctx, cs, tenant, store.BearerToken, store.BasicUser)
				if err != nil {
					return err
				}
				a.printCredentials(creds)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "list only the credentials of this tenant (default: every tenant)")
	return cmd
}

func (a *app) serveTokenRevokeCommand(f *serveFlags) *cobra.Command {
	var basic string
	cmd := &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke a bearer token by its ID or name, or an HTTP Basic user with --basic USER",
		Long: `token revoke deletes one bearer token, found by the ID or the name that
"token list" shows, or with --basic USER one HTTP Basic user. Requests with it
get 401 from then on, also on a serve that is running.`,
		Example: "  scimdoctor serve token revoke okta-test\n  scimdoctor serve token revoke --basic okta",
		Args:    revokeArgs(&basic),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				c, err := a.findTokenOrUser(ctx, cs, args, basic)
				if err != nil {
					return err
				}
				if err := cs.DeleteCredential(ctx, c.Kind, c.Key); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "revoked %s %s (name %s, tenant %s)\n", c.Kind, credentialID(c), c.Name, c.Tenant)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&basic, "basic", "", "revoke the HTTP Basic user with this name instead of a token")
	return cmd
}

func (a *app) serveTokenResetCommand(f *serveFlags) *cobra.Command {
	var basic string
	cmd := &cobra.Command{
		Use:   "reset ID|NAME",
		Short: "Replace a bearer token, or the password of an HTTP Basic user, and print the new secret once",
		Long: `token reset revokes one bearer token (found by the ID or name that "token
list" shows) and creates a new one with the same name and tenant, or with
--basic USER gives that HTTP Basic user a new random password. The old secret
stops working at once; give the new one to the IdP.`,
		Example: "  scimdoctor serve token reset okta-test\n  scimdoctor serve token reset --basic okta",
		Args:    revokeArgs(&basic),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				c, err := a.findTokenOrUser(ctx, cs, args, basic)
				if err != nil {
					return err
				}
				if c.Kind == store.BasicUser {
					// The user name is the key, so the old row goes first.
					if err := cs.DeleteCredential(ctx, c.Kind, c.Key); err != nil {
						return err
					}
					password, err := server.CreateBasicUser(ctx, cs, c.Tenant, c.Key)
					if err != nil {
						return withHint(fmt.Errorf("the Basic user %q was revoked, but creating it again failed: %w", c.Key, err), "run: scimdoctor serve token create --tenant "+c.Tenant+" --basic "+c.Key)
					}
					fmt.Fprintf(a.stdout, "user:     %s\npassword: %s\ntenant:   %s\n", c.Key, password, c.Tenant)
					return nil
				}
				token, err := server.CreateToken(ctx, cs, c.Tenant, c.Name)
				if err != nil {
					return err
				}
				if err := cs.DeleteCredential(ctx, c.Kind, c.Key); err != nil {
					return withHint(fmt.Errorf("created a new token, but revoking the old one %s failed: %w", credentialID(c), err), "run: scimdoctor serve token revoke "+credentialID(c))
				}
				fmt.Fprintln(a.stdout, token)
				fmt.Fprintf(a.stderr, "scimdoctor: replaced token %s (name %q, tenant %q); the new token is shown only once\n", credentialID(c), c.Name, c.Tenant)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&basic, "basic", "", "give the HTTP Basic user with this name a new password instead")
	return cmd
}

// revokeArgs accepts either one ID|NAME argument or --basic USER.
func revokeArgs(basic *string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case *basic != "" && len(args) > 0:
			return fmt.Errorf("give either a token's ID or name, or --basic USER, not both")
		case *basic == "" && len(args) != 1:
			return fmt.Errorf("give one token ID or name (see scimdoctor serve token list), or --basic USER")
		}
		return nil
	}
}

func (a *app) findTokenOrUser(ctx context.Context, cs store.CredentialAdmin, args []string, basic string) (store.Credential, error) {
	if basic != "" {
		return findBasicUser(ctx, cs, basic)
	}
	return findOne(ctx, cs, store.BearerToken, args[0], "bearer token", "serve token list")
}

func (a *app) serveClientListCommand(f *serveFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the OAuth 2.0 clients, without their secrets",
		Long: `client list prints one line per OAuth 2.0 client in the database of --db: its
client id, name, tenant, kind, creation time and expiry. Secrets and their
hashes are never printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				creds, err := listCredentials(ctx, cs, tenant, store.OAuthClient)
				if err != nil {
					return err
				}
				a.printCredentials(creds)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "list only the clients of this tenant (default: every tenant)")
	return cmd
}

func (a *app) serveClientRevokeCommand(f *serveFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID|NAME",
		Short: "Revoke an OAuth 2.0 client and every token it was issued",
		Long: `client revoke deletes one OAuth 2.0 client, found by the client id or the name
that "client list" shows, and the access tokens that /oauth/token issued to it,
so the IdP gets 401 from its next request on.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCredentials(cmd.Context(), f.db, func(ctx context.Context, cs store.CredentialAdmin) error {
				c, err := findOne(ctx, cs, store.OAuthClient, args[0], "OAuth client", "serve client list")
				if err != nil {
					return err
				}
				if err := cs.DeleteCredential(ctx, c.Kind, c.Key); err != nil {
					return err
				}
				n, err := cs.DeleteCredentialsNamed(ctx, store.BearerToken, "oauth:"+c.Key)
				if err != nil {
					return withHint(fmt.Errorf("revoked the client %s, but deleting its access tokens failed: %w", c.Key, err), "those tokens stay valid until they expire, at most one hour after /oauth/token issued them; check the database connection")
				}
				fmt.Fprintf(a.stdout, "revoked client %s (name %s, tenant %s) and %d access tokens issued to it\n", c.Key, c.Name, c.Tenant, n)
				return nil
			})
		},
	}
}
