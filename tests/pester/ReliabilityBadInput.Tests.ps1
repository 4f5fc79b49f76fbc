#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for the bad-input corpus of docs/reliability.md: damaged faceberg.yml, catalog.json, table metadata
# JSON, Avro manifest lists and manifests, Parquet files on the Hub, and hostile catalog repos pulled with
# Save-FacebergCatalog. Each must end in ErrorRecords with a stable Faceberg id (never a .NET exception type), a
# category, and a message naming the damaged file; nothing may be written outside the folders the command names.
# Run: Invoke-Pester ./tests/pester -Tag Reliability

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $IrisConfig = @'
catalog:
  name: bad
  location: .faceberg/
datasets:
  - name: iris
    repo: demo/iris
'@

    function Invoke-BadInput {
        # Runs $Command; returns every error it raised, terminating or not.
        param([Parameter(Mandatory)] [string] $Command)
        $errors = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        try {
            foreach ($item in (& ([scriptblock]::Create($Command)) 2>&1)) {
                if ($item -is [System.Management.Automation.ErrorRecord]) { $errors.Add($item) }
            }
        }
        catch { $errors.Add($_) }
        , $errors.ToArray()
    }

    function Assert-CleanFailure {
        # Every error a Faceberg error: stable id, a category, the damaged file named.
        param([System.Management.Automation.ErrorRecord[]] $Errors, [Parameter(Mandatory)] [string] $Names)
        $Errors | Should -Not -BeNullOrEmpty -Because 'bad input must be reported'
        foreach ($record in $Errors) {
            $id = $record.FullyQualifiedErrorId.Split(',')[0]
            $id | Should -Not -Match '^System\.|Exception$' -Because "'$id' must not be a .NET exception type ($($record.Exception.GetType().FullName): $($record.Exception.Message))"
            $record.Exception -is [Faceberg.Core.FacebergException] | Should -BeTrue -Because "$($record.Exception.GetType().FullName): $($record.Exception.Message)"
            $record.CategoryInfo.Category | Should -Not -Be ([System.Management.Automation.ErrorCategory]::NotSpecified) -Because "'$id' needs a category ($($record.Exception.Message))"
        }
        ($Errors | ForEach-Object { $_.Exception.Message }) -join "`n" | Should -BeLike "*$Names*" -Because 'the error names the damaged file'
    }

    function Get-Tree {
        # Every file and folder under $Path with its size: what a command changed, compared before and after.
        param([Parameter(Mandatory)] [string] $Path)
        @(Get-ChildItem $Path -Recurse -Force -ErrorAction SilentlyContinue | ForEach-Object {
            if ($_.PSIsContainer) { "$($_.FullName)/" } else { "$($_.FullName) $($_.Length)" } } | Sort-Object)
    }

    function Get-LatestMetadata {
        Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'v*.metadata.json' |
            Sort-Object { [int]($_.Name -replace '^v(\d+)\.metadata\.json$', '$1') } | Select-Object -Last 1
    }

    function Set-Truncated {
        # Keeps the first half of a file (a copy cut short).
        param([Parameter(Mandatory)] [string] $Path)
        $Path = Convert-Path $Path
        $bytes = [IO.File]::ReadAllBytes($Path)
        [IO.File]::WriteAllBytes($Path, [byte[]]$bytes[0..([Math]::Max(0, [int]($bytes.Length / 2) - 1))])
    }

    function Edit-MetadataJson {
        # Rewrites the latest metadata file through $Change (given the parsed JSON as a hashtable).
        param([Parameter(Mandatory)] [scriptblock] $Change)
        $file = Get-LatestMetadata
        $json = Get-Content $file.FullName -Raw | ConvertFrom-Json -AsHashtable
        & $Change $json
        $json | ConvertTo-Json -Depth 64 | Set-Content $file.FullName
    }
}

