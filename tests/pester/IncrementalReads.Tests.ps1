#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for incremental reads: Read-FacebergTable -Since/-Until over a table that grew by writes
# and a sync on the local Hub (demo/movie-reviews: 500 rows in three files), the boundary forms
# (snapshot id, Faceberg.Snapshot, time, text), combination with -Property/-Filter/-First, and the
# errors for a range that is not append-only or whose start is not an ancestor.
# Run: Invoke-Pester ./tests/pester/IncrementalReads.Tests.ps1

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-RowKey {
        # One comparable string per row (rows of copied files repeat, so results are compared as multisets).
        param([Parameter(ValueFromPipeline)] $Row)
        process { "$($Row.split)|$($Row.label)|$($Row.text)" }
    }

    function Remove-Rows {
        # The keys of $From minus one occurrence of each key of $Without, sorted.
        param([string[]] $From, [string[]] $Without)
        $left = @{}
        foreach ($key in $Without) { $left[$key] = 1 + [int]$left[$key] }
        @(foreach ($key in $From) {
            if ($left[$key] -gt 0) { $left[$key]-- } else { $key }
        }) | Sort-Object
    }
}

Describe 'Read-FacebergTable -Since and -Until' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable movie_reviews
        $created = Get-FacebergSnapshot movie_reviews_default | Where-Object IsCurrent
        Start-Sleep -Milliseconds 20
        $firstWrite = @{ text = 'Incremental A1'; label = 1 }, @{ text = 'Incremental A2'; label = 0 } |
            Write-FacebergTable movie_reviews_default -Split test
        $afterFirstWrite = Get-FacebergSnapshot movie_reviews_default | Where-Object IsCurrent
        Start-Sleep -Milliseconds 20
        $null = @{ text = 'Incremental B1'; label = 1 }, @{ text = 'Incremental B2'; label = 1 }, @{ text = 'Incremental B3'; label = 0 } |
            Write-FacebergTable movie_reviews_default -Split train
        $afterSecondWrite = Get-FacebergSnapshot movie_reviews_default | Where-Object IsCurrent
        Start-Sleep -Milliseconds 20
        $syncedRevision = Copy-HubFile $hub demo/movie-reviews data/test-00000-of-00001.parquet data/test-00001-of-00002.parquet 'More test reviews'
        $null = Sync-FacebergTable movie_reviews_default
        $afterSync = Get-FacebergSnapshot movie_reviews_default | Where-Object IsCurrent
        $all = @(Read-FacebergTable movie_reviews_default | Get-RowKey)
        $atCreation = @(Read-FacebergTable movie_reviews_default -SnapshotId $created.SnapshotId | Get-RowKey)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'shows per snapshot what it changed, to pick a boundary' {
        $history = @(Get-FacebergSnapshot movie_reviews_default)
        $history | Should -HaveCount 4
        @($history.Operation) | Should -Be @('append', 'append', 'append', 'append')
        @($history.AddedFiles) | Should -Be @(3, 1, 1, 1)
        @($history.AddedRecords) | Should -Be @(500, 2, 3, 100)
        $history[1].Revision | Should -Be $firstWrite.Revision
        $history[3].Revision | Should -Be $syncedRevision
        $history | ForEach-Object { $_.RemovedFiles | Should -BeNullOrEmpty }
        $table = (Get-FacebergSnapshot movie_reviews_default | Out-String -Width 200) -split '\r?\n' | ForEach-Object Trim
        @($table -match '^SnapshotId\s+Timestamp\s+Operation\s+Revision\s+\+Files\s+-Files\s+\+Records\s+Records\s+Current$') | Should -HaveCount 1
        @($table | Where-Object { $_.StartsWith("$($afterSync.SnapshotId) ") -and $_ -match '\sappend\s+\S+\s+1\s+100\s+605 \*$' }) | Should -HaveCount 1
    }

    It 'returns exactly the rows of the later snapshots: the full read minus the earlier rows' {
        $all | Should -HaveCount 605
        $since = @(Read-FacebergTable movie_reviews_default -Since $created.SnapshotId | Get-RowKey | Sort-Object)
        $since | Should -HaveCount 105
        $since | Should -Be (Remove-Rows -From $all -Without $atCreation)

        $afterWrites = @(Read-FacebergTable movie_reviews_default -SnapshotId $afterSecondWrite.SnapshotId | Get-RowKey)
        @(Read-FacebergTable movie_reviews_default -Since $afterSecondWrite | Get-RowKey | Sort-Object) | Should -Be (Remove-Rows -From $all -Without $afterWrites)
        @(Read-FacebergTable movie_reviews_default -Since $afterSync) | Should -HaveCount 0
    }

    It 'bounds the range with -Until' {
        @(Read-FacebergTable movie_reviews_default -Since $created -Until $afterFirstWrite | Get-RowKey | Sort-Object) |
            Should -Be @('test|0|Incremental A2', 'test|1|Incremental A1')
        @(Read-FacebergTable movie_reviews_default -Since $afterFirstWrite -Until $afterSecondWrite.SnapshotId | Get-RowKey | Sort-Object) |
            Should -Be @('train|0|Incremental B3', 'train|1|Incremental B1', 'train|1|Incremental B2')
        # -Until alone: everything appended from the first snapshot up to it.
        @(Read-FacebergTable movie_reviews_default -Until $afterFirstWrite) | Should -HaveCount 502
    }

    It 'takes times and text as boundaries' {
        $byId = @(Read-FacebergTable movie_reviews_default -Since $afterFirstWrite.SnapshotId | Get-RowKey | Sort-Object)
        @(Read-FacebergTable movie_reviews_default -Since $afterFirstWrite.Timestamp | Get-RowKey | Sort-Object) | Should -Be $byId
        @(Read-FacebergTable movie_reviews_default -Since $afterFirstWrite.Timestamp.LocalDateTime | Get-RowKey | Sort-Object) | Should -Be $byId
        @(Read-FacebergTable movie_reviews_default -Since "$($afterFirstWrite.SnapshotId)" | Get-RowKey | Sort-Object) | Should -Be $byId
        @(Read-FacebergTable movie_reviews_default -Since $afterFirstWrite.Timestamp.ToString('o') | Get-RowKey | Sort-Object) | Should -Be $byId
        @(Read-FacebergTable movie_reviews_default -Since $created.Timestamp -Until $afterSecondWrite.Timestamp.LocalDateTime) | Should -HaveCount 5
        # A time before the table existed: every appended row.
        @(Read-FacebergTable movie_reviews_default -Since ([datetime]'2000-01-01')) | Should -HaveCount 605
        { Read-FacebergTable movie_reviews_default -Since 'not a boundary' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Faceberg.Cmdlets.ReadFacebergTableCommand'
    }

    It 'combines with -Property, -Filter and -First' {
        $rows = @(Read-FacebergTable movie_reviews_default -Since $created -Property text -Filter { $_.text -like 'Incremental*' })
        @($rows.text | Sort-Object) | Should -Be @('Incremental A1', 'Incremental A2', 'Incremental B1', 'Incremental B2', 'Incremental B3')
        @($rows[0].PSObject.Properties.Name) | Should -Be @('text')
        @(Read-FacebergTable movie_reviews_default -Since $created -Split train) | Should -HaveCount 3
        @(Read-FacebergTable movie_reviews_default -Since $created -First 4) | Should -HaveCount 4
    }

    It 'refuses a start that is not an ancestor of the end, and time travel together with a range' {
        Read-FacebergTable movie_reviews_default -Since $afterSync -Until $created -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'IncrementalStartNotAncestor,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'

        Read-FacebergTable movie_reviews_default -Since $created -SnapshotId $afterSync.SnapshotId -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'IncrementalAndTimeTravel,Faceberg.Cmdlets.ReadFacebergTableCommand'
    }

    It 'refuses a range holding a sync that removed files, naming the snapshot and its operation' {
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $null = $hub.Server.Store.Commit('demo/movie-reviews', $files, [string[]]@('data/test-00001-of-00002.parquet'), 'Drop the copy')
        $null = Sync-FacebergTable movie_reviews_default
        $removal = Get-FacebergSnapshot movie_reviews_default | Where-Object IsCurrent
        $removal.RemovedFiles | Should -Be 1

        Read-FacebergTable movie_reviews_default -Since $created -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'IncrementalRangeNotAppendOnly,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $err[0].Exception.Message | Should -Match "Snapshot $($removal.SnapshotId) .*\($($removal.Operation), "
        $err[0].Exception.Message | Should -Match 'removed 1 data file'

        # Ranges before or after it still read.
        @(Read-FacebergTable movie_reviews_default -Since $created -Until $afterSync) | Should -HaveCount 105
        @(Read-FacebergTable movie_reviews_default -Since $removal) | Should -HaveCount 0
    }
}
