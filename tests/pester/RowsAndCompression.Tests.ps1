#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for the objects Read-FacebergTable writes (typed rows that Get-Member, format views,
# ConvertTo-Json and Write-FacebergTable see as ordinary properties) and for Write-FacebergTable
# -Compression / -CompressionLevel (the codec in the written file's column chunks is the one asked for) and its
# reading of piped custom objects (every property, whatever the order, type names or added members).
# Run: Invoke-Pester ./tests/pester/RowsAndCompression.Tests.ps1

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-WrittenCodec {
        # The codec of every column chunk of the files a write committed, read from the local Hub's store.
        param($Hub, $Result)
        foreach ($path in $Result.Files) {
            $bytes = $Hub.Server.Store.ReadFile($Result.Repo, 'main', $path)
            $reader = [Parquet.ParquetReader]::CreateAsync([IO.MemoryStream]::new($bytes), $null, $false, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            foreach ($group in $reader.Metadata.RowGroups) { foreach ($chunk in $group.Columns) { "$($chunk.MetaData.Codec)" } }
        }
    }
}

Describe 'Read-FacebergTable rows' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $rows = @(Read-FacebergTable iris_default)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'are Faceberg.Row objects whose properties Get-Member lists in schema order' {
        $rows[0] | Should -BeOfType ([Faceberg.Row])
        $rows[0].PSObject.TypeNames | Should -Contain 'Faceberg.Row'
        $names = @($rows[0].PSObject.Properties.Name)
        $names[-1] | Should -Be 'split'
        $members = @($rows[0] | Get-Member -MemberType Property | ForEach-Object Name)
        foreach ($name in $names) { $members | Should -Contain $name }
    }

    It 'share one row type per column list, and a projection gets its own' {
        $rows[0].GetType() | Should -Be $rows[-1].GetType()
        $projected = @(Read-FacebergTable iris_default -Property species -First 1)[0]
        @($projected.PSObject.Properties.Name) | Should -Be @('species')
        $projected.GetType() | Should -Not -Be $rows[0].GetType()
    }

    It 'format as a table and a list with their columns, and convert to JSON and CSV' {
        $name = @($rows[0].PSObject.Properties.Name)[0]
        ($rows | Select-Object -First 3 | Format-Table | Out-String) | Should -Match $name
        ($rows[0] | Format-List | Out-String) | Should -Match "$name\s*:"
        ($rows[0] | ConvertTo-Json | ConvertFrom-Json).$name | Should -Be $rows[0].$name
        ($rows[0] | ConvertTo-Csv)[0] | Should -Match $name
    }

    It 'filter and sort by their properties' {
        $species = @($rows | Where-Object species -EQ 2)
        $species.Count | Should -BeGreaterThan 0
        @(Read-FacebergTable iris_default -Filter { $_.species -eq 2 }).Count | Should -Be $species.Count
    }
}

