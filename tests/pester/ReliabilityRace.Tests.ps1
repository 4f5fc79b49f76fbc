#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for two real processes changing the same table or catalog at once (the race matrix of
# docs/reliability.md). Each race is lined up, not timed: the TEST-ONLY pause hook (FACEBERG_TEST_HOOKS=race-barrier,
# FACEBERG_TEST_PAUSE_AT=<step>, see src/Faceberg.Core/CrashPoints.cs) holds each child pwsh at a named step (both
# have read the same base by then) until the spec has seen both arrive and creates the go file. Afterwards: no row
# twice, no write lost, every error a clear conflict, the catalog readable. Run: Invoke-Pester ./tests/pester -Tag Reliability

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $IrisConfig = @'
catalog:
  name: race
  location: .faceberg/
datasets:
  - name: iris
    repo: demo/iris
'@

    function Start-RaceChild {
        # Starts a child pwsh running $Command in the current folder. With -PauseAt it stops at that step of Faceberg
        # (the pause hook) until $Barrier/go exists; with -AtStart it waits for it before running the command.
        # The child prints one JSON line: the Status (or type) of each output object and the id and message of each error.
        param([Parameter(Mandatory)] [string] $Command, [Parameter(Mandatory)] [string] $Barrier,
              [string] $PauseAt, [switch] $AtStart)
        $manifest = (Resolve-Path $FacebergManifest).Path
        $wait = if ($AtStart) {
            "`$null = New-Item -ItemType File -Force (Join-Path '$Barrier' ""arrived-`$PID"")`n" +
            "while (-not (Test-Path (Join-Path '$Barrier' 'go'))) { Start-Sleep -Milliseconds 20 }"
        }
        $script = @"
Import-Module '$manifest'
$wait
`$errors = [System.Collections.Generic.List[object]]::new()
`$output = [System.Collections.Generic.List[string]]::new()
try {
    foreach (`$item in (& { $Command } 2>&1)) {
        if (`$item -is [System.Management.Automation.ErrorRecord]) { `$errors.Add(`$item) }
        elseif (`$item.PSObject.Properties['Status']) { `$output.Add([string]`$item.Status) }
        else { `$output.Add(`$item.PSObject.TypeNames[0]) }
    }
}
catch { `$errors.Add(`$_) }
[pscustomobject]@{ Output = @(`$output); Errors = @(`$errors | ForEach-Object { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Message = `$_.Exception.Message } }) } |
    ConvertTo-Json -Depth 4 -Compress
"@
        $environment = @{}
        if ($PauseAt) {
            $environment = @{ FACEBERG_TEST_HOOKS = 'race-barrier'; FACEBERG_TEST_PAUSE_AT = $PauseAt; FACEBERG_TEST_PAUSE_DIR = $Barrier }
        }
        Start-ChildPwsh -Script $script -Environment $environment
    }

    function Wait-Arrival {
        # Waits until $Count children have reached the barrier; fails at once if a child ended instead.
        param([Parameter(Mandatory)] [string] $Barrier, [Parameter(Mandatory)] [int] $Count, [Parameter(Mandatory)] [object[]] $Children)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        while (@(Get-ChildItem $Barrier -Filter 'arrived-*' -ErrorAction SilentlyContinue).Count -lt $Count) {
            foreach ($child in $Children) {
                if ($child.Process.HasExited) {
                    throw "a child ended before the barrier: $($child.Output.Result) $($child.Error.Result)"
                }
            }
            if ($watch.Elapsed.TotalSeconds -gt 90) { throw "only some children reached the barrier in 90 s" }
            Start-Sleep -Milliseconds 50
        }
    }

    function Complete-Race {
        # Releases the children and returns what each reported (Output: statuses, Errors: id + message), in start order.
        param([Parameter(Mandatory)] [string] $Barrier, [Parameter(Mandatory)] [object[]] $Children)
        $null = New-Item -ItemType File (Join-Path $Barrier 'go')
        foreach ($child in $Children) {
            if (-not $child.Process.WaitForExit(120000)) { $child.Process.Kill(); throw 'a child did not finish in 120 s' }
            $child.Process.WaitForExit()
            $json = @($child.Output.Result -split "`n" | Where-Object { $_.Trim().StartsWith('{') }) | Select-Object -Last 1
            if (-not $json) { throw "a child printed no result (exit $($child.Process.ExitCode)): $($child.Output.Result) $($child.Error.Result)" }
            $result = $json | ConvertFrom-Json
            [pscustomobject]@{ Output = @($result.Output); Errors = @($result.Errors); ExitCode = $child.Process.ExitCode }
        }
    }

    function New-Barrier {
        $folder = Join-Path $TestDrive "barrier-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item $folder -ItemType Directory
        $folder
    }

    function Get-IrisRow {
        # $Count rows whose sepal_length is $Marker, so the spec can count each writer's rows.
        param([double] $Marker, [int] $Count = 3)
        1..$Count | ForEach-Object { @{ sepal_length = $Marker; sepal_width = 3.0; petal_length = 1.5; petal_width = 0.2; species = 0 } }
    }

    function Get-MarkedCount {
        param([double] $Marker)
        @(Read-FacebergTable iris_default | Where-Object sepal_length -eq $Marker).Count
    }

    function ConvertTo-WriteCommand {
        param([double] $Marker)
        "1..3 | ForEach-Object { @{ sepal_length = $Marker; sepal_width = 3.0; petal_length = 1.5; petal_width = 0.2; species = 0 } } | Write-FacebergTable iris_default -Split train"
    }
}

