package accounts

// Reload re-reads the session file now, whether or not its modification
// time changed (SIGHUP: an operator restored or edited sessions.json by
// hand). Unlike the automatic re-read, a damaged file is reported; the
// store then keeps its last good state.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadLocked(true)
}
