#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# How the cmdlets compose in a pipeline, and the common parameters a PowerShell user relies on:
# -WhatIf/-Confirm, -ErrorAction (one non-terminating error per failed item, $?, stable
# FullyQualifiedErrorIds, Stop makes them terminating) and -Verbose.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Pipelines' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'Get-FacebergTable | Sync-FacebergTable syncs each table once, only the changed one is Updated' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $null = Copy-HubFile -Hub $hub -Repo demo/iris -Path data/iris-00001.parquet -Destination data/iris-00002.parquet

        $results = Get-FacebergTable | Sync-FacebergTable

        $results | ForEach-Object { $_.PSObject.TypeNames[0] } | Should -Be @('Faceberg.SyncResult', 'Faceberg.SyncResult')
        ($results | Sort-Object Table | ForEach-Object { "$($_.Table)=$($_.Status)" }) |
            Should -Be @('default.iris_default=Updated', 'default.movie_reviews_default=UpToDate')
        (Get-FacebergTable iris_default).FileCount | Should -Be 3
    }

    It 'Get-ChildItem *.yml | New-FacebergCatalog creates one catalog per file' {
        $null = New-Item ./a, ./b -ItemType Directory
        Copy-Item ./faceberg.yml ./a/faceberg.yml
        Copy-Item ./faceberg.yml ./b/faceberg.yml
        Remove-Item ./faceberg.yml

        $catalogs = Get-ChildItem ./*/*.yml | New-FacebergCatalog

        $catalogs.Count | Should -Be 2
        $catalogs | ForEach-Object { $_.PSObject.TypeNames[0] } | Should -Be @('Faceberg.Catalog', 'Faceberg.Catalog')
        './a/.faceberg/catalog.json', './b/.faceberg/catalog.json' | Should -Exist
    }

    It 'Get-ChildItem *.yml | New-FacebergCatalog binds a FileInfo from the current folder' {
        $catalog = Get-ChildItem *.yml | New-FacebergCatalog
        $catalog.Name | Should -Be 'test_catalog'
        './.faceberg/catalog.json' | Should -Exist
    }

    It 'Get-FacebergTable | Read-FacebergTable reads the rows of every table' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable

        $rows = Get-FacebergTable iris_default, movie_reviews_default | Read-FacebergTable -First 3

        $rows.Count | Should -Be 6
        @($rows | Where-Object { $_.PSObject.Properties.Name -contains 'sepal_length' }).Count | Should -Be 3
        @($rows | Where-Object { $_.PSObject.Properties.Name -contains 'text' }).Count | Should -Be 3
    }
}

Describe '-WhatIf and -Confirm' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $catalogJson = Get-Content ./.faceberg/catalog.json -Raw
        $files = @(Get-ChildItem ./.faceberg -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" })
        $head = $hub.Server.Store.ResolveRevision('demo/movie-reviews', 'main')
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It '<Command> -WhatIf changes no file and no Hub repo' -ForEach @(
        @{ Command = 'Remove-FacebergTable'; Script = { Remove-FacebergTable iris_default -Purge -WhatIf } }
        @{ Command = 'Sync-FacebergTable'; Script = { Get-FacebergTable | Sync-FacebergTable -WhatIf } }
        @{ Command = 'Update-FacebergTable'; Script = { Update-FacebergTable movie_reviews_default -RenameColumn text=review -WhatIf } }
        @{ Command = 'Write-FacebergTable'; Script = { [pscustomobject]@{ text = 'new'; label = 1 } | Write-FacebergTable movie_reviews_default -Split train -WhatIf } }
        @{ Command = 'New-FacebergTable'; Script = { New-FacebergTable -Repo demo/translations -WhatIf } }
        @{ Command = 'New-FacebergCatalog'; Script = { New-FacebergCatalog ./faceberg.yml -Force -WhatIf } }
    ) {
        $null = & $Script

        Get-Content ./.faceberg/catalog.json -Raw | Should -Be $catalogJson
        @(Get-ChildItem ./.faceberg -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" }) | Should -Be $files
        Get-Content ./faceberg.yml -Raw | Should -Be ($DefaultTestConfig + [Environment]::NewLine)
        $hub.Server.Store.ResolveRevision('demo/movie-reviews', 'main') | Should -Be $head
    }

    It 'Remove-FacebergTable asks first (ConfirmImpact High) and -Confirm:$false proceeds' {
        (Get-Command Remove-FacebergTable).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'

        Remove-FacebergTable iris_default -Purge -Confirm:$false

        (Get-FacebergTable).Identifier | Should -Not -Contain 'default.iris_default'
        './.faceberg/metadata/default/iris_default' | Should -Not -Exist
    }

    It 'Write-FacebergTable -Confirm:$false appends' {
        [pscustomobject]@{ text = 'confirmed'; label = 1 } | Write-FacebergTable movie_reviews_default -Split train -Confirm:$false
        $hub.Server.Store.ResolveRevision('demo/movie-reviews', 'main') | Should -Not -Be $head
        (Read-FacebergTable movie_reviews_default -Split train -Filter { $_.text -eq 'confirmed' }).label | Should -Be 1
    }
}

Describe '-ErrorAction' {
    BeforeAll {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It '<_>: one non-terminating error per missing table, the other items still processed, $? false' -ForEach @(
        'Get-FacebergTable', 'Sync-FacebergTable'
    ) {
        $output = & $_ nope_1, iris_default, nope_2 -ErrorVariable err -ErrorAction SilentlyContinue
        $succeeded = $?

        $succeeded | Should -BeFalse
        @($output).Count | Should -Be 1
        $err.Count | Should -Be 2
        $err.FullyQualifiedErrorId | Should -Be (@("TableNotFound,Faceberg.Cmdlets.$($_ -replace '-', '')Command") * 2)
        $err.TargetObject | Should -Be @('nope_1', 'nope_2')
        $err.CategoryInfo.Category | Should -Be @('ObjectNotFound', 'ObjectNotFound')
    }

    It '<Command> fails with the exact id <Id>' -ForEach @(
        @{ Command = 'Get-FacebergTable'; Parameters = @{ Name = 'nope_1' }; Id = 'TableNotFound,Faceberg.Cmdlets.GetFacebergTableCommand' }
        @{ Command = 'Get-FacebergSnapshot'; Parameters = @{ Name = 'nope_1' }; Id = 'TableNotFound,Faceberg.Cmdlets.GetFacebergSnapshotCommand' }
        @{ Command = 'Read-FacebergTable'; Parameters = @{ Name = 'nope_1' }; Id = 'TableNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand' }
        @{ Command = 'Read-FacebergTable'; Parameters = @{ Name = 'iris_default'; Property = 'no_such_column' }; Id = 'ColumnNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand' }
        @{ Command = 'Remove-FacebergTable'; Parameters = @{ Name = 'nope_1'; WhatIf = $true }; Id = 'TableNotFound,Faceberg.Cmdlets.RemoveFacebergTableCommand' }
        @{ Command = 'New-FacebergTable'; Parameters = @{ Repo = 'demo/no-such-dataset' }; Id = 'HubRepositoryNotFound,Faceberg.Cmdlets.NewFacebergTableCommand' }
        @{ Command = 'New-FacebergCatalog'; Parameters = @{ Path = './faceberg.yml' }; Id = 'CatalogAlreadyExists,Faceberg.Cmdlets.NewFacebergCatalogCommand' }
    ) {
        $null = & $Command @Parameters -ErrorVariable err -ErrorAction SilentlyContinue
        $succeeded = $?
        $succeeded | Should -BeFalse
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be $Id
        $err[0].CategoryInfo.Category | Should -Not -Be 'NotSpecified'
    }

    It '-ErrorAction Stop makes the first failure terminating: <Id>' -ForEach @(
        @{ Script = { Get-FacebergTable nope_1, iris_default -ErrorAction Stop }; Id = 'TableNotFound,Faceberg.Cmdlets.GetFacebergTableCommand' }
        @{ Script = { Sync-FacebergTable nope_1 -ErrorAction Stop }; Id = 'TableNotFound,Faceberg.Cmdlets.SyncFacebergTableCommand' }
        @{ Script = { Read-FacebergTable nope_1 -ErrorAction Stop }; Id = 'TableNotFound,Faceberg.Cmdlets.ReadFacebergTableCommand' }
    ) {
        $script:after = $false
        { & $Script; $script:after = $true } | Should -Throw -ErrorId $Id
        $script:after | Should -BeFalse
    }

    It '$ErrorActionPreference = ''Stop'' makes it terminating too' {
        $ErrorActionPreference = 'Stop'
        { Get-FacebergTable nope_1 } | Should -Throw -ErrorId 'TableNotFound,Faceberg.Cmdlets.GetFacebergTableCommand'
    }
}

Describe '-Verbose' {
    BeforeEach {
        $root = New-TestProject
        Push-Location $root
    }
    AfterEach {
        Pop-Location
        Stop-FacebergLocalHub
    }

    It 'Start- and Stop-FacebergLocalHub say what they serve, where, and what they changed' {
        $verbose = @(Start-FacebergLocalHub -Path (Join-Path $TestDrive "hub-$([guid]::NewGuid().ToString('N'))") -Sample -SetEnvironment -Verbose 4>&1)
        $hub = $verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $messages = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $messages | Should -Contain 'Created sample dataset demo/iris.'
        $messages | Should -Contain "HF_ENDPOINT is now $($hub.Endpoint)."
        $messages | Should -Contain "Local Hub serving $($hub.Path) at $($hub.Endpoint)."

        $stop = @($hub | Stop-FacebergLocalHub -Verbose 4>&1 | ForEach-Object Message)
        $stop | Should -Contain "Stopped the local Hub at $($hub.Endpoint)."
    }

    It 'Sync-FacebergTable names each table it syncs' {
        $hub = Start-TestHub
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $messages = @(Get-FacebergTable | Sync-FacebergTable -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $messages | Should -Contain 'Performing the operation "Sync with its dataset''s current revision" on target "default.iris_default".'
        $messages | Should -Contain 'Performing the operation "Sync with its dataset''s current revision" on target "default.movie_reviews_default".'
    }

    It 'Read-FacebergTable tells the pruning filter and how many files and row groups it read and skipped' {
        $hub = Start-TestHub
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $messages = @(Read-FacebergTable movie_reviews_default -Split test -Filter { $_.label -eq 1 } -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $messages | Where-Object { $_ -like 'Filter used for pruning: *label*' } | Should -Not -BeNullOrEmpty
        $messages | Where-Object { $_ -like 'default.movie_reviews_default: * files read, * skipped; * row groups read, * skipped; * rows.' } |
            Should -Not -BeNullOrEmpty
        $messages[-1] | Should -Match '^default\.movie_reviews_default: 1 files read, [1-9]\d* skipped; '
    }
}
