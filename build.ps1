#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds the Faceberg module into ./out/Faceberg; runs the quickstart, packages the module or runs every test.
.DESCRIPTION
    From a fresh clone, with only the .NET SDK (and Node for the tests):
        dotnet tool restore && dotnet pwsh ./build.ps1 -Quickstart
        dotnet tool restore && dotnet pwsh ./build.ps1 -Test
    `dotnet tool restore` brings the pinned pwsh (.config/dotnet-tools.json); the solution's restore
    brings Pester (tests/pester/Pester.Restore.csproj).
.EXAMPLE
    ./build.ps1
    Import-Module ./out/Faceberg/Faceberg.psd1
.EXAMPLE
    ./build.ps1 -Package
    Writes ./out/package/Faceberg.<version>.nupkg, the package Publish-PSResource sends to a gallery.
.EXAMPLE
    ./build.ps1 -Test -Configuration Release
#>
[CmdletBinding()]
param(
    # Run examples/quickstart.ps1 (a local Hub, a catalog, tables, a sync) in a child pwsh.
    [switch] $Quickstart,
    # Publish the built module folder to ./out/package, a folder registered as a PSResourceGet
    # repository for the time of the publish: the .nupkg there is what a gallery receives.
    [switch] $Package,
    # Run every test suite (xunit, icebird through Node, Pester in pwsh); the last line printed is
    # "N passed, N failed, N skipped" and the exit code is non-zero when anything failed.
    [switch] $Test,
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)
$ErrorActionPreference = 'Stop'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Get-PwshCommand {
    # How to start another pwsh like this one: as a dotnet tool (`dotnet pwsh`) the process is
    # dotnet running pwsh.dll; an installed pwsh is its own executable.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { , @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    else { , @($process) }
}

function Invoke-Pwsh {
    # Runs a script in a child pwsh; returns its exit code.
    param([Parameter(Mandatory)] [string] $File, [string[]] $ArgumentList = @())
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $File @ArgumentList | Out-Host
    $LASTEXITCODE
}

function Invoke-Suite {
    # Runs one native test command, echoing its output, and returns its exit code and output lines.
    param([Parameter(Mandatory)] [scriptblock] $Command)
    $lines = [System.Collections.Generic.List[string]]::new()
    & $Command 2>&1 | ForEach-Object { $line = "$_"; $lines.Add($line); $line } | Out-Host
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = $lines }
}

Push-Location $PSScriptRoot
try {
    dotnet restore Faceberg.PowerShell.sln
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore failed ($LASTEXITCODE)." }
    dotnet build Faceberg.PowerShell.sln --no-restore -c $Configuration
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }
    $manifest = Join-Path $PSScriptRoot 'out/Faceberg/Faceberg.psd1'
    Write-Host "Module built: $manifest"

    if ($Quickstart) {
        $code = Invoke-Pwsh -File (Join-Path $PSScriptRoot 'examples/quickstart.ps1')
        if ($code -ne 0) { throw "examples/quickstart.ps1 failed ($code)." }
    }

    if ($Package) {
        $packageFolder = Join-Path $PSScriptRoot 'out/package'
        $version = (Import-PowerShellDataFile $manifest).ModuleVersion
        $null = New-Item $packageFolder -ItemType Directory -Force
        Remove-Item (Join-Path $packageFolder "Faceberg.$version.nupkg") -ErrorAction Ignore
        # A uniquely named repository, registered only for this publish, so no user repository is touched.
        $repository = "FacebergBuild-$([guid]::NewGuid().ToString('N'))"
        Register-PSResourceRepository -Name $repository -Uri $packageFolder -Trusted
        try {
            Publish-PSResource -Path (Split-Path $manifest) -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
        Write-Host "Module package: $(Join-Path $packageFolder "Faceberg.$version.nupkg")"
    }

    if ($Test) {
        $passed = 0; $failed = 0; $skipped = 0; $broken = @()

        # The independent Iceberg reader (icebird) from the committed lockfile: its checks run or fail.
        npm ci --prefix tests/interop --no-audit --no-fund
        if ($LASTEXITCODE -ne 0) { throw "npm ci --prefix tests/interop failed ($LASTEXITCODE)." }

        foreach ($project in Get-ChildItem tests/*.Tests/*.Tests.csproj) {
            Write-Host "== $($project.Name)"
            $run = Invoke-Suite { dotnet test $project.FullName --no-build -c $Configuration }
            # dotnet test's summary: "Passed!  - Failed:     0, Passed:    31, Skipped:     0, Total:    31, ..."
            $summary = $run.Lines | Select-String 'Failed: +(\d+), Passed: +(\d+), Skipped: +(\d+)' | Select-Object -Last 1
            if (-not $summary) { $failed++; $broken += "$($project.Name) (no test summary, exit $($run.ExitCode))"; continue }
            $f, $p, $s = $summary.Matches[0].Groups[1..3] | ForEach-Object { [int] $_.Value }
            $passed += $p; $failed += $f; $skipped += $s
            if ($run.ExitCode -ne 0 -or $f -ne 0) { $broken += $project.Name }
        }

        Write-Host '== tests/interop (node)'
        $run = Invoke-Suite { node --test tests/interop/ }
        # node --test's summary lines: "# pass 29", "# fail 0", "# skipped 0"
        $count = { param($name) $m = $run.Lines | Select-String "^# $name (\d+)$" | Select-Object -Last 1; if ($m) { [int] $m.Matches[0].Groups[1].Value } }
        $np = & $count pass; $nf = & $count fail; $ns = & $count skipped
        $passed += [int] $np; $failed += [int] $nf; $skipped += [int] $ns
        if ($run.ExitCode -ne 0 -or $null -eq $np) { $broken += 'tests/interop' }

        Write-Host '== tests/pester (pwsh)'
        $counts = Join-Path ([IO.Path]::GetTempPath()) "faceberg-pester-$([guid]::NewGuid().ToString('N')).json"
        try {
            $code = Invoke-Pwsh -File (Join-Path $PSScriptRoot 'tests/pester/Invoke-Specs.ps1') -ArgumentList '-CountsFile', $counts
            if (Test-Path $counts) {
                $pester = Get-Content $counts -Raw | ConvertFrom-Json
                $passed += $pester.Passed; $failed += $pester.Failed; $skipped += $pester.Skipped
            }
            else { $failed++ }
            if ($code -ne 0) { $broken += 'tests/pester' }
        }
        finally { Remove-Item $counts -ErrorAction Ignore }

        if ($broken) { Write-Host "Failed: $($broken -join ', ')" }
        Write-Host "$passed passed, $failed failed, $skipped skipped"
        if ($broken -or $failed -gt 0) { exit 1 }
    }
}
finally {
    Pop-Location
}