Describe 'Bad input: damaged catalog files' -Tag Reliability {
    BeforeAll {
        $hub = Start-TestHub
    }
    AfterAll {
        $hub | Stop-FacebergLocalHub
    }
    BeforeEach {
        # A fresh project per case (table metadata records absolute paths, so a copy would still read the original),
        # inside its own folder, so "nothing outside" is everything else under the test drive.
        $outer = Join-Path $TestDrive "case-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item $outer -ItemType Directory
        Push-Location (New-TestProject -Config $IrisConfig -Folder "$(Split-Path $outer -Leaf)/project")
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
    }
    AfterEach {
        Pop-Location
    }

    It '<Case>: <Command> fails cleanly, naming <Names>' -ForEach @(
        # faceberg.yml
        @{ Case = 'faceberg.yml is not YAML'; Names = 'faceberg.yml'; Command = 'Get-FacebergTable'
           Damage = { Set-Content ./faceberg.yml "catalog: [unclosed`n  name: {" } }
        @{ Case = 'faceberg.yml has datasets of the wrong type'; Names = 'faceberg.yml'; Command = 'New-FacebergTable'
           Damage = { Set-Content ./faceberg.yml "catalog:`n  name: bad`ndatasets: 5`n" } }
        @{ Case = 'faceberg.yml has a dataset without a repo'; Names = 'faceberg.yml'; Command = 'New-FacebergTable'
           Damage = { Set-Content ./faceberg.yml "catalog:`n  name: bad`ndatasets:`n  - name: iris`n" } }
        @{ Case = 'faceberg.yml is binary'; Names = 'faceberg.yml'; Command = 'Get-FacebergTable'
           Damage = { [IO.File]::WriteAllBytes("$PWD/faceberg.yml", [byte[]](0, 255, 1, 254, 0, 9, 27, 91)) } }
        # catalog.json
        @{ Case = 'catalog.json is truncated'; Names = 'catalog.json'; Command = 'Get-FacebergTable'
           Damage = { Set-Truncated ./.faceberg/catalog.json } }
        @{ Case = 'catalog.json is an array'; Names = 'catalog.json'; Command = 'Get-FacebergTable'
           Damage = { Set-Content ./.faceberg/catalog.json '[]' } }
        @{ Case = 'catalog.json maps a table to a number'; Names = 'catalog.json'; Command = 'Get-FacebergTable'
           Damage = { Set-Content ./.faceberg/catalog.json '{ "default.iris_default": 5 }' } }
        @{ Case = 'catalog.json names a bad identifier'; Names = 'catalog.json'; Command = 'Get-FacebergTable'
           Damage = { Set-Content ./.faceberg/catalog.json '{ "no-namespace": "metadata/default/iris_default" }' } }
        @{ Case = 'catalog.json entry leaves the catalog'; Names = 'catalog.json'; Command = 'Remove-FacebergTable iris_default -Purge -Confirm:$false'
           Damage = { Set-Content ./.faceberg/catalog.json '{ "default.iris_default": "metadata/../../.." }' } }
        # Table metadata JSON
        @{ Case = 'the latest metadata is truncated'; Names = '.metadata.json'; Command = 'Get-FacebergTable iris_default'
           Damage = { Set-Truncated (Get-LatestMetadata).FullName } }
        @{ Case = 'the latest metadata is not JSON'; Names = '.metadata.json'; Command = 'Read-FacebergTable iris_default'
           Damage = { Set-Content (Get-LatestMetadata).FullName 'not json at all' } }
        @{ Case = 'the latest metadata has format-version 9'; Names = '.metadata.json'; Command = 'Get-FacebergTable iris_default'
           Damage = { Edit-MetadataJson { param($j) $j['format-version'] = 9 } } }
        @{ Case = 'the latest metadata has no schemas'; Names = '.metadata.json'; Command = 'Read-FacebergTable iris_default'
           Damage = { Edit-MetadataJson { param($j) $j.Remove('schemas') } } }
        @{ Case = 'the latest metadata has no location'; Names = '.metadata.json'; Command = 'Sync-FacebergTable iris_default'
           Damage = { Edit-MetadataJson { param($j) $j.Remove('location') } } }
        @{ Case = 'the latest metadata names a missing current snapshot'; Names = '.metadata.json'; Command = 'Read-FacebergTable iris_default'
           Damage = { Edit-MetadataJson { param($j) $j['current-snapshot-id'] = 12345 } } }
        @{ Case = 'the latest metadata is a JSON array'; Names = '.metadata.json'; Command = 'Get-FacebergTable iris_default'
           Damage = { Set-Content (Get-LatestMetadata).FullName '[1, 2, 3]' } }
        @{ Case = 'every metadata file is gone'; Names = 'iris_default'; Command = 'Read-FacebergTable iris_default'
           Damage = { Set-Content ./.faceberg/metadata/default/iris_default/metadata/version-hint.text 'v-two' ; Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'v*.metadata.json' | Remove-Item } }
        # Avro manifest list and manifests
        @{ Case = 'the manifest list is truncated'; Names = 'snap-'; Command = 'Read-FacebergTable iris_default'
           Damage = { Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'snap-*.avro' | ForEach-Object { Set-Truncated $_.FullName } } }
        @{ Case = 'the manifest list is not Avro'; Names = 'snap-'; Command = 'Read-FacebergTable iris_default'
           Damage = { Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'snap-*.avro' | ForEach-Object { Set-Content $_.FullName 'plain text' } } }
        @{ Case = 'the manifest list holds a manifest (wrong schema)'; Names = 'snap-'; Command = 'Read-FacebergTable iris_default'
           Damage = {
               $manifest = Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter '*.avro' | Where-Object Name -notlike 'snap-*' | Select-Object -First 1
               Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'snap-*.avro' | ForEach-Object { Copy-Item $manifest.FullName $_.FullName -Force } } }
        @{ Case = 'a manifest is truncated'; Names = '.avro'; Command = 'Read-FacebergTable iris_default'
           Damage = { Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter '*.avro' | Where-Object Name -notlike 'snap-*' | ForEach-Object { Set-Truncated $_.FullName } } }
        @{ Case = 'a manifest holds a manifest list (wrong schema)'; Names = '.avro'; Command = 'Read-FacebergTable iris_default'
           Damage = {
               $list = Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter 'snap-*.avro' | Sort-Object Name | Select-Object -Last 1
               Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter '*.avro' | Where-Object Name -notlike 'snap-*' | ForEach-Object { Copy-Item $list.FullName $_.FullName -Force } } }
        @{ Case = 'a manifest is missing'; Names = '.avro'; Command = 'Read-FacebergTable iris_default'
           Damage = { Get-ChildItem ./.faceberg/metadata/default/iris_default/metadata -Filter '*.avro' | Where-Object Name -notlike 'snap-*' | Remove-Item } }
    ) {
        & $Damage
        $here = (Get-Location).Path
        $outside = Get-Tree $TestDrive | Where-Object { $_ -notlike "$here*" -and $_ -notlike '*hub-*' }
        $project = Get-Tree $PWD
        Assert-CleanFailure (Invoke-BadInput $Command) -Names $Names
        # Nothing written outside this case's own folder, nothing changed inside it by a failed read or sync.
        Get-Tree $TestDrive | Where-Object { $_ -notlike "$here*" -and $_ -notlike '*hub-*' } | Should -Be $outside
        if ($Command -notlike 'Remove-*' -and $Command -notlike 'New-*') { Get-Tree $PWD | Should -Be $project }
    }
}

