package notification

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/preferences"
)

var all = preferences.Notify{Mode: preferences.NotifyAll}

func TestNormalizeKeepsOneFormOfEachAddress(t *testing.T) {
	for _, tt := range []struct {
		in   Settings
		want string
	}{
		{Settings{Channel: Email, Address: " elin.karlsson@example.se ", Frequency: Daily, Scope: all}, "elin.karlsson@example.se"},
		{Settings{Channel: SMS, Address: "070-123 45 67", Frequency: Immediately, Scope: all}, "+46701234567"},
		{Settings{Channel: SMS, Address: "+46 (0)70", Frequency: Immediately, Scope: all}, ""},
		{Settings{Channel: SMS, Address: "+46 70 123 45 67", Frequency: Weekly, Scope: all}, "+46701234567"},
		{Settings{Channel: SMS, Address: "0046701234567", Frequency: Weekly, Scope: all}, "+46701234567"},
		{Settings{Channel: SMS, Address: "+358 40 1234567", Frequency: Weekly, Scope: all}, "+358401234567"},
		{Settings{Channel: MinaMeddelanden, Frequency: Weekly, Scope: preferences.Notify{Mode: preferences.NotifyActors, Actors: []string{"csn"}}}, ""},
	} {
		got, err := Normalize(tt.in)
		if tt.want == "" && tt.in.Channel == SMS {
			require.Error(t, err, tt.in.Address)
			continue
		}
		require.NoError(t, err, tt.in.Address)
		require.Equal(t, tt.want, got.Address)
	}
}

func TestNormalizeNamesEveryProblemWithoutTheAddress(t *testing.T) {
	for _, tt := range []struct {
		name   string
		in     Settings
		fields []string
	}{
		{"no channel", Settings{Frequency: Daily, Scope: all}, []string{"channel"}},
		{"unknown channel", Settings{Channel: "fax", Address: "08-123", Frequency: Daily, Scope: all}, []string{"channel"}},
		{"bad frequency", Settings{Channel: MinaMeddelanden, Frequency: "hourly", Scope: all}, []string{"frequency"}},
		{"no frequency", Settings{Channel: MinaMeddelanden, Scope: all}, []string{"frequency"}},
		{"address with Mina meddelanden", Settings{Channel: MinaMeddelanden, Address: "elin@example.se", Frequency: Daily, Scope: all}, []string{"address"}},
		{"e-mail without address", Settings{Channel: Email, Frequency: Daily, Scope: all}, []string{"address"}},
		{"not an e-mail address", Settings{Channel: Email, Address: "elin at example.se", Frequency: Daily, Scope: all}, []string{"address"}},
		{"e-mail with a name", Settings{Channel: Email, Address: "Elin <elin@example.se>", Frequency: Daily, Scope: all}, []string{"address"}},
		{"e-mail without a dot", Settings{Channel: Email, Address: "elin@localhost", Frequency: Daily, Scope: all}, []string{"address"}},
		{"too long an e-mail address", Settings{Channel: Email, Address: string(make([]byte, 250)) + "@x.se", Frequency: Daily, Scope: all}, []string{"address"}},
		{"letters in a number", Settings{Channel: SMS, Address: "070-ELIN", Frequency: Daily, Scope: all}, []string{"address"}},
		{"too short a number", Settings{Channel: SMS, Address: "070123", Frequency: Daily, Scope: all}, []string{"address"}},
		{"too long a number", Settings{Channel: SMS, Address: "+4670123456789012", Frequency: Daily, Scope: all}, []string{"address"}},
		{"no country", Settings{Channel: SMS, Address: "701234567", Frequency: Daily, Scope: all}, []string{"address"}},
		{"bad scope", Settings{Channel: MinaMeddelanden, Frequency: Daily, Scope: preferences.Notify{Mode: preferences.NotifyActors}}, []string{"scope.actors"}},
		{"everything", Settings{Channel: Email, Address: "nej", Frequency: "never", Scope: preferences.Notify{Mode: "some"}}, []string{"address", "frequency", "scope.mode"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize(tt.in)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			var fields []string
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
			require.Equal(t, tt.fields, fields)
			if tt.in.Address != "" {
				require.NotContains(t, err.Error(), tt.in.Address, "an address is personal data: never repeated")
			}
		})
	}
}
