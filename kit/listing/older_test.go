package listing

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOlderIsReadFromTheAddressOnly: older=N reaches the query and its
// links; anything but 0 to cases.MaxOlder is a named problem.
func TestOlderIsReadFromTheAddressOnly(t *testing.T) {
	q, err := Parse(url.Values{"older": {"2"}}, Default())
	require.NoError(t, err)
	require.Equal(t, 2, q.Older)
	require.Equal(t, "2", q.Values().Get("older"))
	require.NotContains(t, string(q.AppendJSON(nil)), "older", "not in the query's JSON: the element has its attribute")
	require.NotContains(t, Default().Values().Encode(), "older")
	for _, bad := range []string{"-1", "11", "x", "1.5", ""} {
		_, err := Parse(url.Values{"older": {bad}}, Default())
		var pe *ParamError
		require.ErrorAs(t, err, &pe, bad)
		require.Equal(t, []InvalidParam{{Name: "older", Reason: "must be a whole number from 0 to 10"}}, pe.Params)
	}
}
