// Command lastfmd is a local daemon that lets any script use the Last.fm
// API without holding its keys. See README.md.
package main

import "os"

func main() {
	os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
