#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for relocating a local catalog (docs/publishing.md, "Relocation"): Publish-FacebergCatalog
# -Repository on a catalog created without a repo rewrites its tables' paths to the repo (icebird, an
# independent Iceberg reader, then reads the published table over HTTP from the local Hub), Save-FacebergCatalog
# gives a catalog that works where it is saved, and a copied project folder is refused with CatalogRelocated
# until Repair-FacebergCatalog rewrites it — without reading or writing the original's files.
# icebird needs node and `npm ci --prefix tests/interop`; without them the icebird spec fails, never skips.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    $LocalConfig = @'
catalog:
  name: local
datasets:
  - name: iris
    repo: demo/iris
'@
    $Interop = Join-Path $PSScriptRoot '../interop'

    # Rows as sorted lines of their values (the split column aside: icebird reads it from files, which have none).
    function Format-Rows {
        param([Parameter(ValueFromPipeline)] $Row)
        begin { $lines = [System.Collections.Generic.List[string]]::new() }
        process {
            $values = foreach ($p in $Row.PSObject.Properties | Where-Object Name -NE 'split' | Sort-Object Name) {
                '{0}={1}' -f $p.Name, [System.Convert]::ToString($p.Value, [cultureinfo]::InvariantCulture)
            }
            $lines.Add($values -join '|')
        }
        end { ($lines | Sort-Object) -join "`n" }
    }

    # What icebird reads at an hf:// table location (HF_ENDPOINT is the local Hub's).
    function Read-Icebird {
        param([Parameter(Mandatory)] [string] $Location)
        if (-not (Get-Command node -ErrorAction Ignore)) { throw 'node is not on PATH (Node 20 or newer is needed).' }
        if (-not (Test-Path (Join-Path $Interop 'node_modules/icebird/package.json'))) { throw "icebird is not installed: run npm ci --prefix tests/interop." }
        $json = node (Join-Path $Interop 'dump.mjs') $Location 2>&1
        if ($LASTEXITCODE -ne 0) { throw "icebird could not read ${Location}: $json" }
        ($json -join "`n") | ConvertFrom-Json
    }

    function Get-FileHashes {
        param([string] $Path)
        $hashes = @{}
        foreach ($file in Get-ChildItem $Path -Recurse -File -Force) {
            $hashes[[System.IO.Path]::GetRelativePath($Path, $file.FullName)] = (Get-FileHash $file.FullName).Hash
        }
        $hashes
    }
}

Describe 'Publishing a local catalog' {
    BeforeEach {
        $hub = Start-TestHub
        Push-Location (New-TestProject -Config $LocalConfig)
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'relocates its tables to the repo, and icebird reads the published table over HTTP with the same rows' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $rows = Read-FacebergTable iris_default | Format-Rows
        (Get-Content ./.faceberg/metadata/default/iris_default/metadata/v2.metadata.json -Raw) | Should -Match 'file://'

        $published = Publish-FacebergCatalog -Repository team/relocated

        $published.RepositoryCreated | Should -BeTrue
        $published.Tables | Should -Be @('default.iris_default')
        $location = 'hf://datasets/team/relocated/metadata/default/iris_default'
        $dump = Read-Icebird $location
        $dump.location | Should -Be $location
        @($dump.rows).Count | Should -Be 150
        ($dump.rows | Format-Rows) | Should -Be $rows

        # The folder is the repo's working copy now: same rows, nothing ahead, and its metadata names the repo.
        (Get-Content ./.faceberg/metadata/default/iris_default/metadata/v2.metadata.json -Raw) | Should -Not -Match 'file://'
        (Get-FacebergTable iris_default).Location | Should -Be $location
        (Get-FacebergTable iris_default).AheadOfPublished | Should -BeFalse
        (Read-FacebergTable iris_default | Format-Rows) | Should -Be $rows
        (Publish-FacebergCatalog).FilesUploaded | Should -Be 0
    }

    It 'gives a catalog that Save-FacebergCatalog pulls into another folder, where it works' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $rows = Read-FacebergTable iris_default | Format-Rows
        $null = Publish-FacebergCatalog -Repository team/relocated
        $elsewhere = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        $saved = Save-FacebergCatalog team/relocated -Path $elsewhere

        $saved.TableCount | Should -Be 1
        (Read-FacebergTable iris_default -Catalog $elsewhere | Format-Rows) | Should -Be $rows
        $null = Copy-HubFile $hub demo/iris data/iris-00000.parquet data/iris-00009.parquet 'More flowers'
        (Sync-FacebergTable iris_default -Catalog $elsewhere).Status | Should -Be 'Updated'
        @(Read-FacebergTable iris_default -Catalog $elsewhere).Count | Should -BeGreaterThan 150
    }
}

