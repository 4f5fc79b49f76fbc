#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for Read-FacebergTable (all rows, -Split, -Property, -Filter with and without file
# pruning, -First (only the pages it needs, on a file with a page index), pipeline input, -SnapshotId, -AsOf, error ids, completion), Get-FacebergSnapshot and
# Remove-FacebergTable (-WhatIf, -Confirm:$false, -Purge), mirroring
# tests/Faceberg.Cmdlets.Tests/ReadFacebergTableTests.cs over the sample datasets of the local Hub
# (demo/movie-reviews: train 400 rows in two files, test 100 rows; demo/iris: species 0-1 in
# iris-00000.parquet, species 2 in iris-00001.parquet). Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Read-FacebergTable' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $allReviews = @(Read-FacebergTable movie_reviews_default)
        $allIris = @(Read-FacebergTable iris_default)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'reads every row as an object with typed values in schema order' {
        $allReviews | Should -HaveCount 500
        $first = $allReviews | Where-Object text -Like 'Review 0:*'
        $first.PSObject.TypeNames | Should -Contain 'Faceberg.Row'
        @($first.PSObject.Properties.Name) | Should -Be @('text', 'label', 'split')
        $first.text | Should -BeExactly 'Review 0: a tedious heist thriller that I cannot recommend.'
        $first.label | Should -BeOfType ([long])
        $first.label | Should -Be 0
        $first.split | Should -BeExactly 'train'
        @($allReviews | Where-Object split -EQ 'test') | Should -HaveCount 100
    }

    It 'reads only the files of the -Split it is given' {
        $hub.Server.RequestLog.Clear()
        $test = @(Read-FacebergTable movie_reviews_default -Split test)
        $test | Should -HaveCount 100
        @($test.split | Sort-Object -Unique) | Should -Be @('test')
        Get-OpenedHubFile $hub | Should -Be @('data/test-00000-of-00001.parquet')
    }

    It 'selects -Property columns in the given order, whatever their case' {
        $rows = @(Read-FacebergTable movie_reviews_default -Property LABEL, text -First 2)
        $rows | Should -HaveCount 2
        @($rows[0].PSObject.Properties.Name) | Should -Be @('label', 'text')
    }

    It 'skips files a simple -Filter rules out and returns the matching rows' {
        $hub.Server.RequestLog.Clear()
        $output = Read-FacebergTable iris_default -Filter { $_.species -eq 2 } -Verbose 4>&1
        $rows = @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $rows | Should -HaveCount 50
        @($rows.species | Sort-Object -Unique) | Should -Be @(2)
        Get-OpenedHubFile $hub | Should -Be @('data/iris-00001.parquet')
        $verbose | Should -Contain 'Filter used for pruning: species Equal 2.'
        ($verbose -join "`n") | Should -Match '1 files read, 1 skipped'
    }

    It 'still decides every row with filters that do not translate' {
        @(Read-FacebergTable movie_reviews_default -Filter { $_.text -like 'Review 1?:*' }) | Should -HaveCount 10

        $species = 2
        $hub.Server.RequestLog.Clear()
        $mixed = @(Read-FacebergTable iris_default -Filter { ($_.species -eq $species) -and "$($_.sepal_length)" -like '6.*' })
        $mixed | Should -HaveCount @($allIris | Where-Object { $_.species -eq 2 -and "$($_.sepal_length)" -like '6.*' }).Count
        Get-OpenedHubFile $hub | Should -Be @('data/iris-00001.parquet')

        $strings = @(Read-FacebergTable movie_reviews_default -Filter {
                $_.text -eq 'REVIEW 7: AN INVENTIVE FAMILY DRAMA, WORTH SEEING TWICE.' -or $_.split -eq 'nowhere' })
        $strings.text | Should -BeExactly 'Review 7: an inventive family drama, worth seeing twice.'
    }

    It 'translates reversed operands, lists, casts and $null for pruning' {
        $output = Read-FacebergTable iris_default -Verbose -Filter {
            1 -lt $_.species -and $_.species -in 2, 3 -and $_.petal_length -ge [double]'0' } 4>&1
        $rows = @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $pushed = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
                ForEach-Object Message | Where-Object { $_ -like 'Filter used for pruning*' })
        $rows | Should -HaveCount 50
        $pushed | Should -HaveCount 1
        $pushed[0] | Should -Match 'species GreaterThan 1'
        $pushed[0] | Should -Match 'species in \(2, 3\)'
        $pushed[0] | Should -Match 'petal_length GreaterThanOrEqual 0'
        $pushed[0] | Should -Not -Match 'scriptblock decides'

        Read-FacebergTable movie_reviews_default -Split test -Filter { $_.text -eq $null } | Should -BeNullOrEmpty

        $output = Read-FacebergTable movie_reviews_default -Verbose -Filter { $_.text -ceq 'Review 42: an inventive heist thriller, worth seeing twice.' } 4>&1
        @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -HaveCount 1
        (@($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n") | Should -Match 'scriptblock decides'
    }

    It 'stops early with -First and takes tables from Get-FacebergTable' {
        @(Read-FacebergTable movie_reviews_default -First 3) | Should -HaveCount 3
        @(Read-FacebergTable movie_reviews_default -First 2 -Filter { $_.text -like '*twice.' }) | Should -HaveCount 2
        @(Get-FacebergTable | Read-FacebergTable -First 5) | Should -HaveCount 10
    }

    It 'ends the rows it reads ahead when a downstream command stops the pipeline' {
        $all = @(Read-FacebergTable movie_reviews_default)
        $two = @(Read-FacebergTable movie_reviews_default | Select-Object -First 2)
        $two | Should -HaveCount 2
        $two[1].PSObject.Properties.Name | Should -Be $all[1].PSObject.Properties.Name
        # The stopped read leaves nothing behind: the next one reads every row again.
        (Read-FacebergTable movie_reviews_default | Measure-Object).Count | Should -Be $all.Count
    }

    It 'reports problems as non-terminating errors with stable ids' {
        $rows = @(Read-FacebergTable nosuch, movie_reviews_default -First 1 -ErrorVariable err -ErrorAction SilentlyContinue)
        $rows | Should -HaveCount 1
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'TableNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand'

        Read-FacebergTable movie_reviews_default -Property nope -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ColumnNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'

        Read-FacebergTable movie_reviews_default -Split nosuch | Should -BeNullOrEmpty
    }

    It 'completes table names for <_>' -ForEach 'Read-FacebergTable', 'Get-FacebergSnapshot', 'Remove-FacebergTable' {
        $line = "$_ mov"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('movie_reviews_default')
    }
}