Describe 'Race matrix: two processes at once' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject -Config $IrisConfig
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $barrier = New-Barrier
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'sync/sync: both plan on the same version; one updates, the other re-plans to UpToDate; the new file is added once' {
        $null = Copy-HubFile $hub demo/iris data/iris-00001.parquet data/iris-00009.parquet 'More flowers'
        $children = @(
            Start-RaceChild 'Sync-FacebergTable iris_default' $barrier -PauseAt 'commit.metadata-writing'
            Start-RaceChild 'Sync-FacebergTable iris_default' $barrier -PauseAt 'commit.metadata-writing')
        Wait-Arrival $barrier 2 $children
        $results = @(Complete-Race $barrier $children)
        $results.Errors | Should -BeNullOrEmpty
        $results.Output | Should -HaveCount 2
        $results.Output | Should -Contain 'Updated'
        $results.Output | Should -Contain 'UpToDate'
        (Get-FacebergTable iris_default).RecordCount | Should -Be 200
        @(Read-FacebergTable iris_default).Count | Should -Be 200
        @(Get-FacebergSnapshot iris_default).Count | Should -Be 2
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
    }

    It 'write/write: both upload on the same head; one lands, the other is a WriteBranchMoved conflict that wrote nothing, and a re-run after sync adds its rows once' {
        $children = @(
            Start-RaceChild (ConvertTo-WriteCommand 91) $barrier -PauseAt 'hub.commit.sending'
            Start-RaceChild (ConvertTo-WriteCommand 92) $barrier -PauseAt 'hub.commit.sending')
        Wait-Arrival $barrier 2 $children
        $results = @(Complete-Race $barrier $children)
        $winners = @($results | Where-Object { $_.Errors.Count -eq 0 })
        $losers = @($results | Where-Object { $_.Errors.Count -gt 0 })
        $winners.Count | Should -Be 1
        $losers.Count | Should -Be 1
        $losers[0].Errors[0].Id | Should -BeLike 'WriteBranchMoved,*'
        $losers[0].Errors[0].Message | Should -BeLike '*Nothing was written*'
        $winner = if ($results[0].Errors.Count -eq 0) { 91 } else { 92 }
        $loser = 183 - $winner
        (Get-FacebergTable iris_default).RecordCount | Should -Be 153
        Get-MarkedCount $winner | Should -Be 3
        Get-MarkedCount $loser | Should -Be 0

        # What the error says to do: sync, write again.
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
        $null = Get-IrisRow $loser | Write-FacebergTable iris_default -Split train
        (Get-FacebergTable iris_default).RecordCount | Should -Be 156
        Get-MarkedCount $winner | Should -Be 3
        Get-MarkedCount $loser | Should -Be 3
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
    }

    It 'write/sync: a sync that sees the write''s Hub commit and the write''s own snapshot commit race; the rows are added once' {
        # The write is held after its Hub commit landed, the sync after planning that commit's files: both then commit
        # their snapshot on the same table version.
        $writer = Start-RaceChild (ConvertTo-WriteCommand 93) $barrier -PauseAt 'write.data-committed'
        Wait-Arrival $barrier 1 @($writer)
        $syncer = Start-RaceChild 'Sync-FacebergTable iris_default' $barrier -PauseAt 'commit.metadata-writing'
        Wait-Arrival $barrier 2 @($writer, $syncer)
        $results = @(Complete-Race $barrier @($writer, $syncer))
        $results[0].Errors | Should -BeNullOrEmpty
        $results[1].Errors | Should -BeNullOrEmpty
        $results[1].Output | Should -BeIn @('Updated', 'UpToDate')
        (Get-FacebergTable iris_default).RecordCount | Should -Be 153
        @(Read-FacebergTable iris_default).Count | Should -Be 153
        Get-MarkedCount 93 | Should -Be 3
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
        (Get-FacebergTable iris_default).RecordCount | Should -Be 153
    }
}

