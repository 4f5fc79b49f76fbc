# Faceberg quickstart: serve the sample datasets from a local Hub, turn the datasets listed in
# faceberg.yml into Iceberg tables, push a new commit to one dataset and sync the tables.
# Each step's objects go to Out-Host so each type gets its own table view.
# Run it with `./build.ps1 -Quickstart`, or after ./build.ps1 as ./examples/quickstart.ps1: it uses the
# Faceberg module already imported, else the one built in ./out/Faceberg.
param(
    # Where the quickstart works; it is replaced on every run.
    [string] $WorkDirectory = (Join-Path (Get-Location).Path 'quickstart-work')
)
$ErrorActionPreference = 'Stop'

$repoRoot = Split-Path -Parent $PSScriptRoot
if (-not (Get-Module Faceberg)) { Import-Module (Join-Path $repoRoot 'out/Faceberg/Faceberg.psd1') }
if (Test-Path $WorkDirectory) { Remove-Item $WorkDirectory -Recurse -Force }
$null = New-Item $WorkDirectory -ItemType Directory -Force
Copy-Item (Join-Path $repoRoot 'faceberg.yml') $WorkDirectory

Write-Host "0. Start a local Hub with the sample datasets (HF_ENDPOINT points at it until it stops)"
$hub = Start-FacebergLocalHub -Path (Join-Path $WorkDirectory 'hub') -Sample -SetEnvironment
try {
    Write-Host "1. Create the catalog described by faceberg.yml"
    $catalog = New-FacebergCatalog (Join-Path $WorkDirectory 'faceberg.yml')
    $catalog | Out-Host

    Write-Host "2. Create a table per dataset config (footers are read in parallel; no data is copied)"
    $catalog | New-FacebergTable | Out-Host

    Write-Host "3. List the tables"
    Get-FacebergTable -Catalog $catalog | Out-Host

    Write-Host "4. Push a new commit to demo/iris: one more Parquet file"
    $store = $hub.Server.Store
    $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
    $files['data/iris-00002.parquet'] = $store.ReadFile('demo/iris', 'main', 'data/iris-00001.parquet')
    $null = $store.Commit('demo/iris', $files, $null, 'Add more flowers')

    Write-Host "5. Sync the tables: only iris changed, and only the new file's footer is read"
    Get-FacebergTable -Catalog $catalog | Sync-FacebergTable | Out-Host

    Write-Host "6. List the tables again"
    Get-FacebergTable -Catalog $catalog | Out-Host

    Write-Host "7. Read rows: only the test split's files are opened, only two columns fetched"
    Read-FacebergTable movie_reviews_default -Catalog $catalog -Split test -Property text, label -First 3 | Out-Host

    Write-Host "8. The iris table's history: the sync added a snapshot pinned to the new commit"
    Get-FacebergSnapshot iris_default -Catalog $catalog | Out-Host
}
finally {
    $hub | Stop-FacebergLocalHub
}
