#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for tables with Iceberg v2 delete files written by other software: the table of
# tests/interop/deletes-table.mjs (Parquet by hyparquet-writer, manifests by icebird's Avro writer; position
# deletes of earlier snapshots' files, a same-commit position delete, an equality delete on (id, name)
# with a null key) read through Read-FacebergTable and counted by Get-FacebergTable. 7 of its 13 rows are
# live (ids 1, 4, 6, 8, 9, 10, 11); tests/interop/deletes.test.mjs checks the same rows against icebird.
# Needs node and `npm ci --prefix tests/interop`; skipped without them unless FACEBERG_INTEROP=require.

BeforeDiscovery {
    $interop = Join-Path $PSScriptRoot '../interop'
    $script:noNode = -not (Get-Command node -ErrorAction Ignore) -or -not (Test-Path (Join-Path $interop 'node_modules/icebird/package.json'))
    $script:skipDeletes = $noNode -and $env:FACEBERG_INTEROP -ne 'require'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'A table with position and equality delete files' -Skip:$skipDeletes {
    BeforeAll {
        $root = New-TestProject -Config "catalog:`n  name: deletes`n  location: .faceberg/`n"
        $table = Join-Path $root '.faceberg/metadata/default/bunnies'
        $null = node (Join-Path $PSScriptRoot '../interop/deletes-table.mjs') $table
        if ($LASTEXITCODE -ne 0) { throw "deletes-table.mjs failed ($LASTEXITCODE)" }
        @{ 'default.bunnies' = 'metadata/default/bunnies' } | ConvertTo-Json | Set-Content (Join-Path $root '.faceberg/catalog.json')
        Push-Location $root
        $live = @(
            '1|Flopsy|brown', '4|Cottontail|white', '6|Benjamin|', '8|Hunca|black', '9|Tom|grey', '10|Tabitha|brown', '11|Nutkin|red')
        function Format-Row { process { "$($_.id)|$($_.name)|$($_.color)" } }
    }
    AfterAll {
        Pop-Location
    }

    It 'reads only the rows the deletes leave' {
        $rows = @(Read-FacebergTable bunnies)
        $rows | Should -HaveCount 7
        @($rows | Format-Row | Sort-Object) | Should -Be @($live | Sort-Object)
        $rows[0].id | Should -BeOfType ([long])
    }

    It 'applies the equality delete when its columns are not selected' {
        $colors = @(Read-FacebergTable bunnies -Property color)
        @($colors[0].PSObject.Properties.Name) | Should -Be @('color')
        @($colors | ForEach-Object { "$($_.color)" } | Sort-Object) | Should -Be @($live | ForEach-Object { $_.Split('|')[2] } | Sort-Object)
    }

    It 'applies an equality delete to older data files only, its null key matching a null' {
        # (8, 'Hunca') was deleted in data-b (an older file) but data-c's (8, 'Hunca') came in the delete's own commit.
        @(Read-FacebergTable bunnies -Filter { $_.id -eq 8 } | Format-Row) | Should -Be @('8|Hunca|black')
        # (3, null) deletes id 3, whose name is null.
        @(Read-FacebergTable bunnies -Filter { $_.id -eq 3 }) | Should -HaveCount 0
    }

    It 'combines deletes with -Filter and -First' {
        @(Read-FacebergTable bunnies -Filter { $_.id -ge 5 } | Format-Row | Sort-Object) |
            Should -Be @('10|Tabitha|brown', '11|Nutkin|red', '6|Benjamin|', '8|Hunca|black', '9|Tom|grey')
        @(Read-FacebergTable bunnies -First 6) | Should -HaveCount 6
    }

    It 'applies the deletes of an earlier snapshot when reading it' {
        @(Read-FacebergTable bunnies -SnapshotId 1003 | Format-Row | Sort-Object) |
            Should -Be @('1|Flopsy|brown', '10|Tabitha|brown', '3||grey', '4|Cottontail|white', '6|Benjamin|', '8|Hunca|', '9|Tom|grey')
        @(Read-FacebergTable bunnies -SnapshotId 1002) | Should -HaveCount 10
    }

    It 'counts the live rows exactly in Get-FacebergTable' {
        $info = Get-FacebergTable bunnies
        $info.RecordCount | Should -Be 7
        $info.DeleteFileCount | Should -Be 4
        (Get-FacebergSnapshot bunnies | Where-Object IsCurrent).TotalRecords | Should -Be 13
    }
}
