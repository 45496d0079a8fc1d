#!/usr/bin/env bash
# Builds everything (zero warnings allowed) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-fashion-mnist.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test ModelDsl.sln -c Release 2>&1 | tee "$log" || status=$?
# One plain closing line, summed over the test projects.
awk '/(Passed|Failed)!  - Failed:/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") failed += $(i + 1) + 0
         if ($i == "Passed:") passed += $(i + 1) + 0
         if ($i == "Skipped:") skipped += $(i + 1) + 0
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit $status
