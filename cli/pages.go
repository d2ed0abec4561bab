package cli

// readPages reads up to limit items of a newest-first list whose pages hold at most pageMax:
// page returns the next n items after last (nil: from the newest).
func readPages[T any](limit, pageMax int, page func(n int, last *T) ([]T, error)) ([]T, error) {
	var out []T
	var last *T
	for len(out) < limit {
		n := min(limit-len(out), pageMax)
		items, err := page(n, last)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) < n {
			break
		}
		last = &out[len(out)-1]
	}
	return out, nil
}
