//go:build unix

package journal

import (
	"errors"
	"os"
	"syscall"
)

// inUse reports whether another process holds bbolt's lock on the file
// (flock, as bbolt takes it): a file being written under the check may look
// damaged, and then the true answer is "another lastfmd has it".
func inUse(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}