Describe 'Write-FacebergTable -Compression' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $newRows = { 1..50 | ForEach-Object { [pscustomobject]@{ text = "Review $_ written with a codec"; label = $_ % 2 } } }
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'writes Snappy by default, as the Hub''s Parquet converter does' {
        $result = & $newRows | Write-FacebergTable movie_reviews_default -Split train -Confirm:$false
        $codecs = @(Get-WrittenCodec $hub $result | Select-Object -Unique)
        $codecs | Should -Be @('SNAPPY')
    }

    It 'writes the codec it is asked for: <Codec> at <Level>' -ForEach @(
        @{ Codec = 'Zstd'; Level = 'Fastest'; Expected = 'ZSTD' }
        @{ Codec = 'Gzip'; Level = 'SmallestSize'; Expected = 'GZIP' }
        @{ Codec = 'None'; Level = 'Optimal'; Expected = 'UNCOMPRESSED' }
    ) {
        $result = & $newRows | Write-FacebergTable movie_reviews_default -Split train -Compression $Codec -CompressionLevel $Level -Confirm:$false
        @(Get-WrittenCodec $hub $result | Select-Object -Unique) | Should -Be @($Expected)
        @(Read-FacebergTable movie_reviews_default -Filter { $_.text -like '*written with a codec' }).Count | Should -BeGreaterOrEqual 50
    }

    It 'reads every property of piped custom objects, whatever their order, type names or added members' {
        $scripted = [pscustomobject]@{ label = 1 }
        $scripted.PSObject.Properties.Add([psscriptproperty]::new('text', { 'Review from a script property' }))
        $typed = [pscustomobject]@{ text = 'Review with a type name'; label = 0 }
        $typed.PSObject.TypeNames.Insert(0, 'Faceberg.Test.Review')
        $reordered = [pscustomobject]@{ label = 1; text = 'Review with its properties reordered' }
        [pscustomobject]@{ text = 'Review as plain as it gets'; label = 0 }, $scripted, $typed, $reordered |
            Write-FacebergTable movie_reviews_default -Split train -Confirm:$false

        $written = @(Read-FacebergTable movie_reviews_default -Filter { $_.text -in 'Review as plain as it gets', 'Review from a script property',
                'Review with a type name', 'Review with its properties reordered' } | Sort-Object text)
        $written.text | Should -Be @('Review as plain as it gets', 'Review from a script property', 'Review with a type name', 'Review with its properties reordered')
        $written.label | Should -Be @(0, 1, 0, 1)

        # A property the table has no column for counts on every object, not only on the first.
        $err = { [pscustomobject]@{ text = 'Review ok'; label = 0 }, [pscustomobject]@{ text = 'Review extra'; label = 0; lang = 'en' } |
                Write-FacebergTable movie_reviews_default -Split train -Confirm:$false } | Should -Throw -ErrorId 'WriteRowInvalid,Faceberg.Cmdlets.WriteFacebergTableCommand' -PassThru
        $err.Exception.Message | Should -Match "row 1, column 'lang': the table has no such column"
    }

    It 'rejects a codec it does not know before writing anything' {
        { & $newRows | Write-FacebergTable movie_reviews_default -Split train -Compression Lzma -Confirm:$false } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,Faceberg.Cmdlets.WriteFacebergTableCommand'
    }
}

Describe 'Write-FacebergTable of a large piped input (streamed to the writer in chunks)' {
    BeforeAll {
        $hub = Start-TestHub
        Push-Location (New-TestProject)
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        function New-Reviews([string] $Prefix, [int] $Count) { 0..($Count - 1) | ForEach-Object { [pscustomobject]@{ text = "$Prefix $_"; label = $_ % 2 } } }
        function Get-WrittenCount([string] $Prefix) { @(Read-FacebergTable movie_reviews_default -Filter { $_.text -like "$Prefix *" }).Count }
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'writes every row in one commit and one snapshot' {
        $result = New-Reviews 'Streamed review' 25000 | Write-FacebergTable movie_reviews_default -Split train -Confirm:$false
        @($result).Count | Should -Be 1
        $result.Records | Should -Be 25000
        Get-WrittenCount 'Streamed review' | Should -Be 25000
    }

    It 'names a bad row deep in the stream and commits nothing' {
        $err = { & { New-Reviews 'Deep bad review' 21000; [pscustomobject]@{ text = 'Deep bad review extra'; label = 0; lang = 'en' }; New-Reviews 'Deep bad review after' 3000 } |
                Write-FacebergTable movie_reviews_default -Split train -Confirm:$false } | Should -Throw -ErrorId 'WriteRowInvalid,Faceberg.Cmdlets.WriteFacebergTableCommand' -PassThru
        $err.Exception.Message | Should -Match "row 21000, column 'lang': the table has no such column"
        Get-WrittenCount 'Deep bad review' | Should -Be 0
    }

    It 'commits nothing when the pipeline stops before the input ends' {
        { & { New-Reviews 'Stopped review' 15000; throw 'the producer failed' } | Write-FacebergTable movie_reviews_default -Split train -Confirm:$false } |
            Should -Throw 'the producer failed'
        Start-Sleep -Milliseconds 500
        Get-WrittenCount 'Stopped review' | Should -Be 0
    }

    It 'plans a large write under -WhatIf and writes nothing' {
        $result = New-Reviews 'Planned review' 12000 | Write-FacebergTable movie_reviews_default -Split train -WhatIf
        $result.WhatIf | Should -BeTrue
        $result.Records | Should -Be 12000
        Get-WrittenCount 'Planned review' | Should -Be 0
    }
}
