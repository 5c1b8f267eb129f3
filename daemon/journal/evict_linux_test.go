package journal

import (
	"os"
	"syscall"
)

// evict drops path's pages from the page cache (POSIX_FADV_DONTNEED, this
// file only), so a benchmark reads it from the disk as at boot.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	const fadvDontNeed = 4
	if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); e != 0 {
		return e
	}
	return nil
}