Describe 'Get-FacebergSnapshot and time travel' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable movie_reviews
        $firstRevision = (Get-FacebergTable movie_reviews_default).Revision
        $secondRevision = Copy-HubFile $hub demo/movie-reviews data/test-00000-of-00001.parquet data/test-00001-of-00002.parquet 'More test reviews'
        $null = Sync-FacebergTable movie_reviews_default
        $snapshots = @(Get-FacebergTable movie_reviews_default | Get-FacebergSnapshot)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'lists the history oldest first' {
        $snapshots | Should -HaveCount 2
        $created, $synced = $snapshots
        $created.PSObject.TypeNames | Should -Contain 'Faceberg.Snapshot'
        $created.Table | Should -Be 'default.movie_reviews_default'
        $created.ParentId | Should -BeNullOrEmpty
        $created.Operation | Should -Be 'append'
        $created.Revision | Should -Be $firstRevision
        $created.AddedFiles | Should -Be 3
        $created.AddedRecords | Should -Be 500
        $created.TotalRecords | Should -Be 500
        $created.IsCurrent | Should -BeFalse
        $synced.ParentId | Should -Be $created.SnapshotId
        $synced.Revision | Should -Be $secondRevision
        $synced.AddedFiles | Should -Be 1
        $synced.TotalRecords | Should -Be 600
        $synced.IsCurrent | Should -BeTrue
        $synced.Timestamp | Should -BeGreaterOrEqual $created.Timestamp
    }

    It 'renders the history as a table' {
        $lines = @((Get-FacebergSnapshot movie_reviews_default | Out-String -Width 200).Split("`n") | ForEach-Object Trim)
        $lines -match '^SnapshotId\s+Timestamp\s+Operation\s+Revision\s+\+Files\s+-Files\s+\+Records\s+Records\s+Current$' | Should -HaveCount 1
        $created = $snapshots[0]
        @($lines | Where-Object { $_.StartsWith("$($created.SnapshotId)") -and $_.Contains(' append ') -and $_.Contains($firstRevision.Substring(0, 8)) }) |
            Should -HaveCount 1
    }

    It 'reads an older snapshot by -SnapshotId and by -AsOf' {
        @(Read-FacebergTable movie_reviews_default) | Should -HaveCount 600
        @(Read-FacebergTable movie_reviews_default -SnapshotId $snapshots[0].SnapshotId) | Should -HaveCount 500
        @(Read-FacebergTable movie_reviews_default -AsOf $snapshots[0].Timestamp.LocalDateTime) | Should -HaveCount 500
    }

    It 'says NoSnapshotAsOf for a time before the first snapshot' {
        Read-FacebergTable movie_reviews_default -AsOf $snapshots[0].Timestamp.LocalDateTime.AddDays(-1) -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'NoSnapshotAsOf,Faceberg.Cmdlets.ReadFacebergTableCommand'
    }
}

