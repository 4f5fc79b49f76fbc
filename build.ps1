#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds the Faceberg module into ./out/Faceberg and, with -Test, runs the test suites.
.EXAMPLE
    ./build.ps1
    Import-Module ./out/Faceberg/Faceberg.psd1
.EXAMPLE
    ./build.ps1 -Test -Configuration Release
#>
[CmdletBinding()]
param(
    # Also run every test suite (the same commands as tests/run.sh, icebird's included).
    [switch] $Test,
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)
$ErrorActionPreference = 'Stop'
Push-Location $PSScriptRoot
try {
    dotnet restore Faceberg.PowerShell.sln
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore failed ($LASTEXITCODE)." }
    dotnet build Faceberg.PowerShell.sln --no-restore -c $Configuration
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }
    Write-Host "Module built: $(Join-Path $PSScriptRoot 'out/Faceberg/Faceberg.psd1')"

    if ($Test) {
        # The independent Iceberg reader (icebird, Node) from the committed lockfile; its checks must run, not skip.
        $env:FACEBERG_INTEROP = 'require'
        npm ci --prefix tests/interop --no-audit --no-fund
        if ($LASTEXITCODE -ne 0) { throw "npm ci --prefix tests/interop failed ($LASTEXITCODE)." }
        $failures = @()
        foreach ($project in Get-ChildItem tests/*.Tests/*.Tests.csproj) {
            dotnet test $project.FullName --no-build -c $Configuration
            if ($LASTEXITCODE -ne 0) { $failures += $project.Name }
        }
        node --test tests/interop/
        if ($LASTEXITCODE -ne 0) { $failures += 'tests/interop' }
        if ($failures) { throw "Tests failed in: $($failures -join ', ')" }
    }
}
finally {
    Pop-Location
}