Describe 'Bad input: damaged Parquet on the Hub' -Tag Reliability {
    BeforeAll {
        $hub = Start-TestHub
        $good = $hub.Server.Store.ReadFile('demo/iris', 'main', 'data/iris-00000.parquet')
    }
    AfterAll {
        $hub | Stop-FacebergLocalHub
    }
    BeforeEach {
        $root = New-TestProject -Config "catalog:`n  name: bad`n  location: .faceberg/`n"
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml
    }
    AfterEach {
        Pop-Location
    }

    It 'New-FacebergTable of a dataset whose Parquet file has <Case> fails cleanly, naming the file' -ForEach @(
        @{ Case = 'a truncated footer'; Bytes = { param($b) $b[0..($b.Length - 20)] } }
        @{ Case = 'bad magic'; Bytes = { param($b) $c = [byte[]]$b.Clone(); $c[-1] = 88; $c[-2] = 88; $c } }
        @{ Case = 'a footer length past the start'; Bytes = { param($b) $c = [byte[]]$b.Clone(); $c[-8] = 255; $c[-7] = 255; $c[-6] = 255; $c[-5] = 127; $c } }
        @{ Case = 'no Parquet at all'; Bytes = { param($b) [Text.Encoding]::UTF8.GetBytes('sepal_length,species') } }
        @{ Case = 'one byte'; Bytes = { param($b) , [byte[]]@(80) } }
        @{ Case = 'no bytes'; Bytes = { param($b) , [byte[]]@() } }
    ) {
        $repo = "team/bad-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = $hub.Server.Store.CreateRepo($repo)
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/train-00000-of-00001.parquet'] = [byte[]](& $Bytes $good)
        $null = $hub.Server.Store.Commit($repo, $files, $null, 'bad parquet')
        $before = [IO.File]::ReadAllText("$PWD/faceberg.yml")
        Assert-CleanFailure (Invoke-BadInput "New-FacebergTable -Repo $repo") -Names 'train-00000-of-00001.parquet'
        Get-FacebergTable | Should -BeNullOrEmpty
        [IO.File]::ReadAllText("$PWD/faceberg.yml") | Should -Be $before
        @(Get-ChildItem ./.faceberg/metadata -Recurse -File).Count | Should -Be 0
    }

    It 'Sync-FacebergTable of a new damaged Parquet file fails cleanly, naming it, and leaves the table as it was' {
        Set-Content ./faceberg.yml "catalog:`n  name: bad`n  location: .faceberg/`ndatasets:`n  - name: iris`n    repo: demo/iris`n"
        $null = New-FacebergTable
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/iris-00009.parquet'] = [byte[]]$good[0..($good.Length - 20)]
        $null = $hub.Server.Store.Commit('demo/iris', $files, $null, 'a damaged file')
        $before = Get-Tree $PWD
        Assert-CleanFailure (Invoke-BadInput 'Sync-FacebergTable iris_default') -Names 'iris-00009.parquet'
        Get-Tree $PWD | Should -Be $before
        @(Read-FacebergTable iris_default).Count | Should -Be 150
    }
}

