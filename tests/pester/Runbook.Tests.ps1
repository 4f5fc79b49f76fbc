#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Scripts as users write them, each run by a child pwsh as a scheduled job would run it: a runbook
# that stops on the first error and branches on error ids, the README's quickstart, and the
# format views a console shows.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
}

Describe 'A runbook' {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        # The runbook imports the module by path and reaches the Hub through HF_ENDPOINT, inherited from this process.
        $runbook = @"
param([string] `$Tables)
`$ErrorActionPreference = 'Stop'
Import-Module '$FacebergManifest'
foreach (`$name in `$Tables -split ',') {
    try {
        `$result = Sync-FacebergTable `$name
        "synced `${name}: `$(`$result.Status)"
    }
    catch {
        `$failure = `$_
        switch -Wildcard (`$failure.FullyQualifiedErrorId) {
            'TableNotFound,*' { "missing `$name (`$(`$failure.CategoryInfo.Category))" }
            default { throw `$failure }
        }
    }
}
Get-FacebergTable nope_at_the_end
'not reached'
"@
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'catches errors by id, goes on, and stops (exit 1) at the first uncaught one' {
        $run = Invoke-ChildPwsh -Script $runbook -ArgumentList '-Tables', 'iris_default,nope_1,movie_reviews_default'

        $lines = $run.Output -split '\r?\n' | Where-Object { $_ }
        $lines[0..2] | Should -Be @('synced iris_default: UpToDate', 'missing nope_1 (ObjectNotFound)', 'synced movie_reviews_default: UpToDate')
        $run.Output | Should -Not -Match 'not reached'
        $run.ExitCode | Should -Be 1
        $run.Error | Should -Match "Table 'nope_at_the_end' does not exist"
    }

    It 'rethrows an error id it does not handle' {
        $handledOnly = $runbook -replace "'TableNotFound,\*'", "'SomethingElse,*'"
        $run = Invoke-ChildPwsh -Script $handledOnly -ArgumentList '-Tables', 'nope_1,iris_default'

        $run.ExitCode | Should -Be 1
        $run.Output | Should -Not -Match 'synced iris_default'
        $run.Error | Should -Match "Table 'nope_1' does not exist"
    }
}

Describe 'examples/quickstart.ps1' {
    It 'runs in pwsh: creates the tables, syncs the pushed iris commit, reads and lists history' {
        $work = Join-Path $TestDrive 'quickstart'
        # The quickstart starts its own Hub and points HF_ENDPOINT at it.
        $run = Invoke-ChildPwsh -Script "& '$RepoRoot/examples/quickstart.ps1' -WorkDirectory '$work'" -Environment @{ HF_ENDPOINT = $null }

        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Error | Should -BeNullOrEmpty
        (Join-Path $work '.faceberg/catalog.json') | Should -Exist
        $out = $run.Output
        # A redirected pwsh formats for 80 columns: rows are matched by their leading columns.
        $out | Should -Match '(?m)^faceberg_demo\s+0\s+/'
        $out | Should -Match '(?m)^default\.iris_default\s+demo/iris\s+\w{8}\s+150\b'
        $out | Should -Match '(?m)^default\.translations_en-fr\s+demo/translations\s'
        $out | Should -Match '(?m)^default\.iris_default\s+Updated\s+\w{8}\s+\w{8}\s+1\s+0\b'
        $out | Should -Match '(?m)^default\.movie_reviews_default\s+UpToDate\s'
        $out | Should -Match '(?m)^default\.iris_default\s+demo/iris\s+\w{8}\s+200\b'
        $out | Should -Match '(?m)^text\s+label\s*$'
        $out | Should -Match '(?m)^Review 10000: .*\s+0\s*$'
        $out | Should -Match '(?m)^\s+\d+\s+\S+ \S+Z\s+append\s+\w{8}\s+1\s+50\b'
    }
}

Describe 'Format views' {
    BeforeEach {
        $root = New-TestProject
        Push-Location $root
    }
    AfterEach { Pop-Location }

    It 'Get-FacebergTable prints a table' {
        Add-TestTable $root 'default.movie_reviews_default'
        $lines = (Get-FacebergTable | Out-String -Width 120) -split '\r?\n' | ForEach-Object Trim | Where-Object { $_ }
        $lines[0] | Should -Match '^Identifier\s+Repo\s+Revision\s+Records\s+Files\s+Ahead\s+LastUpdated$'
        $lines[2] | Should -Match '^default\.movie_reviews_default\s+demo/movie-reviews$'
    }

    It 'Get-FacebergSnapshot prints the history' {
        $hub = Start-TestHub
        try {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            $snapshot = Get-FacebergSnapshot iris_default
            $lines = (Get-FacebergSnapshot iris_default | Out-String -Width 120) -split '\r?\n' | ForEach-Object Trim | Where-Object { $_ }
            $lines[0] | Should -Be 'Table: default.iris_default'
            $lines[1] | Should -Match '^SnapshotId\s+Timestamp\s+Operation\s+Revision\s+\+Files\s+-Files\s+\+Records\s+Records\s+Current$'
            $lines[3] | Should -Match ("^$($snapshot.SnapshotId)\s+.*\s+append\s+$($snapshot.Revision.Substring(0, 8))\s+2\s+150\s+150 \*$")
        }
        finally { $hub | Stop-FacebergLocalHub }
    }

    It 'Start-FacebergLocalHub prints endpoint, state, repo count and path' {
        $hub = Start-FacebergLocalHub -Path ./hub -Sample
        try {
            $lines = ($hub | Out-String -Width 120) -split '\r?\n' | ForEach-Object Trim | Where-Object { $_ }
            $lines[0] | Should -Match '^Endpoint\s+Running\s+Repos\s+Path$'
            $lines[2] | Should -Match '^http://127\.0\.0\.1:\d+\s+True\s+3\s+.*hub$'
        }
        finally { $hub | Stop-FacebergLocalHub }
    }
}
