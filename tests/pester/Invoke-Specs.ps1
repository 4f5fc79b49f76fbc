#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the Pester specs of this folder with the Pester 5.7.1 module the solution's restore brings.
.DESCRIPTION
    Pester comes from its NuGet package (tests/pester/Pester.Restore.csproj downloads it; the package's
    tools/ folder is the module), found in the NuGet global packages folder. Exits 1 when any spec,
    block or file failed. -CountsFile writes {"Passed":N,"Failed":N,"Skipped":N} for build.ps1 -Test.
.EXAMPLE
    dotnet restore Faceberg.PowerShell.sln; ./tests/pester/Invoke-Specs.ps1
.EXAMPLE
    ./tests/pester/Invoke-Specs.ps1 -Path ./tests/pester/Pipelines.Tests.ps1
.EXAMPLE
    ./tests/pester/Invoke-Specs.ps1 -Tag Reliability
#>
[CmdletBinding()]
param(
    # Spec files or folders to run; by default every *.Tests.ps1 of this folder.
    [string[]] $Path = $PSScriptRoot,
    # Where to write the counts as JSON.
    [string] $CountsFile,
    # Run only the blocks with one of these tags (Reliability: the race, crash and bad-input matrices of docs/reliability.md).
    [string[]] $Tag
)
$ErrorActionPreference = 'Stop'

$packages = $env:NUGET_PACKAGES
if (-not $packages) {
    # "global-packages: /home/me/.nuget/packages/" (the folder NuGet.Config or the default names)
    $line = dotnet nuget locals global-packages --list --force-english-output | Select-String '^global-packages: (.+)$'
    if (-not $line) { throw 'dotnet nuget locals global-packages --list did not name the NuGet packages folder.' }
    $packages = $line.Matches[0].Groups[1].Value.Trim()
}
$pesterManifest = Join-Path $packages 'pester/5.7.1/tools/Pester.psd1'
if (-not (Test-Path $pesterManifest)) {
    throw "Pester 5.7.1 is not in $packages; run: dotnet restore Faceberg.PowerShell.sln"
}
Import-Module $pesterManifest -Force

$configuration = New-PesterConfiguration
# pwsh -File passes "a,b" as one string.
$configuration.Run.Path = @($Path | ForEach-Object { $_ -split ',' })
$configuration.Run.PassThru = $true
if ($Tag) { $configuration.Filter.Tag = @($Tag | ForEach-Object { $_ -split ',' }) }
$configuration.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $configuration

# A failing BeforeAll fails the Its of its block (counted in FailedCount); a file that fails to
# load or discover has no Its, so it counts once itself.
$failed = $result.FailedCount + $result.FailedContainersCount
if ($CountsFile) {
    [ordered]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount + $result.NotRunCount } |
        ConvertTo-Json | Set-Content $CountsFile
}
exit ([int] ($failed -gt 0 -or $result.Result -ne 'Passed'))
