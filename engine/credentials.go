package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"nexus/credentials"
	"nexus/proxy"
	"nexus/settings"
)

// vaultCredentials adapts a credentials.Refresher to the proxy's CredentialSource.
type vaultCredentials struct{ r *credentials.Refresher }

func (c vaultCredentials) Credential(ctx context.Context, account string) (proxy.Credential, error) {
	name, kind, secret, err := c.r.Credential(ctx, account)
	var re *credentials.RefreshError
	switch {
	case err == nil:
	case errors.Is(err, credentials.ErrNoAccount) && account == "":
		return proxy.Credential{}, proxy.ErrNoAccount
	case errors.As(err, &re):
		return proxy.Credential{}, err // names the account and the login command
	default:
		return proxy.Credential{}, fmt.Errorf("account %q of this client key: %v (run: nexus credentials list)", account, err)
	}
	k := proxy.APIKey
	if kind == credentials.KindOAuth {
		k = proxy.OAuth
	}
	return proxy.Credential{Account: name, Kind: k, Secret: secret}, nil
}

// OAuthClient is the token endpoint client the settings configure.
func OAuthClient(set settings.Settings) *credentials.OAuthClient {
	u := set.OAuthTokenURL
	if u == "" {
		u = settings.DefaultOAuthTokenURL
	}
	return &credentials.OAuthClient{TokenURL: u, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// startCredentials starts, for as long as ctx lasts, the background OAuth refresh and, when
// CREDENTIALS_DIR is set, the import and watch of its legacy files. Legacy files are not
// imported without a usable keychain: their secrets would have nowhere safe to go, and a
// refreshed token kept in memory would be lost at exit.
func (e *Engine) startCredentials(ctx context.Context) {
	go e.refresher.Run(ctx)
	dir := e.set.CredentialsDir
	if dir == "" {
		return
	}
	if e.kcErr != nil {
		e.log.Warn("not importing the legacy credential files: no usable keychain to store them in", "dir", dir, "error", e.kcErr)
		return
	}
	w := credentials.NewDirWatcher(e.vault, dir, e.log)
	go func() {
		if err := w.Run(ctx); err != nil {
			e.log.Error("legacy credential files are not imported", "dir", dir, "error", err)
		}
	}()
}
