package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/sync/singleflight"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// people tells agents from customers. By default members of the bot's own
// workspace are agents and people from other organisations (Slack Connect,
// guests) are customers; a configured list or user group narrows agents.
type people struct {
	api    *slack.Client
	svc    *commands.Service
	teamID string

	slots   rateSlots          // users.info's limit, shared by the replicas; nil without a database
	every   time.Duration      // between two of its calls, usersInfoEvery (scaled in tests)
	lookups singleflight.Group // users.info calls in flight, by user
	slot    chan struct{}      // one users.info call at a time
	mu      sync.Mutex
	// lookupsPaused: users.info answered 429; no call before this time.
	lookupsPaused time.Time
	limitedRun    int // 429s in a row
	users         map[string]cachedUser
	teams         map[string]cachedTeam
	seen          map[string]bool   // agents told what deskbot can do (onboarding.go)
	dms           map[string]string // DM channel IDs by user (dm.go)
	group         []string
	groupT        time.Time
}

// rateSlots spreads users.info's limit over the replicas (storage.DB):
// the limit is the app's, so replicas that each kept under it together
// did not, and a replica calling inside the Retry-After another one was
// told of is refused too, and may keep the window open for all of them.
type rateSlots interface {
	TakeRateSlot(ctx context.Context, name string, every time.Duration, burst int) (time.Duration, error)
	HoldRateSlots(ctx context.Context, name string, every time.Duration, burst int, pause time.Duration) error
}

// users.info's slots: Slack's limit (slackBuckets) at bucketMargin, one
// call of the burst kept back as the dispatcher does.
var (
	usersInfoEvery = time.Duration(float64(time.Minute) / (slackBuckets[methodUsersInfo].perMinute * bucketMargin))
	usersInfoBurst = int(slackBuckets[methodUsersInfo].burst) - 1
)

const methodUsersInfo = "users.info"

type cachedUser struct {
	u  *slack.User
	at time.Time
}

const peopleTTL = 10 * time.Minute

func newPeople(api *slack.Client, svc *commands.Service) *people {
	return &people{api: api, svc: svc, users: map[string]cachedUser{}, teams: map[string]cachedTeam{}, slot: make(chan struct{}, 1),
		every: usersInfoEvery}
}

// user is a Slack user's profile, cached for peopleTTL. When Slack cannot
// answer (429, 500, a timeout) a profile seen before is used however old:
// an agent stays an agent through an outage, rather than every input of
// theirs failing.
func (p *people) user(ctx context.Context, id string) (*slack.User, error) {
	p.mu.Lock()
	c, ok := p.users[id]
	paused := time.Until(p.lookupsPaused)
	p.mu.Unlock()
	if ok && (time.Since(c.at) < peopleTTL || paused > 0) {
		return c.u, nil
	}
	v, err, _ := p.lookups.Do(id, func() (any, error) { return p.lookup(ctx, id) })
	if err != nil {
		if ok && ctx.Err() == nil {
			return c.u, nil
		}
		return nil, err
	}
	u := v.(*slack.User)
	p.mu.Lock()
	p.users[id] = cachedUser{u, time.Now()}
	p.mu.Unlock()
	return u, nil
}

