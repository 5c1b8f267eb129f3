//go:build !unix

package main

// ownStateDir: Windows has no owner to compare here; its ACLs decide.
func ownStateDir(string) error { return nil }