Describe 'Remove-FacebergTable' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $catalogFile = Join-Path $root '.faceberg/catalog.json'
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'asks first (ConfirmImpact High) and changes nothing with -WhatIf' {
        Remove-FacebergTable movie_reviews_default -WhatIf
        Get-Content $catalogFile -Raw | Should -Match 'movie_reviews_default'
        (Get-Command Remove-FacebergTable).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }

    It 'drops the catalog entry and keeps the metadata unless -Purge' {
        Remove-FacebergTable movie_reviews_default -Confirm:$false
        Get-Content $catalogFile -Raw | Should -Not -Match 'movie_reviews_default'
        Join-Path $root '.faceberg/metadata/default/movie_reviews_default' | Should -Exist

        Get-FacebergTable iris_default | Remove-FacebergTable -Purge -Confirm:$false
        Get-Content $catalogFile -Raw | Should -Not -Match 'iris_default'
        Join-Path $root '.faceberg/metadata/default/iris_default' | Should -Not -Exist
        # The dataset's own files are untouched.
        @($hub.Server.Store.GetFiles('demo/iris', 'main') | Where-Object Path -Like '*.parquet') | Should -HaveCount 2
    }

    It 'says TableNotFound for a table that is not there' {
        Remove-FacebergTable movie_reviews_default -Confirm:$false
        Remove-FacebergTable movie_reviews_default -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'TableNotFound,Faceberg.Cmdlets.RemoveFacebergTableCommand'
    }
}

