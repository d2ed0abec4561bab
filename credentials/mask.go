package credentials

// Mask shows enough of a secret to recognise it and never enough to use it: a known prefix
// (up to 12 characters), "…", and the last 4 characters, revealing at most a third of the
// secret. Secrets shorter than 24 characters are masked fully.
func Mask(secret string) string {
	reveal := len(secret) / 3
	if reveal < 8 {
		return "…"
	}
	head := min(12, reveal-4)
	return secret[:head] + "…" + secret[len(secret)-4:]
}
