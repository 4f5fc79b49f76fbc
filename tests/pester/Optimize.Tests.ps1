#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for Optimize-FacebergTable: after a run of syncs and writes, -RetainLast 5 leaves one manifest and at
# most 6 snapshots, removes more than half the metadata files, keeps the rows, keeps time travel to retained snapshots
# and makes an expired one a SnapshotNotFound error; -WhatIf changes nothing; tables come from the pipeline; data files
# are never deleted. On a local catalog and on an hf:// catalog (its deletions one Hub commit).
# Run: Invoke-Pester ./tests/pester/Optimize.Tests.ps1

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    $CatalogRepo = 'team/optimized'
    $Remote = "hf://datasets/$CatalogRepo"
    $Config = @"
catalog:
  name: optimized
  repo: $CatalogRepo
datasets:
  - name: iris
    repo: demo/iris
"@
    $Row = @{ sepal_length = 5.1; sepal_width = 3.5; petal_length = 1.4; petal_width = 0.2; species = 0 }

    function Add-History {
        # Syncs of one new dataset file each, and single-row writes, alternating: every one a snapshot.
        param([int] $Count, [hashtable] $CatalogParameter = @{})
        for ($i = 0; $i -lt $Count; $i++) {
            $null = Copy-HubFile $hub demo/iris data/iris-00000.parquet ('data/more-{0:D3}.parquet' -f $i)
            $null = Sync-FacebergTable iris_default @CatalogParameter -ErrorAction Stop
            $null = $Row | Write-FacebergTable iris_default -Split train @CatalogParameter -ErrorAction Stop
        }
    }

    function Format-Rows {
        param([Parameter(ValueFromPipeline)] $Row)
        begin { $all = [System.Collections.Generic.List[string]]::new() }
        process { $all.Add((($Row.PSObject.Properties | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ';')) }
        end { $all | Sort-Object }
    }

    function Get-DataFiles { @($hub.Server.Store.GetFiles('demo/iris', 'main') | ForEach-Object Path | Sort-Object) }
}

Describe 'Optimize-FacebergTable on a local catalog' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject -Config $Config)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        Add-History 12
        $folder = (Resolve-Path ./.faceberg/metadata/default/iris_default/metadata).Path
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'changes nothing with -WhatIf' {
        $files = Get-ChildItem $folder | ForEach-Object Name | Sort-Object
        $snapshots = (Get-FacebergSnapshot iris_default).Count

        Optimize-FacebergTable iris_default -RetainLast 5 -WhatIf | Should -BeNullOrEmpty

        Get-ChildItem $folder | ForEach-Object Name | Sort-Object | Should -Be $files
        (Get-FacebergSnapshot iris_default).Count | Should -Be $snapshots
    }

    It 'compacts, expires and removes metadata, keeping rows, data and retained time travel' {
        $rows = Read-FacebergTable iris_default | Format-Rows
        $data = Get-DataFiles
        $history = @(Get-FacebergSnapshot iris_default | Sort-Object Timestamp)
        $history.Count | Should -Be 25
        $expired = $history[0]
        $retained = $history[-3]
        $retainedRows = @(Read-FacebergTable iris_default -SnapshotId $retained.SnapshotId).Count
        $names = @(Get-ChildItem $folder | ForEach-Object Name)
        $before = $names.Count

        $result = Get-FacebergTable iris_default | Optimize-FacebergTable -RetainLast 5 -Confirm:$false

        $result.PSObject.TypeNames[0] | Should -Be 'Faceberg.OptimizeResult'
        $result.Table | Should -Be 'default.iris_default'
        $result.ManifestsBefore | Should -Be 25
        $result.ManifestsAfter | Should -BeLessOrEqual 2
        $result.SnapshotsKept | Should -BeLessOrEqual 6
        $result.SnapshotsExpired | Should -Be (25 + 1 - $result.SnapshotsKept)
        $after = @(Get-ChildItem $folder).Count
        $after * 2 | Should -BeLessThan $before
        $result.FilesRemoved | Should -Be @($names | Where-Object { -not (Test-Path (Join-Path $folder $_)) }).Count
        $result.BytesRemoved | Should -BeGreaterThan 0
        @(Get-FacebergSnapshot iris_default).Count | Should -Be $result.SnapshotsKept

        Read-FacebergTable iris_default | Format-Rows | Should -Be $rows
        Get-DataFiles | Should -Be $data
        @(Read-FacebergTable iris_default -SnapshotId $retained.SnapshotId).Count | Should -Be $retainedRows
        { Read-FacebergTable iris_default -SnapshotId $expired.SnapshotId -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $err = $null
        $null = Read-FacebergTable iris_default -SnapshotId $expired.SnapshotId -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].Exception.Message | Should -Match ([regex]::Escape("$($retained.SnapshotId)"))

        # The table goes on: a sync after Optimize commits as before.
        $null = Copy-HubFile $hub demo/iris data/iris-00000.parquet data/after.parquet
        (Sync-FacebergTable iris_default).Status | Should -Be 'Updated'
    }

    It 'shows its result as a table' {
        $text = Optimize-FacebergTable iris_default -Confirm:$false | Out-String -Width 120
        $text | Should -Match '(?m)^default\.iris_default\s+\d+ -> 1\s+\d+\s+\d+\s+\d+\s+\d+'
    }
}

Describe 'Optimize-FacebergTable on an hf:// catalog' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject -Config $Config)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $null = Publish-FacebergCatalog
        Add-History 10 @{ Catalog = $Remote }
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'optimizes on the Hub, deleting in one Hub commit, keeping rows and data' {
        $metadataFiles = { @($hub.Server.Store.GetFiles($CatalogRepo, 'main') | Where-Object { $_.Path.StartsWith('metadata/default/iris_default/') }).Count }
        $rows = Read-FacebergTable iris_default -Catalog $Remote | Format-Rows
        $data = Get-DataFiles
        $before = & $metadataFiles
        $commits = $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count
        $expired = (Get-FacebergSnapshot iris_default -Catalog $Remote | Sort-Object Timestamp)[0]

        $result = Optimize-FacebergTable iris_default -Catalog $Remote -RetainLast 5 -Confirm:$false

        $result.ManifestsAfter | Should -BeLessOrEqual 2
        $result.SnapshotsKept | Should -BeLessOrEqual 6
        $after = & $metadataFiles
        $after * 2 | Should -BeLessThan $before
        # Rewriting manifests (and the file record), expiring snapshots: a commit each; every deletion: one more.
        $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count | Should -Be ($commits + 3)
        Read-FacebergTable iris_default -Catalog $Remote | Format-Rows | Should -Be $rows
        Get-DataFiles | Should -Be $data
        { Read-FacebergTable iris_default -Catalog $Remote -SnapshotId $expired.SnapshotId -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand'
    }
}
