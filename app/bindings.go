//go:build bindings

package app

// generatingBindings is true in the build that only generates the front end's bindings.
const generatingBindings = true
