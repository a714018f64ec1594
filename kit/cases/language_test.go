package cases

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLanguageCarriesOnlyWellFormedTags(t *testing.T) {
	ctx := context.Background()
	require.Empty(t, LanguageOf(ctx))
	require.Equal(t, "en-GB", LanguageOf(WithLanguage(ctx, "en-gb")))
	require.Empty(t, LanguageOf(WithLanguage(ctx, "sv\r\nX-Evil: 1")), "nothing that could break a header")
}
