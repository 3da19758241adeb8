package commands

import (
	"context"
	"slices"

	"github.com/deskbot/deskbot/domain"
)

// Reload reads a config file again and puts it in force for the calls
// that start from then on. A file with problems is refused with all of
// them, and the config in force stays. path "" rereads the file the
// config in force came from. serve calls it on SIGHUP.
func (s *Service) Reload(path string) (*domain.Config, error) {
	if path == "" {
		path = s.Config().Source
		if path == domain.DefaultConfig().Source {
			return nil, domain.Errorf(domain.EINVALID, "deskbot runs on its built-in configuration: point DESKBOT_CONFIG at a file to have one to reload.")
		}
	}
	cfg, err := domain.LoadConfig(path)
	if err != nil {
		s.log.Error("config: reload refused; the config in force stays", "file", path, "err", err)
		return nil, err
	}
	s.SetConfig(cfg)
	s.log.Info("config reloaded", "file", path, "types", len(cfg.Types), "automations", len(cfg.Automations))
	return cfg, nil
}

// ReloadConfig is an admin's reload from Slack (/desk config reload): the
// file's problems come back as the message, the config in force staying.
func (s *Service) ReloadConfig(ctx context.Context, a domain.Actor) (*domain.Config, error) {
	if !s.IsAdmin(a) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Only deskbot admins (slack.admins in the config) can reload the config.")
	}
	cfg, err := s.Reload("")
	if err != nil && domain.ErrorCode(err) == domain.EINTERNAL {
		return nil, domain.Errorf(domain.EINVALID, "The config was not reloaded; the one in force stays.\n%s", err)
	}
	return cfg, err
}

// IsAdmin tells whether an agent may administer deskbot: one of
// slack.admins; when none are listed, one of slack.leads; when there are
// no leads either, any agent (a small team has no admin list).
func (s *Service) IsAdmin(a domain.Actor) bool {
	if a.Role != domain.RoleAgent {
		return false
	}
	sc := s.Config().Slack
	switch {
	case len(sc.Admins) > 0:
		return slices.Contains(sc.Admins, a.UserID)
	case len(sc.Leads) > 0:
		return slices.Contains(sc.Leads, a.UserID)
	}
	return true
}
