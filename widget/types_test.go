package widget_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestModuleTypes runs the TypeScript compiler over the module's JSDoc types
// (tsconfig.json: checkJs, strict), so that make test fails on a type error
// like on any other. tsc comes from widget/package-lock.json (make
// test-deps); it checks only, nothing is emitted or served.
func TestModuleTypes(t *testing.T) {
	tsc := filepath.Join("node_modules", ".bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("the TypeScript compiler is not installed: run `make test-deps` (npm ci in widget/): %v", err)
	}
	out, err := exec.CommandContext(t.Context(), tsc, "--project", "tsconfig.json", "--pretty", "false").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc finds type errors in %s:\n%s", "arendevy-overview.js", out)
	}
}
