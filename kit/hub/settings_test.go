package hub

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
)

// settingsHub is the hub's account-settings endpoints as
// docs/hub-openapi.yaml describes them: the customer in the body (never in
// the URL), the settings validated by the schema's rules, 204 for nothing
// kept and for every write.
type settingsHub struct {
	mu     sync.Mutex
	stored map[string]string // number → settings JSON
	paths  []string
	answer string // when set, the answer to every query
}

func (h *settingsHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paths = append(h.paths, r.Method+" "+r.URL.Path)
	var body struct {
		Customer party           `json:"customer"`
		Settings json.RawMessage `json:"settings"`
	}
	raw, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	problem := func(status int) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		io.WriteString(w, `{"type":"https://hub.example.se/problems/invalid-settings","title":"Ogiltiga inställningar","status":400}`)
	}
	if err := dec.Decode(&body); err != nil || body.Customer.Number == "" || strings.Contains(r.URL.String(), body.Customer.Number) {
		problem(http.StatusBadRequest)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/account-settings/query" && body.Settings == nil:
		s, ok := h.stored[body.Customer.Number]
		if h.answer != "" {
			s, ok = h.answer, true
		}
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"settings":`+s+`}`)
	case r.Method == http.MethodPut && r.URL.Path == "/v1/account-settings" && body.Settings != nil:
		var s struct {
			Channel   string `json:"channel"`
			Address   string `json:"address"`
			Frequency string `json:"frequency"`
			Scope     struct {
				Mode   string   `json:"mode"`
				Actors []string `json:"actors"`
			} `json:"scope"`
		}
		sd := json.NewDecoder(strings.NewReader(string(body.Settings)))
		sd.DisallowUnknownFields()
		if sd.Decode(&s) != nil || (s.Channel == "minameddelanden") != (s.Address == "") ||
			s.Channel == "sms" && !strings.HasPrefix(s.Address, "+") || !strings.Contains("immediately daily weekly", s.Frequency) {
			problem(http.StatusBadRequest)
			return
		}
		h.stored[body.Customer.Number] = string(body.Settings)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/account-settings/delete" && body.Settings == nil:
		delete(h.stored, body.Customer.Number)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestAccountSettingsRoundTripThroughTheHub(t *testing.T) {
	ctx := context.Background()
	hub := &settingsHub{stored: map[string]string{}}
	s := newTestHub(t, hub).newClient(t, nil).AccountSettings()

	_, found, err := s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.False(t, found, "204: no notifications chosen")

	sms := notification.Settings{Channel: notification.SMS, Address: "070-123 45 67", Frequency: notification.Daily,
		Scope: preferences.Notify{Mode: preferences.NotifyActors, Actors: []string{"skatteverket"}}}
	require.NoError(t, s.Put(ctx, tolvan, sms))
	got, found, err := s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.True(t, found)
	sms.Address = "+46701234567" // sent and kept in E.164
	require.Equal(t, sms, got)

	mm := notification.Settings{Channel: notification.MinaMeddelanden, Frequency: notification.Immediately,
		Scope: preferences.Notify{Mode: preferences.NotifyActionRequired}}
	require.NoError(t, s.Put(ctx, agent, mm))
	require.NoError(t, s.Delete(ctx, tolvan))
	_, found, err = s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.False(t, found, "deleted")
	got, _, err = s.Get(ctx, agent)
	require.NoError(t, err)
	require.Equal(t, mm, got, "only the customer's own are deleted")
	require.Equal(t, []string{"POST /v1/account-settings/query", "PUT /v1/account-settings", "POST /v1/account-settings/query",
		"PUT /v1/account-settings", "POST /v1/account-settings/delete", "POST /v1/account-settings/query",
		"POST /v1/account-settings/query"}, hub.paths)

	// Nothing invalid leaves the view, and no party means no call.
	before := len(hub.paths)
	var ve *notification.ValidationError
	require.ErrorAs(t, s.Put(ctx, tolvan, notification.Settings{Channel: "pigeon", Frequency: notification.Daily, Scope: mm.Scope}), &ve)
	require.ErrorAs(t, s.Put(ctx, tolvan, notification.Settings{Channel: notification.Email, Address: "tolvan@", Frequency: "hourly", Scope: mm.Scope}), &ve)
	require.True(t, ve.Field("address") && ve.Field("frequency"))
	requireNoSecrets(t, ve.Error())
	require.NotContains(t, ve.Error(), "tolvan@", "an address is never repeated")
	require.ErrorIs(t, s.Put(ctx, identity.Party{}, mm), ErrNoCustomer)
	require.ErrorIs(t, s.Delete(ctx, identity.Party{}), ErrNoCustomer)
	require.Equal(t, before, len(hub.paths))
}

func TestAccountSettingsFromTheHubAreChecked(t *testing.T) {
	tests := []struct{ answer, want string }{
		{`{"channel":"email","address":"inte en adress","frequency":"daily","scope":{"mode":"all"}}`, "address: must be an e-mail address"},
		{`{"channel":"fax","frequency":"daily","scope":{"mode":"all"}}`, "channel: must be"},
		{`{"channel":"sms","address":"+46701234567","frequency":"daily","scope":{"mode":"all"},"Hemlig":1}`, "unknown member"},
		{`{"channel":"minameddelanden","frequency":"monthly","scope":{"mode":"all"}}`, "frequency: must be"},
	}
	hub := &settingsHub{stored: map[string]string{}}
	s := newTestHub(t, hub).newClient(t, nil).AccountSettings()
	for _, tt := range tests {
		hub.mu.Lock()
		hub.answer = tt.answer
		hub.mu.Unlock()
		_, _, err := s.Get(context.Background(), tolvan)
		require.ErrorIs(t, err, cases.ErrInvalidResponse)
		require.ErrorContains(t, err, tt.want)
		requireNoSecrets(t, err.Error())
		require.NotContains(t, err.Error(), "inte en adress")
	}
}

func TestAccountSettingsHubFailuresAreClearErrors(t *testing.T) {
	for _, code := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		s := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(code)
			io.WriteString(w, `{"type":"https://hub.example.se/problems/x","title":"191212121212 Hemlig"}`)
		})).newClient(t, nil).AccountSettings()
		ctx := context.Background()
		ok := notification.Settings{Channel: notification.Email, Address: "tolvan@example.se", Frequency: notification.Weekly,
			Scope: preferences.Notify{Mode: preferences.NotifyAll}}
		_, _, getErr := s.Get(ctx, tolvan)
		for _, err := range []error{getErr, s.Put(ctx, tolvan, ok), s.Delete(ctx, tolvan)} {
			var se *StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, code, se.Code)
			require.Equal(t, "https://hub.example.se/problems/x", se.Type)
			require.Contains(t, err.Error(), "/v1/account-settings")
			requireNoSecrets(t, err.Error())
			require.NotContains(t, err.Error(), "tolvan@example.se")
		}
	}
}
