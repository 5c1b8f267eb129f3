// Package durable is the one way lastfmd makes a write survive a power
// cut: fsync a file already written and closed, and fsync its directory so
// that a rename or a link in it does too (the journal's salvage and the
// session file replace files this way). Standard library only.
package durable

import (
	"os"
	"runtime"
)

// SyncFile fsyncs a file already written and closed.
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir fsyncs a directory, so that a rename or a link in it survives a
// power cut. Windows cannot open a directory for that, and needs not.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	return SyncFile(dir)
}
