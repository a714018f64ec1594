package hub

import (
	"context"
	"net/http"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/jsondecode"
	"github.com/arendevy/arendevy/kit/notification"
)

// AccountSettings is the hub's account-settings endpoint as the kit's
// notification.AccountSettings: the customer's notification settings are
// kept and acted on by the hub, which sends the notifications, and never by
// the view. The calls go through the client's one outgoing HTTP client, as
// the overview does: mutual TLS, deadline, size cap, strict decoding.
func (c *Client) AccountSettings() notification.AccountSettings { return accountSettings{c} }

type accountSettings struct{ c *Client }

// Get asks the hub for the party's settings; 204 means none.
func (a accountSettings) Get(ctx context.Context, p identity.Party) (notification.Settings, bool, error) {
	wp, err := wireParty(p)
	if err != nil {
		return notification.Settings{}, false, err
	}
	status, data, err := a.c.call(ctx, http.MethodPost, pathSettingsQuery, customerOnly{wp}, http.StatusOK, http.StatusNoContent)
	if err != nil || status == http.StatusNoContent {
		return notification.Settings{}, false, err
	}
	var answer struct {
		Settings notification.Settings `json:"settings"`
	}
	if err := jsondecode.Strict(data, &answer); err != nil {
		return notification.Settings{}, false, invalid(http.MethodPost, pathSettingsQuery, jsondecode.Describe(err).String())
	}
	s, err := notification.Normalize(answer.Settings)
	if err != nil {
		// Reasons name fields, never the address.
		return notification.Settings{}, false, invalid(http.MethodPost, pathSettingsQuery, err.Error())
	}
	return s, true, nil
}

// Put checks s and replaces the party's settings at the hub.
func (a accountSettings) Put(ctx context.Context, p identity.Party, s notification.Settings) error {
	wp, err := wireParty(p)
	if err != nil {
		return err
	}
	if s, err = notification.Normalize(s); err != nil {
		return err
	}
	_, _, err = a.c.call(ctx, http.MethodPut, pathSettings, struct {
		Customer party                 `json:"customer"`
		Settings notification.Settings `json:"settings"`
	}{wp, s}, http.StatusNoContent)
	return err
}

// Delete asks the hub to forget the party's settings: no more notifications.
func (a accountSettings) Delete(ctx context.Context, p identity.Party) error {
	return a.c.forget(ctx, pathSettingsDelete, p)
}
