#!/usr/bin/env bash
# Builds the solution and runs every test suite; prints one closing line
# "N passed, N failed, N skipped" and exits non-zero when anything failed.
# CONFIGURATION=Release bash tests/run.sh builds and tests the Release configuration.
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${CONFIGURATION:-Debug}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The independent Iceberg reader (icebird) from the committed lockfile; its tests must run, not skip.
export FACEBERG_INTEROP=require
npm ci --prefix tests/interop --no-audit --no-fund || exit 1
dotnet restore Faceberg.PowerShell.sln || exit 1
dotnet build Faceberg.PowerShell.sln --no-restore -c "$configuration" || exit 1

passed=0 failed=0 skipped=0 status=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for project in tests/*.Tests/*.Tests.csproj; do
    echo "== $project"
    dotnet test "$project" --no-build -c "$configuration" 2>&1 | tee "$log"
    code=${PIPESTATUS[0]}
    # dotnet test's summary: "Passed!  - Failed:     0, Passed:    31, Skipped:     0, Total:    31, ..."
    summary="$(grep -E 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)"
    if [[ -z "$summary" ]]; then
        echo "!! $project produced no test summary (exit $code)"
        failed=$((failed + 1)); status=1; continue
    fi
    f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
    p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
    s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [[ $code -ne 0 || $f -ne 0 ]]; then status=1; fi
done

echo "== tests/interop (node)"
node_log="$(mktemp)"
node --test tests/interop/ 2>&1 | tee "$node_log"
node_code=${PIPESTATUS[0]}
# node --test's summary lines: "# pass 29", "# fail 0", "# skipped 0"
np=$(sed -nE 's/^# pass ([0-9]+)/\1/p' "$node_log" | tail -n 1); nf=$(sed -nE 's/^# fail ([0-9]+)/\1/p' "$node_log" | tail -n 1)
ns=$(sed -nE 's/^# skipped ([0-9]+)/\1/p' "$node_log" | tail -n 1); rm -f "$node_log"
passed=$((passed + ${np:-0})); failed=$((failed + ${nf:-0})); skipped=$((skipped + ${ns:-0}))
if [[ $node_code -ne 0 || -z "$np" ]]; then status=1; fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
