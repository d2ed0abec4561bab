package proxy

import (
	"context"
	"errors"
)

// ClientKeys authenticates the key a client presents to the proxy.
type ClientKeys interface {
	// Authenticate returns the id of the client key that matches presented and the account it
	// is bound to ("" means the default account). ok is false for an unknown key.
	// Implementations compare in constant time.
	Authenticate(presented string) (keyID, account string, ok bool)
}

// CredentialKind says how a credential is sent upstream.
type CredentialKind string

const (
	APIKey CredentialKind = "api_key" // sent as x-api-key
	OAuth  CredentialKind = "oauth"   // sent as Authorization: Bearer, with the oauth beta
)

// Credential is an upstream credential. Secret is never logged or recorded.
type Credential struct {
	Account string
	Kind    CredentialKind
	Secret  string
}

// ErrNoAccount is returned by a CredentialSource when no account applies; the proxy then
// passes the client's own credential through.
var ErrNoAccount = errors.New("no account")

// CredentialSource supplies upstream credentials.
type CredentialSource interface {
	// Credential returns the credential of account, or of the default account when account is
	// "". It returns ErrNoAccount when there is none. Any other error (a locked keychain, an
	// OAuth account needing a new login) reaches the client as a 401 with err's message, so
	// the message must name the account and the fix and must not contain a secret.
	Credential(ctx context.Context, account string) (Credential, error)
}

// NoCredentials is a CredentialSource with no accounts: every request is passthrough.
type NoCredentials struct{}

func (NoCredentials) Credential(context.Context, string) (Credential, error) {
	return Credential{}, ErrNoAccount
}
