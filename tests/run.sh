#!/usr/bin/env bash
# Runs every test suite in pwsh (the README's test command, from bash): restores the pinned pwsh
# tool, then build.ps1 -Test builds, runs xunit, icebird (Node) and the Pester specs, prints one
# closing line "N passed, N failed, N skipped" and exits non-zero when anything failed.
# CONFIGURATION=Release bash tests/run.sh builds and tests the Release configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet tool restore
exec dotnet pwsh -NoProfile -NonInteractive ./build.ps1 -Test -Configuration "${CONFIGURATION:-Debug}"
