package kit

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMEEmbeddingExampleIsTheCompiledOne keeps the README's "Embed the
// kit in your Go portal" in step with Example_embed, which the compiler
// checks: the README shows the example's body, line for line.
func TestREADMEEmbeddingExampleIsTheCompiledOne(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	example, err := os.ReadFile("example_test.go")
	require.NoError(t, err)

	const marker = "<!-- example: kit/example_test.go Example_embed"
	_, after, ok := strings.Cut(string(readme), marker)
	require.True(t, ok, "README marks the example")
	_, block, ok := strings.Cut(after, "```go\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)

	_, body, ok := strings.Cut(string(example), "func Example_embed() {\n")
	require.True(t, ok)
	body, _, ok = strings.Cut(body, "\n}\n")
	require.True(t, ok)
	var want strings.Builder
	for line := range strings.SplitSeq(body, "\n") {
		want.WriteString(strings.TrimPrefix(line, "\t") + "\n")
	}
	require.Equal(t, want.String(), block)
	require.LessOrEqual(t, strings.Count(block, "\n"), 16, "about 15 lines")
}
