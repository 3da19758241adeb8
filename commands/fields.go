package commands

import (
	"context"
	"slices"
	"strings"

	"github.com/deskbot/deskbot/domain"
)

// EditInput edits a ticket's type and custom fields. Type, when set and
// different, changes the type first (mapping the status to the new
// workflow); Fields then sets fields of the ticket's (new) type, "" clearing
// one. Fields left out keep their values, even those the new type lacks,
// so changing the type back loses nothing.
type EditInput struct {
	Type   string
	Fields map[string]string
}

// SetFields applies an EditInput in one transaction, with an event per
// change. Only agents may. Values are checked as at creation: invalid ones
// are refused with the field named, and a version must have been released
// (listed in the config or registered with /desk release) once any is.
func (s *Service) SetFields(ctx context.Context, a domain.Actor, key string, in EditInput) (*domain.Ticket, error) {
	if err := requireAgent(a, "edit tickets"); err != nil {
		return nil, err
	}
	cfg := s.Config()
	if in.Type != "" && cfg.Type(in.Type) == nil {
		return nil, domain.FieldErrorf("type", "%s", unknownMsg("type", in.Type, typeNames(cfg)))
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		var kinds, changed []string
		if in.Type != "" && in.Type != t.Type {
			if kinds, err = s.changeType(ctx, tx, cfg, a, t, in.Type); err != nil {
				return err
			}
		}
		if changed, err = s.setFields(ctx, tx, cfg, a, t, in.Fields); err != nil {
			return err
		}
		if len(kinds) == 0 && len(changed) == 0 {
			return nil
		}
		if len(changed) > 0 {
			kinds = append(kinds, domain.EventField)
		}
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return err
		}
		if err := s.changed(withFields(ctx, changed...), tx, cfg, t, kinds...); err != nil {
			return err
		}
		return refreshCard(ctx, tx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ChangeType gives a ticket another type; its status maps to the new
// workflow (the same status when it has one, else the closest; see
// domain.Config.MapStatus) and both changes are events.
func (s *Service) ChangeType(ctx context.Context, a domain.Actor, key, typ string) (*domain.Ticket, error) {
	return s.SetFields(ctx, a, key, EditInput{Type: typ})
}

// changeType sets the type and the mapped status on t (not saved yet) and
// writes their events; it returns the event kinds.
func (s *Service) changeType(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, typ string) ([]string, error) {
	oldType, oldStatus := t.Type, t.Status
	t.Type = typ
	kinds := []string{domain.EventType}
	if err := event(ctx, tx, a, t, domain.EventType, "type", oldType, typ); err != nil {
		return nil, err
	}
	to := cfg.MapStatus(oldStatus, typ)
	if to == oldStatus {
		return kinds, nil
	}
	t.Status = to
	stampStatus(cfg, t, tx)
	return append(kinds, domain.EventStatus), event(ctx, tx, a, t, domain.EventStatus, "status", oldStatus, to)
}

// stampStatus keeps the resolved and closed times in step with the status.
func stampStatus(cfg *domain.Config, t *domain.Ticket, tx domain.Tx) {
	now := tx.Now()
	st := cfg.Status(t.Status)
	switch {
	case st == nil:
	case st.Category == domain.CategoryResolved:
		if t.ResolvedAt == nil {
			t.ResolvedAt = &now
		}
		t.ClosedAt = nil
	case st.Category == domain.CategoryClosed:
		if t.ResolvedAt == nil {
			t.ResolvedAt = &now
		}
		if t.ClosedAt == nil {
			t.ClosedAt = &now
		}
	default:
		t.ResolvedAt, t.ClosedAt = nil, nil
	}
}

// setFields sets the named fields of t's type (not saved yet), with an
// event each, and returns the names that changed.
func (s *Service) setFields(ctx context.Context, tx domain.Tx, cfg *domain.Config, a domain.Actor, t *domain.Ticket, in map[string]string) ([]string, error) {
	td := cfg.Type(t.Type)
	if td == nil {
		return nil, domain.FieldErrorf("type", "Ticket type %q is no longer configured; choose another type.", t.Type)
	}
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	slices.Sort(names) // events in a stable order
	var changed []string
	for _, name := range names {
		def := cfg.Field(name)
		if def == nil || !slices.Contains(td.Fields, name) {
			if len(td.Fields) == 0 {
				return nil, domain.FieldErrorf(name, "A %s has no custom fields.", td.Label)
			}
			return nil, domain.FieldErrorf(name, "A %s has no field %q; its fields are: %s.", td.Label, name, strings.Join(td.Fields, ", "))
		}
		v, err := normalizeValue(def, in[name])
		if err != nil {
			return nil, err
		}
		old := t.Fields[name]
		if v == old {
			continue
		}
		if def.Kind == domain.FieldSemver && v != "" {
			if err := checkReleased(ctx, tx, cfg, def, v); err != nil {
				return nil, err
			}
		}
		if t.Fields == nil {
			t.Fields = domain.Fields{}
		}
		if v == "" {
			delete(t.Fields, name)
		} else {
			t.Fields[name] = v
		}
		if name == "version" {
			t.Version = v
		}
		if err := event(ctx, tx, a, t, domain.EventField, name, old, v); err != nil {
			return nil, err
		}
		changed = append(changed, name)
	}
	return changed, nil
}

// normalizeValue checks a field value's form. The release check of a
// version needs the database, so it is left to checkReleased.
func normalizeValue(def *domain.FieldDef, raw string) (string, error) {
	if def.Kind == domain.FieldSemver && len(def.Versions) > 0 {
		d := *def
		d.Versions = nil
		return d.Normalize(raw)
	}
	return def.Normalize(raw)
}

// releasedVersions lists the versions known to have shipped: the config's
// and those registered with /desk release. Empty means any version goes.
func releasedVersions(ctx context.Context, tx domain.ReleaseStore, cfg *domain.Config) ([]string, error) {
	out := cfg.ReleasedVersions()
	rs, err := tx.Releases(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if !slices.Contains(out, r.Version) {
			out = append(out, r.Version)
		}
	}
	return sortVersions(out), nil
}

func sortVersions(vs []string) []string {
	slices.SortFunc(vs, func(a, b string) int {
		va, _ := domain.ParseSemver(a)
		vb, _ := domain.ParseSemver(b)
		return va.Compare(vb)
	})
	return vs
}

// checkReleased refuses a version that has not shipped, once any release is known.
func checkReleased(ctx context.Context, tx domain.ReleaseStore, cfg *domain.Config, def *domain.FieldDef, v string) error {
	released, err := releasedVersions(ctx, tx, cfg)
	if err != nil || len(released) == 0 || slices.Contains(released, v) {
		return err
	}
	label := def.Label
	if label == "" {
		label = def.Name
	}
	shown := released
	if len(shown) > 8 {
		shown = append([]string{"…"}, shown[len(shown)-8:]...)
	}
	return domain.FieldErrorf(def.Name, "%s %s has not been released; released versions: %s.", label, v, strings.Join(shown, ", "))
}

// checkCreateReleased is CreateTicket's release check of the versions
// given with a new ticket (the customer's current version, filled in
// later, is theirs and not checked again).
func checkCreateReleased(ctx context.Context, tx domain.ReleaseStore, cfg *domain.Config, fields domain.Fields) error {
	for name, v := range fields {
		if def := cfg.Field(name); def != nil && def.Kind == domain.FieldSemver && v != "" {
			if err := checkReleased(ctx, tx, cfg, def, v); err != nil {
				return err
			}
		}
	}
	return nil
}