Describe 'Read-FacebergTable on Parquet files other writers produce' {
    # Files kept in tests/Faceberg.TestData: an RLE-boolean v2-page file written by hyparquet-writer
    # (tests/interop/write-rle-boolean.mjs) and an apache/parquet-testing file with timestamps past year 9999.
    BeforeAll {
        $hub = Start-TestHub
        $testData = Join-Path $PSScriptRoot '../Faceberg.TestData'
        $null = $hub.Server.Store.CreateRepo('other/flags')
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/train-00000.parquet'] = [IO.File]::ReadAllBytes((Join-Path $testData 'hyparquet-writer/rle_boolean_v2.parquet'))
        $null = $hub.Server.Store.Commit('other/flags', $files, $null, 'RLE booleans in v2 pages')
        $null = $hub.Server.Store.CreateRepo('other/rust')
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/train-00000.parquet'] = [IO.File]::ReadAllBytes((Join-Path $testData 'parquet-testing/nested_structs.rust.parquet'))
        $null = $hub.Server.Store.Commit('other/rust', $files, $null, 'timestamps past 9999')
        Push-Location (New-TestProject -Config "catalog:`n  name: other`n  location: .faceberg/`ndatasets:`n  - name: flags`n    repo: other/flags`n  - name: rust`n    repo: other/rust`n")
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'reads BOOLEAN columns RLE-encoded in data pages v2, nulls included' {
        $rows = @(Read-FacebergTable flags_default | Sort-Object id)
        $rows | Should -HaveCount 100
        foreach ($row in $rows) {
            $i = $row.id
            # The values write-rle-boolean.mjs wrote.
            $flag = if ($i % 7 -eq 3) { $null } elseif ($i -lt 40) { $i % 2 -eq 0 } else { $i -lt 70 }
            $row.flag | Should -Be $flag -Because "row $i"
            $row.always | Should -Be ((($i * 13) % 5) -lt 2) -Because "row $i"
        }
        @($rows | Where-Object { $null -eq $_.flag }) | Should -HaveCount 14
    }

    It 'refuses timestamps outside DateTime''s years with an error naming file, column and value' {
        Read-FacebergTable rust_default -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TimestampOutOfRange,*'
        $err[0].Exception.Message | Should -BeLike '*train-00000.parquet*'
        $err[0].Exception.Message | Should -BeLike '*outside the years 0001-9999*'
    }
}

Describe 'Read-FacebergTable -First on a file with a page index' {
    BeforeAll {
        # alltypes_tiny_pages.parquet (parquet-testing): 7,300 rows in one row group, every column in pages of a
        # few dozen rows, with an offset index saying where each page starts.
        $hub = Start-TestHub
        $file = [IO.File]::ReadAllBytes((Join-Path $PSScriptRoot '../Faceberg.TestData/parquet-testing/alltypes_tiny_pages.parquet'))
        $null = $hub.Server.Store.CreateRepo('demo/tiny-pages')
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/train-00000-of-00001.parquet'] = $file
        $null = $hub.Server.Store.Commit('demo/tiny-pages', $files, $null, 'Tiny pages')
        Push-Location (New-TestProject -Config "catalog:`n  name: pages`n  location: .faceberg/`ndatasets:`n  - name: pages`n    repo: demo/tiny-pages`n")
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $all = @(Read-FacebergTable pages_default -Property id, string_col)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'returns the first rows of a full read and downloads only a small part of the file' {
        $hub.Server.RequestLog.Clear()
        $first = @(Read-FacebergTable pages_default -Property id, string_col -First 5)

        $first | Should -HaveCount 5
        $first.id | Should -Be $all[0..4].id
        $first.string_col | Should -Be $all[0..4].string_col
        $fetched = 0
        foreach ($entry in $hub.Server.RequestLog.Entries | Where-Object { $_.Path -like '*/resolve/*' }) {
            # Ranged GETs only: the footer's tail as a suffix range (bytes=-N), the rest as bytes=from-to.
            $entry.Range | Should -Match '^bytes=(\d+-\d+|-\d+)$'
            $from, $to = $entry.Range.Substring(6).Split('-')
            $fetched += if ($from -eq '') { [long]$to } else { [long]$to - [long]$from + 1 }
        }
        # The footer's tail (64 KiB, holding the offset indexes here) and each column's first page, about 100 bytes
        # each. Reading the two column chunks whole would add their 37 KB and 13 KB.
        $fetched | Should -BeLessThan (64KB + 8KB)
    }
}
