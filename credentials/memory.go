package credentials

import "sync"

// MemoryKeychain is a Keychain held in memory. The app uses it, for one run only, when no OS
// keychain is available; tests use it as a fake.
type MemoryKeychain struct {
	mu    sync.Mutex // guards items
	items map[string]string
}

func NewMemoryKeychain() *MemoryKeychain { return &MemoryKeychain{items: map[string]string{}} }

func (m *MemoryKeychain) Get(item string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[item]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (m *MemoryKeychain) Set(item, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[item] = secret
	return nil
}

func (m *MemoryKeychain) Delete(item string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[item]; !ok {
		return ErrNotFound
	}
	delete(m.items, item)
	return nil
}
