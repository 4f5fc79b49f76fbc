# Faceberg quickstart: create the catalog described by faceberg.yml and list its tables.
# Runs in pwsh (after ./build.ps1 and Import-Module ./out/Faceberg/Faceberg.psd1) or, without
# pwsh, through the bundled host:  dotnet run --project tools/Faceberg.Shell -- examples/quickstart.ps1
param(
    # Where the quickstart works; it is replaced on every run.
    [string] $WorkDirectory = (Join-Path (Get-Location).Path 'quickstart-work')
)
$ErrorActionPreference = 'Stop'

$repoRoot = Split-Path -Parent $PSScriptRoot
if (Test-Path $WorkDirectory) { Remove-Item $WorkDirectory -Recurse -Force }
$null = New-Item $WorkDirectory -ItemType Directory -Force
Copy-Item (Join-Path $repoRoot 'faceberg.yml') $WorkDirectory

Write-Host "1. Create the catalog described by faceberg.yml"
$catalog = New-FacebergCatalog (Join-Path $WorkDirectory 'faceberg.yml')
$catalog

Write-Host "2. List its tables"
Get-FacebergTable -Catalog $catalog

Write-Host "Catalog '$($catalog.Name)' is at $($catalog.Location) with $($catalog.TableCount) table(s)."
