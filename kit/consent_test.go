package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
)

// fakeSettings is an AccountSettings that counts deletes and can fail.
type fakeSettings struct {
	deleted atomic.Int32
	fail    error
}

func (f *fakeSettings) Get(context.Context, identity.Party) (notification.Settings, bool, error) {
	return notification.Settings{}, false, nil
}
func (f *fakeSettings) Put(context.Context, identity.Party, notification.Settings) error { return nil }
func (f *fakeSettings) Delete(context.Context, identity.Party) error {
	if f.fail != nil {
		return f.fail
	}
	f.deleted.Add(1)
	return nil
}

// consentKit asks for consent; its source counts the times it is asked.
func consentKit(t *testing.T, settings notification.AccountSettings) (*Kit, *preferences.Memory, *atomic.Int32) {
	t.Helper()
	store, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	var asked atomic.Int32
	k, err := New(Config{
		Preferences: store, AccountSettings: settings,
		Consent: Consent{Required: true, Page: "/samtycke"},
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				asked.Add(1)
				return cases.Result{Cases: []cases.Case{testCase("skatteverket:1", "Hemlig deklaration", "skatteverket", cases.Received, 1, "")}}, nil
			})}},
	})
	require.NoError(t, err)
	return k, store, &asked
}

func TestOverviewAsksForConsentUntilGivenAndAgainAfterWithdrawal(t *testing.T) {
	settings := &fakeSettings{}
	k, store, asked := consentKit(t, settings)
	ctx := context.Background()

	requireConsentProblem := func() {
		t.Helper()
		w := get(t, k, "/arendevy/api/overview", &tolvan)
		require.Equal(t, http.StatusForbidden, w.Code)
		require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		var p struct{ Type, Title, Consent string }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
		require.Equal(t, ConsentRequiredType, p.Type)
		require.Equal(t, "/samtycke", p.Consent)
		require.Equal(t, "Översikten är inte aktiverad", p.Title)
		require.NotContains(t, w.Body.String(), "Hemlig")
		var page bytes.Buffer
		require.ErrorIs(t, k.RenderPage(ctx, &page, tolvan, nil, "sv"), ErrConsentRequired)
		require.Zero(t, page.Len())
		require.Zero(t, asked.Load(), "no source is asked before consent")
		require.Empty(t, store.Dump(), "nothing is recorded before consent, not even a visit")
	}
	requireConsentProblem()
	given, err := k.Consented(ctx, tolvan)
	require.NoError(t, err)
	require.False(t, given)

	require.NoError(t, k.GiveConsent(ctx, tolvan))
	w := get(t, k, "/arendevy/api/overview", &tolvan)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), "Hemlig deklaration")
	p, err := store.Get(ctx, tolvan.Customer())
	require.NoError(t, err)
	require.Equal(t, 1, p.Consent.Version)
	require.WithinDuration(t, time.Now(), p.Consent.Given, time.Minute)

	// The browser cannot set or drop the consent through the preferences.
	r := httptest.NewRequest(http.MethodPut, "/arendevy/api/preferences", strings.NewReader(`{"sort":"title","consent":{"version":7,"given":"2026-01-01T00:00:00Z"}}`))
	w = httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r.WithContext(identity.WithSubject(r.Context(), tolvan)))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	p, err = store.Get(ctx, tolvan.Customer())
	require.NoError(t, err)
	require.Equal(t, 1, p.Consent.Version, "the stored consent stands")
	require.Equal(t, http.StatusOK, get(t, k, "/arendevy/api/overview", &tolvan).Code, "still consented")

	// Withdrawn: the hub is told, everything kept is gone, consent asked again.
	require.NoError(t, k.WithdrawConsent(ctx, tolvan))
	require.EqualValues(t, 1, settings.deleted.Load())
	asked.Store(0)
	requireConsentProblem()
	p, err = store.Get(ctx, tolvan.Customer())
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), p, "every preference reset")
}

func TestWithdrawalKeepsEverythingWhenTheHubCannotBeTold(t *testing.T) {
	settings := &fakeSettings{fail: errors.New("hub down")}
	k, store, _ := consentKit(t, settings)
	ctx := context.Background()
	require.NoError(t, k.GiveConsent(ctx, tolvan))
	require.Error(t, k.WithdrawConsent(ctx, tolvan))
	given, err := k.Consented(ctx, tolvan)
	require.NoError(t, err)
	require.True(t, given, "nothing deleted: the customer is never notified without a consent on record")
	require.Len(t, store.Dump(), 1)
}

func TestConsentConfigIsChecked(t *testing.T) {
	src := []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
		Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}
	_, err := New(Config{Sources: src, Consent: Consent{Required: true, Page: "https://evil.example/"}})
	require.ErrorContains(t, err, "Consent: needs Preferences")
	require.ErrorContains(t, err, "Consent.Page: must be a path of this site")
}

// TestConsentThroughTheAPI: a portal in another language gives and
// withdraws the consent through {mount}/api/consent.
func TestConsentThroughTheAPI(t *testing.T) {
	settings := &fakeSettings{}
	k, store, _ := consentKit(t, settings)
	send := func(method string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, "/arendevy/api/consent", nil)
		w := httptest.NewRecorder()
		k.Handler().ServeHTTP(w, r.WithContext(identity.WithSubject(r.Context(), tolvan)))
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		return w
	}
	state := func() string {
		t.Helper()
		w := send(http.MethodGet)
		require.Equal(t, http.StatusOK, w.Code)
		return strings.TrimSpace(w.Body.String())
	}
	require.JSONEq(t, `{"given":false,"version":1,"page":"/samtycke"}`, state())
	require.Equal(t, http.StatusNoContent, send(http.MethodPut).Code)
	require.JSONEq(t, `{"given":true,"version":1,"page":"/samtycke"}`, state())
	require.Equal(t, http.StatusOK, get(t, k, "/arendevy/api/overview", &tolvan).Code)
	require.Equal(t, http.StatusNoContent, send(http.MethodDelete).Code)
	require.JSONEq(t, `{"given":false,"version":1,"page":"/samtycke"}`, state())
	require.Equal(t, http.StatusForbidden, get(t, k, "/arendevy/api/overview", &tolvan).Code)
	require.Empty(t, store.Dump())
	require.EqualValues(t, 1, settings.deleted.Load())
	require.Equal(t, http.StatusUnauthorized, get(t, k, "/arendevy/api/consent", nil).Code)

	settings.fail = errors.New("hub down")
	require.Equal(t, http.StatusNoContent, send(http.MethodPut).Code)
	w := send(http.MethodDelete)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	require.JSONEq(t, `{"given":true,"version":1,"page":"/samtycke"}`, state(), "nothing withdrawn when the hub cannot be told")
}
