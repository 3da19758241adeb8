package commands

import (
	"context"
	"slices"
	"strconv"

	"github.com/deskbot/deskbot/domain"
)

// askSurvey queues the satisfaction question when a change resolved a
// ticket that lives in its customer's channel (survey.on_resolve). The
// customer answers with one click (AnswerSurvey).
func (s *Service) askSurvey(ctx context.Context, tx domain.Tx, cfg *domain.Config, t *domain.Ticket, kinds []string) error {
	if !cfg.Survey.OnResolve || !slices.Contains(kinds, domain.EventStatus) || t.SlackChannel == "" {
		return nil
	}
	if st := cfg.Status(t.Status); st == nil || st.Category != domain.CategoryResolved {
		return nil
	}
	p, err := tx.Customer(ctx, t.CustomerID)
	if err != nil || p.ChannelID == "" || p.ChannelID != t.SlackChannel {
		return err // no customer channel: nobody of theirs would see the question
	}
	return post(ctx, tx, PostJob{Notice: NoticeSurvey, TicketID: t.ID, InTicketThread: true,
		By: domain.SystemActor(domain.ChannelAutomation).Ref(), Args: map[string]string{"question": cfg.Survey.Question}})
}

// AnswerSurvey records a customer's rating (1 to domain.SurveyScale) of
// their ticket; answering again replaces the answer. Agents may not rate
// their own work.
func (s *Service) AnswerSurvey(ctx context.Context, a domain.Actor, key string, rating int) (*domain.Ticket, error) {
	if rating < 1 || rating > domain.SurveyScale {
		return nil, domain.Errorf(domain.EINVALID, "A rating is from 1 to %d.", domain.SurveyScale)
	}
	if a.IsAgent() {
		return nil, domain.Errorf(domain.EFORBIDDEN, "The survey is for the customer: agents' answers would skew it.")
	}
	var t *domain.Ticket
	err := s.store.Update(ctx, func(tx domain.Tx) (err error) {
		if t, err = ticketFor(ctx, tx, a, key); err != nil {
			return err
		}
		err = tx.SaveSurveyAnswer(ctx, &domain.SurveyAnswer{TicketID: t.ID, CustomerID: t.CustomerID, Respondent: a.Ref(), Rating: rating})
		if err != nil {
			return err
		}
		return event(ctx, tx, a, t, domain.EventSurvey, "rating", "", strconv.Itoa(rating))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
