package memory

import (
	"context"
	"sync"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Notifier is the demo's stand-in for the hub's notification service: it
// keeps the customers' notification settings as the hub's account-settings
// endpoint does (notification.AccountSettings), and when told that a case
// changed (Simulate) it puts in an outbox exactly what it would send, by
// the customer's choices. It sends nothing; the reference portal shows the
// outbox on a development page.
//
// Like the hub, it holds an address for the customer who gave one: that is
// the sender's job, never the view's. Like the hub, what it would send says
// only that something happened and with whom.
type Notifier struct {
	now    func() time.Time
	mu     sync.Mutex
	byWhom map[string]notification.Settings // by identity number: the hub knows its customers
	outbox []Message
}

// MaxOutbox bounds the outbox: the oldest messages go first.
const MaxOutbox = 200

// Message is one notification the demo hub would send, or one change kept
// for the next summary (Digest).
type Message struct {
	At        time.Time
	To        string // the customer's name, for the development page
	Channel   notification.Channel
	Address   string // empty for Mina meddelanden
	Frequency notification.Frequency
	// Producer is the actor whose case changed: the only thing the message
	// says about it.
	Producer cases.Actor
	// Digest is true when the change waits for the next daily or weekly
	// summary instead of being sent at once.
	Digest bool
}

// Outcome is what a simulated change led to.
type Outcome int

const (
	Sent       Outcome = iota // a message now, in the outbox
	Queued                    // in the next summary (daily or weekly), listed in the outbox
	NotWanted                 // the customer's scope leaves this change out
	NoSettings                // the customer chose no notifications
)

// NewNotifier returns a notifier with no settings and an empty outbox;
// now is its clock (nil: time.Now).
func NewNotifier(now func() time.Time) *Notifier {
	if now == nil {
		now = time.Now
	}
	return &Notifier{now: now, byWhom: map[string]notification.Settings{}}
}

// Get returns the party's settings, found false when they chose none.
func (n *Notifier) Get(_ context.Context, party identity.Party) (notification.Settings, bool, error) {
	if party.IsZero() {
		return notification.Settings{}, false, preferences.ErrNoParty
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.byWhom[party.Number]
	s.Scope.Actors = append([]string(nil), s.Scope.Actors...)
	return s, ok, nil
}

// Put checks s as the hub would and keeps it for the party.
func (n *Notifier) Put(_ context.Context, party identity.Party, s notification.Settings) error {
	if party.IsZero() {
		return preferences.ErrNoParty
	}
	s, err := notification.Normalize(s)
	if err != nil {
		return err
	}
	s.Scope.Actors = append([]string(nil), s.Scope.Actors...)
	n.mu.Lock()
	n.byWhom[party.Number] = s
	n.mu.Unlock()
	return nil
}

// Delete forgets the party's settings: they are notified no more.
func (n *Notifier) Delete(_ context.Context, party identity.Party) error {
	if party.IsZero() {
		return preferences.ErrNoParty
	}
	n.mu.Lock()
	delete(n.byWhom, party.Number)
	n.mu.Unlock()
	return nil
}

// Simulate is a producer telling the hub that a case of customer changed,
// leaving it in status: the notifier applies the customer's choices and,
// if they want to hear of it, puts the message (or the summary line) in
// the outbox.
func (n *Notifier) Simulate(customer identity.Party, producer cases.Actor, status cases.Status) (Outcome, Message) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.byWhom[customer.Number]
	switch {
	case !ok:
		return NoSettings, Message{}
	case !s.Scope.Wants(producer.ID, status):
		return NotWanted, Message{}
	}
	m := Message{At: n.now(), To: customer.Name, Channel: s.Channel, Address: s.Address, Frequency: s.Frequency,
		Producer: producer, Digest: s.Frequency != notification.Immediately}
	n.outbox = append(n.outbox, m)
	if len(n.outbox) > MaxOutbox {
		n.outbox = n.outbox[len(n.outbox)-MaxOutbox:]
	}
	if m.Digest {
		return Queued, m
	}
	return Sent, m
}

// Outbox returns the messages, newest first.
func (n *Notifier) Outbox() []Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Message, len(n.outbox))
	for i, m := range n.outbox {
		out[len(out)-1-i] = m
	}
	return out
}

var _ notification.AccountSettings = (*Notifier)(nil)
