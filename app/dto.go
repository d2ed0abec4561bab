package app

// Status is what the Home view shows. Secrets never appear here: the client key is masked,
// and the copy actions put the real lines on the clipboard from Go.
type Status struct {
	// Running is true while the proxy accepts requests; Address is its base URL then
	// ("http://127.0.0.1:3731"), and the configured one when stopped.
	Running bool   `json:"running"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	// LastError explains why the proxy is not running when it should be ("" otherwise).
	LastError       string `json:"last_error"`
	ClientAuth      bool   `json:"client_auth"`
	ClientKeyMasked string `json:"client_key_masked"`
	// KeychainOK is false when no usable OS keychain exists; KeychainMessage says why and
	// what to do.
	KeychainOK      bool   `json:"keychain_ok"`
	KeychainMessage string `json:"keychain_message"`
	// DefaultAccount is the account requests use unless their client key names another.
	DefaultAccount string `json:"default_account"`
	// Connect holds the ways to point Claude Code at the proxy, with masked keys.
	Connect []ConnectOption `json:"connect"`
	// RequestCount is the number of requests recorded so far.
	RequestCount int64 `json:"request_count"`
}

// ConnectOption is one way to connect Claude Code, as shell lines to copy.
type ConnectOption struct {
	ID          string   `json:"id"` // "account" or "passthrough"
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Lines       []string `json:"lines"` // masked
}
