package engine

import (
	"context"
	"errors"
	"fmt"

	"nexus/credentials"
	"nexus/proxy"
)

// vaultCredentials adapts a credentials.Vault to the proxy's CredentialSource.
type vaultCredentials struct{ v *credentials.Vault }

func (c vaultCredentials) Credential(_ context.Context, account string) (proxy.Credential, error) {
	name, kind, secret, err := c.v.Secret(account)
	switch {
	case err == nil:
	case errors.Is(err, credentials.ErrNoAccount) && account == "":
		return proxy.Credential{}, proxy.ErrNoAccount
	default:
		return proxy.Credential{}, fmt.Errorf("account %q of this client key: %v (run: nexus credentials list)", account, err)
	}
	k := proxy.APIKey
	if kind == credentials.KindOAuth {
		k = proxy.OAuth
	}
	return proxy.Credential{Account: name, Kind: k, Secret: secret}, nil
}
