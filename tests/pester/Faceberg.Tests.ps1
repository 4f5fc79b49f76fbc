#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs, the user-facing specification of the module, run in pwsh by ./build.ps1 -Test
# (or alone: ./tests/pester/Invoke-Specs.ps1 -Path <file>, after ./build.ps1).
# This file: the module manifest and help, New-FacebergCatalog, Get-FacebergTable,
# New-/Sync-FacebergTable and Write-/Update-FacebergTable. The other specs:
#   LocalHub.Tests.ps1      Start-/Stop-FacebergLocalHub
#   Reading.Tests.ps1       Read-FacebergTable, Get-FacebergSnapshot, Remove-FacebergTable
#   Publishing.Tests.ps1    Publish-/Save-FacebergCatalog and hf:// catalogs
#   HelpExamples.Tests.ps1  every Get-Help example, run as written against a local Hub
#   Pipelines.Tests.ps1     pipelines, -WhatIf/-Confirm, -ErrorAction and error ids, -Verbose
#   Runbook.Tests.ps1       scripts in a child pwsh: a runbook, the quickstart, format views
#   Packaging.Tests.ps1     the manifest, and the package published, installed and imported by name
# Helpers shared by all of them: TestHelpers.ps1.

BeforeDiscovery {
    # -ForEach data is computed during discovery, before BeforeAll runs.
    Import-Module (Join-Path $PSScriptRoot '../../out/Faceberg/Faceberg.psd1') -Force
    $exportedCmdlets = @((Get-Module Faceberg).ExportedCmdlets.Keys)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Module' {
    It 'passes Test-ModuleManifest' {
        $m = Test-ModuleManifest $FacebergManifest
        $m.Guid | Should -Be '30f3a996-6abd-4513-b262-d24995fb94c1'
        $m.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'ships no System.Management.Automation.dll' {
        Get-ChildItem (Split-Path $FacebergManifest) -Recurse -Filter System.Management.Automation.dll | Should -BeNullOrEmpty
    }

    It 'has help with synopsis, description and an example for <_>' -ForEach $exportedCmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -Match '^\s*$'
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'New-FacebergCatalog' {
    BeforeEach { $root = New-TestProject; Push-Location $root }
    AfterEach { Pop-Location }

    It 'creates catalog.json and the namespace folder' {
        $catalog = New-FacebergCatalog ./faceberg.yml
        $catalog.PSObject.TypeNames | Should -Contain 'Faceberg.Catalog'
        $catalog.Name | Should -Be 'test_catalog'
        $catalog.TableCount | Should -Be 0
        (Get-Content ./.faceberg/catalog.json -Raw).Trim() | Should -Be '{}'
        './.faceberg/metadata/default' | Should -Exist
    }

    It 'refuses to replace an existing catalog' {
        Add-TestTable $root 'default.iris_default'
        New-FacebergCatalog ./faceberg.yml -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'CatalogAlreadyExists,Faceberg.Cmdlets.NewFacebergCatalogCommand'
        (Get-Content ./.faceberg/catalog.json -Raw) | Should -Match 'iris_default'
    }

    It 'replaces it with -Force' {
        Add-TestTable $root 'default.iris_default'
        (New-FacebergCatalog ./faceberg.yml -Force).TableCount | Should -Be 0
    }

    It 'creates nothing with -WhatIf' {
        New-FacebergCatalog ./faceberg.yml -WhatIf | Should -BeNullOrEmpty
        './.faceberg' | Should -Not -Exist
    }

    It 'names file, line and column of a bad faceberg.yml' {
        Set-Content ./faceberg.yml "catalog:`n  name: c`n  colour: blue`n"
        New-FacebergCatalog ./faceberg.yml -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'InvalidConfig,Faceberg.Cmdlets.NewFacebergCatalogCommand'
        $err[0].Exception.Message | Should -BeLike '*faceberg.yml:3:3: unknown key*colour*'
    }
}

Describe 'Get-FacebergTable' {
    BeforeEach { $root = New-TestProject; Push-Location $root }
    AfterEach { Pop-Location }

    It 'returns nothing for an empty catalog' {
        New-FacebergCatalog ./faceberg.yml | Get-FacebergTable | Should -BeNullOrEmpty
    }

    It 'filters with wildcards' {
        Add-TestTable $root 'default.movie_reviews_default', 'default.iris_setosa', 'default.iris_virginica'
        (Get-FacebergTable iris_*).Identifier | Should -Be @('default.iris_setosa', 'default.iris_virginica')
        (Get-FacebergTable default.mov*).Repo | Should -Be 'demo/movie-reviews'
    }

    It 'finds the catalog from a subfolder' {
        Add-TestTable $root 'default.iris_setosa'
        $null = New-Item ./a/b -ItemType Directory
        Set-Location ./a/b
        (Get-FacebergTable).Identifier | Should -Be 'default.iris_setosa'
    }

    It 'says clearly when there is no catalog' {
        Set-Location $TestDrive
        Get-FacebergTable -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'CatalogNotFound,Faceberg.Cmdlets.GetFacebergTableCommand'
    }

    It 'completes table names' {
        Add-TestTable $root 'default.iris_setosa', 'default.movie_reviews_default'
        $line = 'Get-FacebergTable iri'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'iris_setosa'
    }
}

Describe 'New-FacebergTable and Sync-FacebergTable' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'creates a table per config, lists it, and syncs it after a new commit' {
        $tables = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        @($tables.Identifier | Sort-Object) | Should -Be @('default.iris_default', 'default.movie_reviews_default')
        ($tables | Where-Object Identifier -EQ 'default.iris_default').RecordCount | Should -Be 150
        @((Get-FacebergTable | Sync-FacebergTable).Status) | Should -Be @('UpToDate', 'UpToDate')

        $null = Copy-HubFile $hub demo/iris data/iris-00001.parquet data/iris-00009.parquet 'More flowers'

        $result = Get-FacebergTable iris_default | Sync-FacebergTable
        $result.PSObject.TypeNames | Should -Contain 'Faceberg.SyncResult'
        $result.Status | Should -Be 'Updated'
        $result.Added | Should -Be 1
        (Get-FacebergTable iris_default).RecordCount | Should -Be 200
    }

    It 'previews with -WhatIf without creating anything' {
        New-FacebergCatalog ./faceberg.yml | New-FacebergTable -WhatIf | Should -BeNullOrEmpty
        Get-FacebergTable | Should -BeNullOrEmpty
    }

    It 'adds a dataset to faceberg.yml with -Repo' {
        $null = New-FacebergCatalog ./faceberg.yml
        $table = New-FacebergTable -Repo demo/translations -Config en-fr
        $table.Identifier | Should -Be 'default.translations_en-fr'
        Get-Content ./faceberg.yml -Raw | Should -Match 'repo: demo/translations'
    }

    It 'reports a missing repo as a non-terminating error' {
        Set-Content ./faceberg.yml "catalog:`n  name: broken`ndatasets:`n  - name: gone`n    repo: nobody/missing`n"
        New-FacebergCatalog ./faceberg.yml | New-FacebergTable -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'HubRepositoryNotFound,Faceberg.Cmdlets.NewFacebergTableCommand'
    }
}

Describe 'Write-FacebergTable and Update-FacebergTable' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable movie_reviews
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'appends rows in one commit, reads them back, and the next sync finds nothing new' {
        $result = @{ text = 'A written review'; label = 1 }, [pscustomobject]@{ text = 'Another'; label = '0' } |
            Write-FacebergTable movie_reviews_default -Split test
        $result.PSObject.TypeNames | Should -Contain 'Faceberg.WriteResult'
        $result.Records | Should -Be 2
        $result.Files | Should -Match '^data/test-00000-of-00001-[0-9a-f]{12}\.parquet$'
        (Get-FacebergTable movie_reviews_default).Revision | Should -Be $result.Revision
        (Sync-FacebergTable movie_reviews_default).Status | Should -Be 'UpToDate'
        @(Read-FacebergTable movie_reviews_default -Split test -Filter { $_.text -eq 'A written review' }).Count | Should -Be 1
    }

    It 'rejects a bad row, naming it, and writes nothing' {
        { @{ text = 'bad'; label = 'x' } | Write-FacebergTable movie_reviews_default -Split test } |
            Should -Throw -ErrorId 'WriteRowInvalid,Faceberg.Cmdlets.WriteFacebergTableCommand'
        (Get-FacebergTable movie_reviews_default).RecordCount | Should -Be 500
    }

    It 'lists the files it would write with -WhatIf' {
        $plan = @{ text = 'x'; label = 1 } | Write-FacebergTable movie_reviews_default -Split train -WhatIf
        $plan.WhatIf | Should -BeTrue
        $plan.Files | Should -Match '^data/train-00000-of-00001-[0-9a-f]{12}\.parquet$'
        (Get-FacebergTable movie_reviews_default).RecordCount | Should -Be 500
    }

    It 'renames a column and still reads the old files under the new name' {
        (Update-FacebergTable movie_reviews_default -RenameColumn text=review -PassThru).Identifier | Should -Be 'default.movie_reviews_default'
        (Read-FacebergTable movie_reviews_default -First 1).review | Should -Not -BeNullOrEmpty
    }
}
