package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/cmd/internal/cli"
)

// Usage errors exit 2 with a message, before any browser starts.
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "give the overview with -url"},
		{[]string{"-url", "https://bank.example/", "-login", "SESSION=abc"}, "want cookie:"},
		{[]string{"-url", "https://bank.example/", "-login-field", "a=b"}, "-login-field goes with -login form:URL"},
		{[]string{"-url", "https://bank.example/", "extra"}, "unexpected arguments"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut)
		require.Equal(t, cli.ExitError, code, tc.args)
		require.Contains(t, errOut.String(), tc.want)
	}
}
