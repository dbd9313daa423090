#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format's layout; prints the files to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src tests fuzz bench -name '*.cc' -o -name '*.h' 2>/dev/null | sort)
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "not formatted (run: clang-format -i ${bad[*]})"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
