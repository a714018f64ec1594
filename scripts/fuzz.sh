#!/usr/bin/env bash
# Runs every Go fuzz target in the repository briefly, so the targets keep
# compiling and their seed corpora keep passing. Usage: fuzz.sh BUDGET
# (an execution count such as 3000x, or a duration)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-3000x}
status=0
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  echo "fuzz $pkg $name ($dur)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$dur" "$pkg" || status=1
done < <(git ls-files '*_test.go' | xargs grep -o '^func Fuzz[A-Za-z0-9_]*' | sed 's/func //')
exit $status
