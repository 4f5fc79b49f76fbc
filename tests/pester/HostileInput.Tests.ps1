#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec: every cmdlet fed hostile values (empty strings, nonexistent paths, files where folders
# belong, malformed hf:// URIs, out-of-range numbers, unknown snapshot ids, failing -Filter scriptblocks,
# $null on the pipeline, odd table names). Each must fail with ErrorRecords whose FullyQualifiedErrorId
# is a stable Faceberg or PowerShell id — never a raw .NET exception type name — and whose category says
# what went wrong; wildcards that match nothing are no error at all. Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Invoke-Hostile {
        # Runs $Command in the spec's project; returns its output and every error it raised, terminating or not.
        param([Parameter(Mandatory)] [string] $Command)
        $script = [scriptblock]::Create($Command)
        $errors = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        $output = [System.Collections.Generic.List[object]]::new()
        try {
            foreach ($item in (& $script 2>&1)) {
                if ($item -is [System.Management.Automation.ErrorRecord]) { $errors.Add($item) } else { $output.Add($item) }
            }
        }
        catch {
            $errors.Add($_)
        }
        [pscustomobject]@{ Output = $output.ToArray(); Errors = $errors.ToArray() }
    }
}

Describe 'Hostile input to every cmdlet' {
    BeforeAll {
        $hub = Start-TestHub
        $project = New-TestProject
        Push-Location $project
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        # A second catalog whose faceberg.yml the -Repo cases may change without touching the first.
        $scratch = New-TestProject -Config "catalog:`n  name: scratch`n"
        $null = New-FacebergCatalog (Join-Path $scratch 'faceberg.yml')
        Set-Content -Path (Join-Path $project 'notes.txt') -Value 'not a catalog'
        $env:FACEBERG_SCRATCH = $scratch
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
        Remove-Item Env:FACEBERG_SCRATCH -ErrorAction SilentlyContinue
    }

    It '<Command> fails with stable error ids' -ForEach @(
        # New-FacebergCatalog
        @{ Command = "New-FacebergCatalog ''" }
        @{ Command = 'New-FacebergCatalog ./no/such/faceberg.yml' }
        @{ Command = 'New-FacebergCatalog ./notes.txt' }
        @{ Command = 'New-FacebergCatalog ./faceberg.yml -Location hf://datasets/ -Force' }
        @{ Command = 'New-FacebergCatalog ./faceberg.yml -Location hf://models/org/name -Force' }
        @{ Command = '$null | New-FacebergCatalog' }
        # Get-FacebergTable
        @{ Command = "Get-FacebergTable ''" }
        @{ Command = 'Get-FacebergTable no_such_table' }
        @{ Command = 'Get-FacebergTable -Catalog ./no/such/folder' }
        @{ Command = 'Get-FacebergTable -Catalog ./notes.txt' }
        @{ Command = "Get-FacebergTable -Catalog ''" }
        @{ Command = 'Get-FacebergTable -Catalog hf://datasets/' }
        @{ Command = "Get-FacebergTable -Catalog 'hf://datasets/not a repo'" }
        @{ Command = 'Get-FacebergTable -Catalog hf://datasets/org/missing' }
        @{ Command = 'Get-FacebergTable -Catalog 42' }
        @{ Command = 'Get-FacebergTable -Catalog (Get-Date)' }
        @{ Command = "Get-FacebergTable 'tâble💥'" }
        # Read-FacebergTable
        @{ Command = "Read-FacebergTable ''" }
        @{ Command = 'Read-FacebergTable no_such_table' }
        @{ Command = "Read-FacebergTable 'default.movie_reviews_default/../../etc'" }
        @{ Command = 'Read-FacebergTable movie_reviews_default -First -1' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -SnapshotId -5' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -SnapshotId ([long]::MaxValue)' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -SnapshotId not-a-number' }
        @{ Command = "Read-FacebergTable movie_reviews_default -AsOf '1900-01-01'" }
        @{ Command = 'Read-FacebergTable movie_reviews_default -SnapshotId 1 -AsOf (Get-Date)' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -Property no_such_column' }
        @{ Command = "Read-FacebergTable movie_reviews_default -Property ''" }
        @{ Command = "Read-FacebergTable movie_reviews_default -Split ''" }
        @{ Command = "Read-FacebergTable movie_reviews_default -Filter { `$_.text -match '[' }" }
        @{ Command = "Read-FacebergTable movie_reviews_default -Filter { throw 'boom' }" }
        @{ Command = 'Read-FacebergTable movie_reviews_default -Filter { $_.text.NoSuchMethod() }' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -Filter { 1 / 0 }' }
        @{ Command = 'Read-FacebergTable movie_reviews_default -Catalog ./notes.txt' }
        @{ Command = '$null | Read-FacebergTable' }
        # Get-FacebergSnapshot
        @{ Command = "Get-FacebergSnapshot ''" }
        @{ Command = 'Get-FacebergSnapshot no_such_table' }
        @{ Command = 'Get-FacebergSnapshot movie_reviews_default -Catalog hf://datasets/' }
        @{ Command = '$null | Get-FacebergSnapshot' }
        # Update-FacebergTable
        @{ Command = 'Update-FacebergTable movie_reviews_default' }
        @{ Command = "Update-FacebergTable movie_reviews_default -AddColumn ':'" }
        @{ Command = "Update-FacebergTable movie_reviews_default -AddColumn 'x:notatype'" }
        @{ Command = "Update-FacebergTable movie_reviews_default -AddColumn 'text:string'" }
        @{ Command = "Update-FacebergTable movie_reviews_default -RenameColumn '='" }
        @{ Command = 'Update-FacebergTable movie_reviews_default -RenameColumn no_such=other' }
        @{ Command = 'Update-FacebergTable movie_reviews_default -DropColumn no_such_column' }
        @{ Command = 'Update-FacebergTable movie_reviews_default -Property $null' }
        @{ Command = 'Update-FacebergTable no_such_table -Property @{ a = 1 }' }
        # Remove-FacebergTable
        @{ Command = 'Remove-FacebergTable no_such_table -Confirm:$false' }
        @{ Command = "Remove-FacebergTable '' -Confirm:`$false" }
        @{ Command = 'Remove-FacebergTable movie_reviews_default -Catalog ./no/such -Confirm:$false' }
        # Sync-FacebergTable
        @{ Command = 'Sync-FacebergTable no_such_table' }
        @{ Command = 'Sync-FacebergTable -ThrottleLimit 0' }
        @{ Command = 'Sync-FacebergTable -ThrottleLimit 100000' }
        @{ Command = 'Sync-FacebergTable -Catalog hf://datasets/' }
        @{ Command = '$null | Sync-FacebergTable' }
        # New-FacebergTable
        @{ Command = 'New-FacebergTable no_such_dataset' }
        @{ Command = 'New-FacebergTable -ThrottleLimit -1' }
        @{ Command = "New-FacebergTable -Repo 'not a repo' -Catalog `$env:FACEBERG_SCRATCH" }
        @{ Command = 'New-FacebergTable -Repo ../../etc -Catalog $env:FACEBERG_SCRATCH' }
        @{ Command = 'New-FacebergTable -Repo org/missing -Catalog $env:FACEBERG_SCRATCH' }
        @{ Command = 'New-FacebergTable -Catalog ./notes.txt' }
        # Write-FacebergTable
        @{ Command = "@{ text = 'x'; label = 1 } | Write-FacebergTable movie_reviews_default -Split ''" }
        @{ Command = "@{ text = 'x'; label = 1 } | Write-FacebergTable movie_reviews_default -Split 'a/b'" }
        @{ Command = "'a scalar' | Write-FacebergTable movie_reviews_default -Split train" }
        @{ Command = "@{ nope = 1 } | Write-FacebergTable movie_reviews_default -Split train" }
        @{ Command = "@{ text = 'x'; label = 'not a number' } | Write-FacebergTable movie_reviews_default -Split train" }
        @{ Command = "@{ text = 'x'; label = 1 } | Write-FacebergTable no_such_table -Split train" }
        @{ Command = "@{ text = 'x'; label = 1 } | Write-FacebergTable '*' -Split train" }
        @{ Command = "@{ text = 'x'; label = 1 } | Write-FacebergTable movie_reviews_default -Split train -Catalog hf://datasets/" }
        # Publish-FacebergCatalog
        @{ Command = "Publish-FacebergCatalog 'not a repo' -WhatIf" }
        @{ Command = "Publish-FacebergCatalog ''" }
        @{ Command = 'Publish-FacebergCatalog -Catalog ./no/such' }
        @{ Command = 'Publish-FacebergCatalog -WhatIf' }
        # Save-FacebergCatalog
        @{ Command = "Save-FacebergCatalog ''" }
        @{ Command = 'Save-FacebergCatalog hf://datasets/' }
        @{ Command = "Save-FacebergCatalog 'not a repo'" }
        @{ Command = 'Save-FacebergCatalog org/missing (Join-Path $TestDrive save-missing)' }
        @{ Command = 'Save-FacebergCatalog demo/iris ./notes.txt' }
        # Start-/Stop-FacebergLocalHub
        @{ Command = 'Start-FacebergLocalHub -Port -1' }
        @{ Command = 'Start-FacebergLocalHub -Port 70000' }
        @{ Command = 'Start-FacebergLocalHub -Path ./notes.txt' }
        @{ Command = "Start-FacebergLocalHub -Path ''" }
        @{ Command = "Stop-FacebergLocalHub -InputObject 'not a hub'" }
    ) {
        $result = Invoke-Hostile $Command
        $result.Errors | Should -Not -BeNullOrEmpty -Because 'hostile input must be reported'
        foreach ($record in $result.Errors) {
            $id = $record.FullyQualifiedErrorId
            $id | Should -Not -BeNullOrEmpty
            $first = $id.Split(',')[0]
            $first | Should -Not -Match '^System\.|Exception$' -Because "'$id' must not be a .NET exception type ($($record.Exception.GetType().FullName): $($record.Exception.Message))"
            $record.CategoryInfo.Category | Should -Not -Be ([System.Management.Automation.ErrorCategory]::NotSpecified) -Because "'$id' needs a category ($($record.Exception.Message))"
        }
    }

    It '<Command> is no error: a wildcard that matches nothing selects nothing' -ForEach @(
        @{ Command = "Get-FacebergTable 'zz_no_match*'" }
        @{ Command = "Read-FacebergTable 'zz_no_match*'" }
        @{ Command = "Get-FacebergSnapshot 'zz_*'" }
        @{ Command = "Remove-FacebergTable 'zz_*' -Confirm:`$false" }
        @{ Command = "Sync-FacebergTable 'zz_*'" }
        @{ Command = "Update-FacebergTable 'zz_*' -Property @{ a = 1 }" }
    ) {
        $result = Invoke-Hostile $Command
        $result.Errors | Should -BeNullOrEmpty
        $result.Output | Should -BeNullOrEmpty
    }

    It 'reads a column whose name differs only in case as an AmbiguousColumn error naming both' {
        $null = Update-FacebergTable iris_default -AddColumn 'SPECIES:string'
        $result = Invoke-Hostile 'Read-FacebergTable iris_default -Property Species -First 1'
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].FullyQualifiedErrorId | Should -Be 'AmbiguousColumn,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $result.Errors[0].CategoryInfo.Category | Should -Be InvalidArgument
        $result.Errors[0].Exception.Message | Should -Match "'species'"
        $result.Errors[0].Exception.Message | Should -Match "'SPECIES'"
        @(Read-FacebergTable iris_default -Property SPECIES -First 1) | Should -HaveCount 1
    }

    It 'refuses to write to a name matching several tables, naming them' {
        $result = Invoke-Hostile "@{ text = 'x'; label = 1 } | Write-FacebergTable '*' -Split train"
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].FullyQualifiedErrorId | Should -Be 'TableNameAmbiguous,Faceberg.Cmdlets.WriteFacebergTableCommand'
        $result.Errors[0].Exception.Message | Should -Match 'default\.iris_default'
    }

    It 'turns a bad regex in -Filter into one FilterFailed error' {
        $result = Invoke-Hostile "Read-FacebergTable movie_reviews_default -Filter { `$_.text -match '[' }"
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].FullyQualifiedErrorId | Should -Be 'FilterFailed,Faceberg.Cmdlets.ReadFacebergTableCommand'
        $result.Errors[0].CategoryInfo.Category | Should -Be InvalidArgument
    }
}
