package htmlform

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	page := `<input name="outside" value="x">
<form action="/idp/login"><input type="radio" name="persona" value="a"><input type="radio" name="persona" value="b">
<input type="hidden" name="csrf" value="t"><input type="submit"></form>
<form action="https://sp/acs"><input type="hidden" name="SAMLResponse" value="PHNhbWw+"/></form>`
	forms := Parse(page)
	require.Len(t, forms, 2)
	require.Equal(t, "/idp/login", forms[0].Action)
	require.Equal(t, []string{"a", "b"}, forms[0].Radios)
	require.Equal(t, "t", forms[0].Fields.Get("csrf"))
	require.NotContains(t, forms[0].Fields, "outside", "an input outside a form is not submitted")
	require.Len(t, forms[0].Fields, 1, "an unnamed input is not submitted")
	require.Equal(t, "PHNhbWw+", forms[1].Fields.Get("SAMLResponse"))
}
