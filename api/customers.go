package api

import (
	"net/http"
)

// listCustomers lists the customers the token sees: all for an agent's,
// its own for a customer's.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	ps, err := s.svc.Customers(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]customerJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, newCustomer(p))
	}
	reply(w, http.StatusOK, map[string]any{"customers": out})
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.Customer(r.Context(), actor(r), r.PathValue("key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := newCustomer(v.Customer)
	c.OpenTickets = &v.Open
	reply(w, http.StatusOK, c)
}

// listReleases lists the versions known to have shipped, oldest first.
func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	vs, err := s.svc.Released(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if vs == nil {
		vs = []string{}
	}
	reply(w, http.StatusOK, map[string]any{"releases": vs})
}

type releaseIn struct {
	Version string   `json:"version"`
	Fixes   []string `json:"fixes"`
}

// addRelease registers a release and resolves the tickets it fixes, as
// /desk release 4.2.2 fixes ACME-42 does (ReleaseFixes).
func (s *Server) addRelease(w http.ResponseWriter, r *http.Request) {
	var in releaseIn
	if !decode(w, r, &in) {
		return
	}
	rep, err := s.svc.ReleaseFixes(r.Context(), actor(r), in.Version, in.Fixes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if rep.New {
		status = http.StatusCreated
	}
	reply(w, status, newReleaseReport(rep))
}
