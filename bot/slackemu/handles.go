package slackemu

// ResponseURL issues a response URL for a payload a test builds itself,
// so the test can tell the answers to that one payload (Call.URL) from
// every other.
func (s *Server) ResponseURL(channel, user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newResponseURLLocked(channel, user, "")
}

// Trigger issues a trigger id for user, as Slack does with each
// interaction, so a test can find the views.open call made with it.
func (s *Server) Trigger(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueTriggerLocked(user)
}