// lookup calls users.info: one call at a time, none inside a 429's
// Retry-After. A replica started cold in a busy workspace has many people
// to learn at once, and users.info allows ~100 calls a minute for the
// whole app: calls fired together would mostly meet 429s, and retried
// together keep its bucket empty. A wait longer than ctx allows is
// answered with the 429, for the input to be tried again after it.
func (p *people) lookup(ctx context.Context, id string) (*slack.User, error) {
	select {
	case p.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slot }()
	for {
		p.mu.Lock()
		paused := time.Until(p.lookupsPaused)
		p.mu.Unlock()
		if paused <= 0 {
			if paused = p.takeSlot(ctx); paused <= 0 {
				break
			}
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < paused+time.Second {
			return nil, &slack.RateLimitedError{RetryAfter: paused}
		}
		t := time.NewTimer(paused)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	u, err := p.api.GetUserInfoContext(ctx, id)
	p.mu.Lock()
	var pause time.Duration
	if rl := (*slack.RateLimitedError)(nil); errors.As(err, &rl) {
		pause = limitedPause(rl.RetryAfter, p.limitedRun)
		p.lookupsPaused = time.Now().Add(pause)
		p.limitedRun++
	} else if err == nil {
		p.limitedRun = 0
	}
	p.mu.Unlock()
	if pause > 0 && p.slots != nil {
		// The other replicas wait too; when the database cannot tell them,
		// they learn it from Slack, as before.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		_ = p.slots.HoldRateSlots(sctx, methodUsersInfo, p.every, usersInfoBurst, pause)
		cancel()
	}
	return u, err
}

// takeSlot spends one of users.info's calls cluster-wide, or says how long
// to wait for one. A database that does not answer (in an outage) leaves
// the call to this replica's own pacing, as before.
func (p *people) takeSlot(ctx context.Context) time.Duration {
	if p.slots == nil {
		return 0
	}
	sctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	wait, err := p.slots.TakeRateSlot(sctx, methodUsersInfo, p.every, usersInfoBurst)
	if err != nil {
		return 0
	}
	return wait
}

// limitedPause is how long to leave users.info alone after the run-th 429
// in a row (from 0): the Retry-After, doubled for each 429 before it, up
// to 30 s, and up to a second more at random. A call inside a
// Retry-After window is refused and may keep the window open (the
// emulator's does): replicas that each came back exactly on time kept one
// another's window open, and a cold cluster was refused for minutes.
func limitedPause(retryAfter time.Duration, run int) time.Duration {
	d := min(retryAfter<<min(run, 5), 30*time.Second)
	return max(d, retryAfter) + rand.N(time.Second)
}

func (p *people) groupMembers(ctx context.Context, group string) ([]string, error) {
	p.mu.Lock()
	if time.Since(p.groupT) < peopleTTL {
		g := p.group
		p.mu.Unlock()
		return g, nil
	}
	p.mu.Unlock()
	members, err := p.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.group, p.groupT = members, time.Now()
	p.mu.Unlock()
	return members, nil
}

// actor resolves a Slack user in a channel. A customer's company is their
// organisation's (an external user's team_id, filed on first sight), else
// their email domain's; the channel they write in tells only for guests
// of the vendor's own workspace, who have no organisation of their own.
func (p *people) actor(ctx context.Context, userID, channelID string) (domain.Actor, error) {
	a := domain.Actor{UserID: userID, Channel: domain.ChannelSlack, Role: domain.RoleCustomer}
	u, err := p.user(ctx, userID)
	if err != nil {
		return a, err
	}
	a.Name = u.RealName
	if a.Name == "" {
		a.Name = u.Name
	}
	a.Email = u.Profile.Email
	a.TimeZone = u.TZ
	if u.IsBot {
		a.Role = domain.RoleSystem
		return a, nil
	}
	external := u.TeamID != "" && u.TeamID != p.teamID
	if !external && !u.IsStranger && !u.IsRestricted && !u.IsUltraRestricted {
		agent, err := p.isAgent(ctx, userID)
		if err != nil {
			return a, err
		}
		if agent {
			a.Role = domain.RoleAgent
			return a, nil
		}
	}
	who := commands.Person{Email: a.Email, ChannelID: channelID}
	if external {
		who.TeamID = u.TeamID
		if id, ok := p.teamCustomer(u.TeamID); ok {
			a.CustomerID = id
			return a, nil
		}
		who.TeamName = p.teamName(ctx, u.TeamID)
	}
	proj, err := p.svc.CustomerOf(ctx, who)
	if err != nil {
		return a, err
	}
	if proj != nil {
		a.CustomerID = proj.ID
		if external {
			p.mu.Lock()
			p.teams[u.TeamID] = cachedTeam{proj.ID, time.Now()}
			p.mu.Unlock()
		}
	}
	if a.CustomerID == 0 && a.Email != "" {
		// Outside a customer's channel (a DM, the App Home): their
		// company's email domain.
		proj, err := p.svc.CustomerByEmail(ctx, a.Email)
		if err != nil {
			return a, err
		}
		if proj != nil {
			a.CustomerID = proj.ID
		}
	}
	return a, nil
}

type cachedTeam struct {
	customerID int64
	at         time.Time
}

// teamCustomer is the customer of an organisation seen lately.
func (p *people) teamCustomer(teamID string) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.teams[teamID]
	return c.customerID, ok && time.Since(c.at) < peopleTTL
}

// teamName is an organisation's name as Slack gives it (team.info on a
// team the workspace shares a channel with); empty when Slack will not
// say (the customer is then named after the ID: an agent renames it).
func (p *people) teamName(ctx context.Context, teamID string) string {
	t, err := p.api.GetOtherTeamInfoContext(ctx, teamID)
	if err != nil || t.Name == "" {
		return ""
	}
	return t.Name
}

func (p *people) isAgent(ctx context.Context, userID string) (bool, error) {
	cfg := p.svc.Config().Slack
	switch {
	case len(cfg.Agents) > 0:
		return slices.Contains(cfg.Agents, userID), nil
	case cfg.AgentGroup != "":
		members, err := p.groupMembers(ctx, cfg.AgentGroup)
		return slices.Contains(members, userID), err
	}
	return true, nil
}
