#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec for the conventions every Faceberg cmdlet shares: -Token wherever the Hub may be reached,
# -Catalog in all its forms, -PassThru on Update-FacebergTable, -WhatIf on Start-FacebergLocalHub, and
# Tab completion of splits, columns, snapshot ids and repos (table named by -Name or by position).
# Progress of long writes is asserted in the hosted engine (CmdletPlumbingTests), which can read the
# progress stream. Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'Cmdlet conventions' {
    BeforeAll {
        $hub = Start-TestHub
        $project = New-TestProject
        Push-Location $project
        $catalog = New-FacebergCatalog ./faceberg.yml
        $null = $catalog | New-FacebergTable
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'takes -Token on every cmdlet but the local Hub ones and Stop-FacebergServer' {
        $missing = Get-Command -Module Faceberg |
            Where-Object { $_.Noun -ne 'FacebergLocalHub' -and $_.Name -ne 'Stop-FacebergServer' -and -not $_.Parameters.ContainsKey('Token') }
        $missing | Should -BeNullOrEmpty
        (Get-Command Read-FacebergTable).Parameters['Token'].ParameterType | Should -Be ([string])
    }

    It 'binds -Catalog from a Catalog object, a Table object, a folder, a faceberg.yml path and a FileInfo' {
        $expected = @((Get-FacebergTable).Identifier)
        @((Get-FacebergTable -Catalog $catalog).Identifier) | Should -Be $expected
        # A Table stands for its catalog (Get-FacebergTable, given a Table, lists that table afresh).
        @((Get-FacebergSnapshot iris_default -Catalog (Get-FacebergTable movie_reviews_default)).Table | Sort-Object -Unique) | Should -Be 'default.iris_default'
        @((Get-FacebergTable -Catalog (Get-FacebergTable iris_default)).Identifier) | Should -Be 'default.iris_default'
        @((Get-FacebergTable -Catalog .).Identifier) | Should -Be $expected
        @((Get-FacebergTable -Catalog ./faceberg.yml).Identifier) | Should -Be $expected
        @((Get-FacebergTable -Catalog (Get-Item ./faceberg.yml)).Identifier) | Should -Be $expected
        @((Get-Item ./faceberg.yml | Get-FacebergTable).Identifier) | Should -Be $expected
    }

    It 'rejects a malformed hf:// -Catalog when binding' {
        { Get-FacebergTable -Catalog 'hf://datasets/' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,Faceberg.Cmdlets.GetFacebergTableCommand'
    }

    It 'updates silently unless -PassThru' {
        Update-FacebergTable iris_default -Property @{ owner = 'ml' } | Should -BeNullOrEmpty
        $table = Update-FacebergTable iris_default -Property @{ owner = $null } -PassThru
        $table.Identifier | Should -Be 'default.iris_default'
        $table.PSObject.TypeNames | Should -Contain 'Faceberg.Table'
    }

    It 'starts no local Hub with -WhatIf' {
        $folder = Join-Path $TestDrive 'never-served'
        Start-FacebergLocalHub -Path $folder -WhatIf | Should -BeNullOrEmpty
        Test-Path $folder | Should -BeFalse
    }

    It 'completes -Split with the named table''s splits, by name or by position' {
        Get-Completion 'Read-FacebergTable movie_reviews_default -Split ' | Should -Be @('test', 'train')
        Get-Completion 'Read-FacebergTable -Name movie_reviews_default -Split te' | Should -Be @('test')
        Get-Completion 'Write-FacebergTable movie_reviews_default -Split tr' | Should -Be @('train')
    }

    It 'completes -Property with the named table''s columns' {
        Get-Completion 'Read-FacebergTable movie_reviews_default -Property ' | Should -Be @('text', 'label', 'split')
        Get-Completion 'Read-FacebergTable -Name iris_default -Property sep' | Should -Be @('sepal_length', 'sepal_width')
    }

    It 'completes -SnapshotId with the named table''s snapshots' {
        $ids = @(Get-FacebergSnapshot iris_default | ForEach-Object { [string]$_.SnapshotId })
        Get-Completion 'Read-FacebergTable iris_default -SnapshotId ' | Sort-Object | Should -Be ($ids | Sort-Object)
    }

    It 'completes -Repo and -Repository with the repos faceberg.yml lists' {
        Get-Completion 'New-FacebergTable -Repo demo/' | Sort-Object | Should -Be @('demo/iris', 'demo/movie-reviews')
        Get-Completion 'Publish-FacebergCatalog demo/i' | Should -Be @('demo/iris')
    }

    It 'offers nothing, and throws nothing, when the table or catalog does not exist' {
        Get-Completion 'Read-FacebergTable no_such_table -Split ' | Should -BeNullOrEmpty
        Get-Completion 'Read-FacebergTable iris_default -Catalog ./nowhere -Property ' | Should -BeNullOrEmpty
    }
}
