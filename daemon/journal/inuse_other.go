//go:build !unix

package journal

// inUse cannot tell without flock; bbolt's own lock still refuses a second
// daemon when the file is opened.
func inUse(string) bool { return false }
