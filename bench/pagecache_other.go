//go:build !linux

package main

// loadFromDisk does nothing outside Linux: the benchmark reads /proc anyway.
func loadFromDisk(string) error { return nil }
