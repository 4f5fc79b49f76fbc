#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Table names piped by value ("a","b" | Read-FacebergTable) and objects with a Name or Identifier
# property bind to -Name of every table cmdlet, while a piped Faceberg.Table still binds to -InputObject;
# and -Verbose on the cmdlets that change things tells their main steps (catalog, table, revision
# checked, files planned and added, the commit made), never a token.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-VerboseMessage {
        param([Parameter(Mandatory)] [scriptblock] $Script)
        $VerbosePreference = 'Continue'
        @(& $Script 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    }
}

Describe 'Table names bind from the pipeline' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'strings piped to Read-FacebergTable read each named table' {
        $rows = 'iris_default', 'movie_reviews_default' | Read-FacebergTable -First 2
        $rows.Count | Should -Be 4
        @($rows | Where-Object { $_.PSObject.Properties.Name -contains 'sepal_length' }).Count | Should -Be 2
    }

    It 'strings piped to Get-FacebergSnapshot give each table''s snapshots' {
        $snapshots = 'iris_default', 'movie_reviews_default' | Get-FacebergSnapshot
        @($snapshots.Table | Sort-Object -Unique) | Should -Be @('default.iris_default', 'default.movie_reviews_default')
    }

    It 'strings piped to Sync-FacebergTable sync each named table once' {
        $results = 'iris_default', 'movie_reviews_default' | Sync-FacebergTable
        ($results | Sort-Object Table | ForEach-Object { "$($_.Table)=$($_.Status)" }) |
            Should -Be @('default.iris_default=UpToDate', 'default.movie_reviews_default=UpToDate')
    }

    It 'strings piped to Update-FacebergTable update each named table' {
        'iris_default', 'movie_reviews_default' | Update-FacebergTable -Property @{ owner = 'ml' }
        $tables = 'iris_default', 'movie_reviews_default' | Update-FacebergTable -Property @{ team = 'data' } -PassThru
        $tables.Identifier | Should -Be @('default.iris_default', 'default.movie_reviews_default')
    }

    It 'strings piped to Remove-FacebergTable remove each named table' {
        'iris_default', 'movie_reviews_default' | Remove-FacebergTable -Confirm:$false
        Get-FacebergTable | Should -BeNullOrEmpty
    }

    It 'a Faceberg.Table still binds to -InputObject, keeping its own catalog' {
        $table = Get-FacebergTable iris_default
        Push-Location $TestDrive
        try {
            # No catalog at or above $TestDrive: only the table's own catalog can resolve it.
            @($table | Read-FacebergTable -First 3).Count | Should -Be 3
            ($table | Sync-FacebergTable).Status | Should -Be 'UpToDate'
        }
        finally { Pop-Location }
    }

    It 'an unknown piped name is one TableNotFound error and the next name goes on' {
        $rows = 'nope', 'iris_default' | Read-FacebergTable -First 1 -ErrorVariable failures -ErrorAction SilentlyContinue
        @($rows).Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TableNotFound*'
    }
}

Describe '-Verbose tells the main steps' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        # -SetEnvironment put the local Hub's token in HF_TOKEN: no message may show it.
        $token = [regex]::Escape($hub.Server.Token)
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'New-FacebergTable tells the catalog, the planned tables and each table created with its snapshot' {
        $null = New-FacebergCatalog ./faceberg.yml
        $messages = Get-VerboseMessage { New-FacebergTable iris }
        $revision = $hub.Server.Store.ResolveRevision('demo/iris', 'main')
        $messages | Where-Object { $_ -like "Catalog 'test_catalog' at *" } | Should -Not -BeNullOrEmpty
        $messages | Should -Contain "Planned from demo/iris@${revision}: default.iris_default (2 file(s))."
        $messages | Where-Object { $_ -match "^Created default\.iris_default from demo/iris@$revision`: 2 file\(s\), snapshot \d+\.$" } |
            Should -Not -BeNullOrEmpty
        $messages -join "`n" | Should -Not -Match $token
    }

    It 'Sync-FacebergTable tells the table, the revision it checked, the files added and the snapshot' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $from = $hub.Server.Store.ResolveRevision('demo/iris', 'main')
        $to = Copy-HubFile -Hub $hub -Repo demo/iris -Path data/iris-00001.parquet -Destination data/iris-00002.parquet

        $messages = Get-VerboseMessage { Sync-FacebergTable iris_default }

        $messages | Where-Object { $_ -like 'Table default.iris_default at *' } | Should -Not -BeNullOrEmpty
        $messages | Where-Object { $_ -like "*Resolving demo/iris@*" } | Should -Not -BeNullOrEmpty
        $snapshot = (Get-FacebergTable iris_default).SnapshotId
        $messages | Should -Contain ("default.iris_default: revision $from checked against demo/iris@$to; " +
            "1 file(s) added, 0 removed, 0 replaced; Updated, snapshot $snapshot.")
        $messages -join "`n" | Should -Not -Match $token
    }

    It 'Write-FacebergTable tells the rows and files added, the Hub commit and the snapshot' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $messages = Get-VerboseMessage { @{ text = 'A review'; label = 1 } | Write-FacebergTable movie_reviews_default -Split test }
        $table = Get-FacebergTable movie_reviews_default
        $messages | Where-Object { $_ -like 'Encoding rows*' -or $_ -like 'Uploading to demo/movie-reviews*' } | Should -Not -BeNullOrEmpty
        $messages | Where-Object { $_ -like "default.movie_reviews_default: 1 row(s) in 1 file(s) added to demo/movie-reviews in Hub commit $($table.Revision) (parent *); snapshot $($table.SnapshotId)." } |
            Should -Not -BeNullOrEmpty
        $messages -join "`n" | Should -Not -Match $token
    }

    It 'Update-FacebergTable and Remove-FacebergTable tell the commit and the removal' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $update = Get-VerboseMessage { Update-FacebergTable iris_default -Property @{ owner = 'ml' } }
        $update | Where-Object { $_ -like 'default.iris_default: committed (*owner*); metadata *.metadata.json.' } | Should -Not -BeNullOrEmpty

        $remove = Get-VerboseMessage { Remove-FacebergTable iris_default -Confirm:$false }
        $remove | Should -Contain "Removed default.iris_default from catalog 'test_catalog'."
    }

    It 'Publish- and Save-FacebergCatalog tell the files planned and the Hub commit' {
        Set-Content ./faceberg.yml -Value @"
catalog:
  name: shared
  repo: team/shared-catalog
datasets:
  - name: iris
    repo: demo/iris
"@
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $publish = Get-VerboseMessage { Publish-FacebergCatalog }
        $head = $hub.Server.Store.ResolveRevision('team/shared-catalog', 'main')
        $publish | Where-Object { $_ -match '^Planned for team/shared-catalog: [1-9]\d* file\(s\) to upload, 0 to delete\.$' } | Should -Not -BeNullOrEmpty
        $publish | Where-Object { $_ -match "^Published to team/shared-catalog: [1-9]\d* file\(s\) uploaded, 0 deleted in Hub commit $head\.$" } | Should -Not -BeNullOrEmpty

        $save = Get-VerboseMessage { Save-FacebergCatalog -Repository team/shared-catalog -Path (Join-Path $TestDrive "bob-$([guid]::NewGuid().ToString('N'))") }
        $save | Where-Object { $_ -match "^Saved Hub commit $head of team/shared-catalog: [1-9]\d* file\(s\) downloaded, 0 deleted\.$" } | Should -Not -BeNullOrEmpty
        ($publish + $save) -join "`n" | Should -Not -Match $token
    }
}
