package credentials

// Mask shows enough of a secret to recognise it and never enough to use it: a known prefix
// (up to 12 characters, and at most a third of the secret), "…", and the last 4 characters.
func Mask(secret string) string {
	if len(secret) < 12 {
		return "…"
	}
	head := min(12, len(secret)/3)
	return secret[:head] + "…" + secret[len(secret)-4:]
}
