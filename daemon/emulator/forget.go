package emulator

// ForgetActivity drops what users did (scrobbles, now playing, loves and
// tags) and the request log, keeping users and sessions. Long tests call
// it once they have checked delivery, so the emulator's growing state is
// not mistaken for the daemon's memory.
func (s *Server) ForgetActivity() {
	s.mu.Lock()
	for _, u := range s.users {
		u.scrobbles, u.nowPlaying, u.loved = nil, nil, nil
		u.tags, u.tagOrder = map[string]*tagEntry{}, nil
	}
	s.mu.Unlock()
	s.Reset()
}