Describe 'A copied project folder' {
    BeforeEach {
        $hub = Start-TestHub
        $original = New-TestProject -Config $LocalConfig
        Push-Location $original
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $rows = Read-FacebergTable iris_default | Format-Rows
        Pop-Location
        $copy = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        Copy-Item $original $copy -Recurse
        $originalFiles = Get-FileHashes $original
        Push-Location $copy
    }
    AfterEach {
        Pop-Location
        if (Test-Path "$original.away") { Move-Item "$original.away" $original }
        if (-not $IsWindows) { chmod -R u+w $original }
        $hub | Stop-FacebergLocalHub
    }

    It 'is refused with CatalogRelocated naming both folders and the fix, until Repair-FacebergCatalog rewrites it' {
        # The original is away: reading any of its files would fail.
        Move-Item $original "$original.away"

        Read-FacebergTable iris_default -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'CatalogRelocated,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -BeLike "*$(Join-Path $original '.faceberg')*"
        $err[0].Exception.Message | Should -BeLike "*$(Join-Path $copy '.faceberg')*"
        $err[0].Exception.Message | Should -BeLike '*Repair-FacebergCatalog*'
        Sync-FacebergTable iris_default -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CatalogRelocated,*'

        $before = Get-FileHashes $copy
        Repair-FacebergCatalog -WhatIf | Should -BeNullOrEmpty
        (Get-FileHashes $copy).Count | Should -Be $before.Count

        $repaired = Repair-FacebergCatalog

        $repaired.PSObject.TypeNames | Should -Contain 'Faceberg.RepairResult'
        $repaired.Table | Should -Be 'default.iris_default'
        $repaired.MetadataVersion | Should -Be 3
        $repaired.From | Should -BeLike "file://*$(Split-Path $original -Leaf)/.faceberg/metadata/default/iris_default"
        $repaired.To | Should -Be ([System.Uri]::new((Join-Path $copy '.faceberg/metadata/default/iris_default'))).AbsoluteUri
        (Read-FacebergTable iris_default | Format-Rows) | Should -Be $rows
        Repair-FacebergCatalog | Should -BeNullOrEmpty
        Test-Path $original | Should -BeFalse
    }

    It 'reads and syncs only its own files once repaired, with the original read-only' {
        if (-not $IsWindows) { chmod -R a-w $original }
        $null = Repair-FacebergCatalog
        $null = Copy-HubFile $hub demo/iris data/iris-00000.parquet data/iris-00009.parquet 'More flowers'

        (Sync-FacebergTable iris_default).Status | Should -Be 'Updated'
        @(Read-FacebergTable iris_default).Count | Should -BeGreaterThan 150
        (Get-FacebergSnapshot iris_default).Count | Should -Be 2

        $after = Get-FileHashes $original
        $after.Count | Should -Be $originalFiles.Count
        foreach ($file in $originalFiles.Keys) { $after[$file] | Should -Be $originalFiles[$file] }
        Get-ChildItem (Join-Path $copy '.faceberg/metadata/default/iris_default/metadata') -Filter 'v*.metadata.json' |
            ForEach-Object { Get-Content $_.FullName -Raw } | Select-Object -Last 1 | Should -Not -BeLike "*$(Split-Path $original -Leaf)*"
    }
}