Describe 'Race matrix: catalog changes at once' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml
        $barrier = New-Barrier
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'new/remove of two tables: both changes land in catalog.json' {
        $null = New-FacebergTable iris
        $children = @(
            Start-RaceChild 'New-FacebergTable movie_reviews' $barrier -AtStart
            Start-RaceChild 'Remove-FacebergTable iris_default -Purge -Confirm:$false' $barrier -AtStart)
        Wait-Arrival $barrier 2 $children
        $results = @(Complete-Race $barrier $children)
        $results.Errors | Should -BeNullOrEmpty
        @((Get-FacebergTable).Identifier) | Should -Be @('default.movie_reviews_default')
        (Get-FacebergTable movie_reviews_default).RecordCount | Should -BeGreaterThan 0
        Test-Path ./.faceberg/metadata/default/iris_default | Should -BeFalse
        Test-Path ./.faceberg/.creating | Should -BeFalse
        $null = New-FacebergTable iris
        @(Read-FacebergTable iris_default).Count | Should -Be 150
    }

    It 'new/remove of the same table: a remove during the creation is a TableBeingCreated conflict; the table ends complete' {
        $creator = Start-RaceChild 'New-FacebergTable iris' $barrier -PauseAt 'new.registered'
        Wait-Arrival $barrier 1 @($creator)
        # The entry is in catalog.json and the creator is alive: the remove must not pull the table out from under it.
        Remove-FacebergTable iris_default -Purge -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TableBeingCreated,*'
        $err[0].Exception.Message | Should -BeLike "*$($creator.Process.Id)*"
        $results = @(Complete-Race $barrier @($creator))
        $results[0].Errors | Should -BeNullOrEmpty
        @(Read-FacebergTable iris_default).Count | Should -Be 150
        Test-Path ./.faceberg/.creating | Should -BeFalse
        Remove-FacebergTable iris_default -Purge -Confirm:$false
        Get-FacebergTable | Should -BeNullOrEmpty
        Test-Path ./.faceberg/metadata/default/iris_default | Should -BeFalse
    }
}

Describe 'Race matrix: publish/publish' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject -Config "catalog:`n  name: shared`n  repo: team/race-catalog`ndatasets:`n  - name: iris`n    repo: demo/iris`n"
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $barrier = New-Barrier
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'two publishes of the same change: one commit lands, the other is a PublishConflict; a re-run finds nothing to do' {
        $null = Publish-FacebergCatalog
        $null = Copy-HubFile $hub demo/iris data/iris-00001.parquet data/iris-00009.parquet 'More flowers'
        $null = Sync-FacebergTable iris_default
        $head = $hub.Server.Store.ResolveRevision('team/race-catalog', 'main')
        $children = @(
            Start-RaceChild 'Publish-FacebergCatalog' $barrier -PauseAt 'hub.commit.sending'
            Start-RaceChild 'Publish-FacebergCatalog' $barrier -PauseAt 'hub.commit.sending')
        Wait-Arrival $barrier 2 $children
        $results = @(Complete-Race $barrier $children)
        $winners = @($results | Where-Object { $_.Errors.Count -eq 0 })
        $losers = @($results | Where-Object { $_.Errors.Count -gt 0 })
        $winners.Count | Should -Be 1
        $losers.Count | Should -Be 1
        $losers[0].Errors[0].Id | Should -BeLike 'PublishConflict,*'
        $losers[0].Errors[0].Message | Should -BeLike '*nothing was overwritten*'
        # One commit on top of the head both planned on.
        $newHead = $hub.Server.Store.ResolveRevision('team/race-catalog', 'main')
        $newHead | Should -Not -Be $head

        $rerun = Publish-FacebergCatalog
        $rerun.CommitId | Should -Be $newHead
        $rerun.FilesUploaded | Should -Be 0
        (Get-FacebergTable iris_default -Catalog hf://datasets/team/race-catalog).RecordCount | Should -Be 200
        @(Read-FacebergTable iris_default -Catalog hf://datasets/team/race-catalog).Count | Should -Be 200
    }
}
