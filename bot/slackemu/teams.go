package slackemu

// Team is another organisation whose people reach the workspace through
// Slack Connect: team.info answers for it, as Slack does for a team the
// workspace shares a channel with.
type Team struct {
	ID          string
	Name        string
	Domain      string
	EmailDomain string
}

// AddTeam adds or replaces an organisation.
func (s *Server) AddTeam(t Team) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.teams == nil {
		s.teams = map[string]Team{}
	}
	s.teams[t.ID] = t
}

// otherTeamInfoLocked is team.info?team=T… for another organisation; one
// the workspace shares nothing with is team_not_found.
func (s *Server) otherTeamInfoLocked(id string) (reply, *slackErr) {
	t, ok := s.teams[id]
	if !ok {
		return nil, errOf("team_not_found")
	}
	return reply{"team": map[string]any{
		"id": t.ID, "name": t.Name, "domain": t.Domain,
		"email_domain": t.EmailDomain, "icon": map[string]any{"image_default": true},
	}}, nil
}