Describe 'Bad input: hostile catalog repos pulled with Save-FacebergCatalog' -Tag Reliability {
    BeforeAll {
        $hub = Start-TestHub
        $source = New-TestProject -Config "catalog:`n  name: src`n  repo: team/good-catalog`ndatasets:`n  - name: iris`n    repo: demo/iris`n"
        Push-Location $source
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $null = Publish-FacebergCatalog
        Pop-Location
        $goodCatalog = Get-Content (Join-Path $source '.faceberg/catalog.json') -Raw
    }
    AfterAll {
        $hub | Stop-FacebergLocalHub
    }

    It 'refuses a repo whose <Case>, writing nothing outside -Path' -ForEach @(
        @{ Case = 'catalog.json is not JSON'; Names = 'catalog.json'; Content = @{ 'catalog.json' = 'not json' } }
        @{ Case = 'catalog.json entry climbs out of the catalog'; Names = 'catalog.json'; Content = @{ 'catalog.json' = '{ "default.x": "../../outside" }' } }
        @{ Case = 'catalog.json entry is an absolute path'; Names = 'catalog.json'; Content = @{ 'catalog.json' = '{ "default.x": "/etc" }' } }
        @{ Case = 'catalog.json entry is inside another entry'; Names = 'catalog.json'; Content = @{ 'catalog.json' = '{ "default.a": "metadata/default/a", "default.b": "metadata/default/a/metadata" }' } }
        @{ Case = 'faceberg.yml is not YAML'; Names = 'faceberg.yml'; Content = @{ 'faceberg.yml' = "catalog: [unclosed`n  name: {" } }
        @{ Case = 'faceberg.yml location is absolute'; Names = 'faceberg.yml'; Content = @{ 'faceberg.yml' = "catalog:`n  name: evil`n  location: /tmp/faceberg-bad-input/`n" } }
    ) {
        $repo = "team/hostile-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = $hub.Server.Store.CreateRepo($repo)
        $repoFiles = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $repoFiles['catalog.json'] = [Text.Encoding]::UTF8.GetBytes($goodCatalog)
        foreach ($name in $Content.Keys) { $repoFiles[$name] = [Text.Encoding]::UTF8.GetBytes($Content[$name]) }
        $null = $hub.Server.Store.Commit($repo, $repoFiles, $null, 'hostile')
        $outer = Join-Path $TestDrive "pull-$([guid]::NewGuid().ToString('N'))"
        $target = Join-Path $outer 'copy'
        $null = New-Item $target -ItemType Directory -Force
        $outside = Get-Tree $TestDrive | Where-Object { $_ -notlike "$target*" }

        Assert-CleanFailure (Invoke-BadInput "Save-FacebergCatalog -Repository $repo -Path '$target' -Force") -Names $Names
        Get-Tree $TestDrive | Where-Object { $_ -notlike "$target*" } | Should -Be $outside
        Test-Path /tmp/faceberg-bad-input | Should -BeFalse
        Test-Path /etc/metadata | Should -BeFalse
    }
}
