package memory

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
)

func TestNotifierFollowsEachCustomersChoices(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	n := NewNotifier(func() time.Time { return now })
	ctx := context.Background()
	elin := identity.Party{Number: "199001012385", Name: "Elin Karlsson", Kind: identity.Personnummer}
	johan := identity.Party{Number: "198505152392", Name: "Johan Lindqvist", Kind: identity.Personnummer}
	sven := identity.Party{Number: "194805052398", Name: "Sven Bergström", Kind: identity.Personnummer}
	skv := cases.Actor{ID: "skatteverket", Name: "Skatteverket"}
	csn := cases.Actor{ID: "csn", Name: "CSN"}

	require.NoError(t, n.Put(ctx, elin, notification.Settings{Channel: notification.SMS, Address: "070-123 45 67",
		Frequency: notification.Immediately, Scope: preferences.Notify{Mode: preferences.NotifyAll}}))
	require.NoError(t, n.Put(ctx, johan, notification.Settings{Channel: notification.Email, Address: "johan@example.se",
		Frequency: notification.Weekly, Scope: preferences.Notify{Mode: preferences.NotifyActors, Actors: []string{"csn"}}}))
	require.NoError(t, n.Put(ctx, sven, notification.Settings{Channel: notification.MinaMeddelanden,
		Frequency: notification.Daily, Scope: preferences.Notify{Mode: preferences.NotifyActionRequired}}))
	var ve *notification.ValidationError
	require.ErrorAs(t, n.Put(ctx, sven, notification.Settings{Channel: notification.Email, Frequency: notification.Daily,
		Scope: preferences.Notify{Mode: preferences.NotifyAll}}), &ve, "checked as the hub checks")

	out, m := n.Simulate(elin, skv, cases.InProgress)
	require.Equal(t, Sent, out)
	require.Equal(t, Message{At: now, To: "Elin Karlsson", Channel: notification.SMS, Address: "+46701234567",
		Frequency: notification.Immediately, Producer: skv}, m)
	out, _ = n.Simulate(johan, skv, cases.ActionRequired)
	require.Equal(t, NotWanted, out, "Johan listed CSN only")
	out, m = n.Simulate(johan, csn, cases.Closed)
	require.Equal(t, Queued, out)
	require.True(t, m.Digest)
	out, _ = n.Simulate(sven, csn, cases.Received)
	require.Equal(t, NotWanted, out, "Sven wants only what he must act on")
	out, _ = n.Simulate(sven, csn, cases.ActionRequired)
	require.Equal(t, Queued, out)

	require.NoError(t, n.Delete(ctx, elin))
	out, _ = n.Simulate(elin, skv, cases.InProgress)
	require.Equal(t, NoSettings, out, "withdrawn: never notified again")
	_, found, err := n.Get(ctx, elin)
	require.NoError(t, err)
	require.False(t, found)

	box := n.Outbox()
	require.Len(t, box, 3)
	require.Equal(t, "Sven Bergström", box[0].To, "newest first")
	require.Equal(t, "Elin Karlsson", box[2].To)
}
