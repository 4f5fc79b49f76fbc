#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for crashes and untrusted catalogs: a child pwsh stopped at a named step by the TEST-ONLY crash
# hook (FACEBERG_TEST_HOOKS=crash-matrix + FACEBERG_TEST_CRASH_AT=<step>, see src/Faceberg.Core/CrashPoints.cs)
# must leave the catalog at its old or new state and the command must re-run; a table kept by Remove-FacebergTable
# without -Purge must survive New-FacebergTable; a pulled catalog must stay inside -Path. Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $IrisConfig = @'
catalog:
  name: crash
  location: .faceberg/
datasets:
  - name: iris
    repo: demo/iris
'@

    $PublishConfig = "catalog:`n  name: shared`n  repo: team/crash-catalog`ndatasets:`n  - name: iris`n    repo: demo/iris`n"
    $WriteRows = '1..3 | ForEach-Object { @{ sepal_length = 99.0; sepal_width = 3.0; petal_length = 1.5; petal_width = 0.2; species = 0 } }'

    function Start-CrashCase {
        # A case of the matrix: its own local Hub and project, set up by $Setup (given the hub), and a child pwsh
        # running $Command that the hook stops at $Step (exit 86, as after kill -9). Children of all cases run at
        # once (a pwsh start is the slow part); Enter-CrashCase waits for one and makes its hub and folder current.
        param([Parameter(Mandatory)] [string] $Step, [Parameter(Mandatory)] [string] $Command,
              [string] $Config = $IrisConfig, [scriptblock] $Setup = {})
        $hub = Start-TestHub
        $root = New-TestProject -Config $Config
        Push-Location $root
        try {
            $null = New-FacebergCatalog ./faceberg.yml
            $null = & $Setup $hub
        }
        finally { Pop-Location }
        $manifest = (Resolve-Path $FacebergManifest).Path
        $child = Start-ChildPwsh -Script "Import-Module '$manifest'; $Command" -WorkingDirectory $root -Environment @{
            FACEBERG_TEST_HOOKS = 'crash-matrix'; FACEBERG_TEST_CRASH_AT = $Step; HF_ENDPOINT = $hub.Endpoint; HF_TOKEN = $hub.Server.Token }
        [pscustomobject]@{ Step = $Step; Hub = $hub; Root = $root; Child = $child }
    }

    function Enter-CrashCase {
        param([Parameter(Mandatory)] $Case)
        $Case.Child.Process.WaitForExit()
        $env:HF_ENDPOINT = $Case.Hub.Endpoint
        $env:HF_TOKEN = $Case.Hub.Server.Token
        Push-Location $Case.Root
        $Case.Child.Process.ExitCode | Should -Be 86 -Because "the hook stops the child at $($Case.Step) ($($Case.Child.Error.Result))"
    }

    function Stop-CrashCase {
        # Stops the hubs newest first, so each -SetEnvironment puts back the variables it found.
        param([object[]] $Cases)
        foreach ($case in @($Cases)[($Cases.Count - 1)..0]) {
            $case.Child.Process.WaitForExit()
            $env:HF_ENDPOINT = $case.Hub.Endpoint
            $env:HF_TOKEN = $case.Hub.Server.Token
            $case.Hub | Stop-FacebergLocalHub
        }
    }
}

Describe 'Crash matrix' -Tag Reliability {
    BeforeAll {
        $cases = [ordered]@{}
        foreach ($step in 'new.registered', 'commit.metadata-writing', 'commit.metadata-written') {
            $cases["new $step"] = Start-CrashCase -Step $step -Command 'New-FacebergTable'
        }
        $cases['sync commit.metadata-written'] = Start-CrashCase -Step 'commit.metadata-written' -Command 'Sync-FacebergTable iris_default' -Setup {
            param($hub)
            New-FacebergTable
            Copy-HubFile $hub demo/iris data/iris-00001.parquet data/iris-00009.parquet 'More flowers'
        }
        foreach ($step in 'hub.commit.sending', 'hub.commit.landed', 'write.data-committed', 'commit.metadata-writing', 'commit.metadata-written') {
            $cases["write $step"] = Start-CrashCase -Step $step -Command "$WriteRows | Write-FacebergTable iris_default -Split train" -Setup { New-FacebergTable }
        }
        foreach ($step in 'hub.commit.sending', 'hub.commit.landed', 'publish.committed') {
            $cases["publish $step"] = Start-CrashCase -Step $step -Command 'Publish-FacebergCatalog' -Config $PublishConfig -Setup { New-FacebergTable }
        }
    }
    AfterAll {
        Stop-CrashCase @($cases.Values)
    }
    AfterEach {
        Pop-Location
    }

    It 'New-FacebergTable stopped at <_> leaves no table, and re-running it creates the table' -ForEach @('new.registered', 'commit.metadata-writing', 'commit.metadata-written') {
        Enter-CrashCase $cases["new $_"]
        Get-FacebergTable | Should -BeNullOrEmpty
        Sync-FacebergTable iris_default -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -BeGreaterThan 0
        $table = New-FacebergTable
        $table.RecordCount | Should -Be 150
        @(Read-FacebergTable iris_default).Count | Should -Be 150
        Test-Path ./.faceberg/.creating | Should -BeFalse
    }

    It 'Sync-FacebergTable stopped at commit.metadata-written leaves the old or the new state, and re-running it syncs once' {
        Enter-CrashCase $cases['sync commit.metadata-written']
        # The exclusive create of v(N+1).metadata.json is the commit point: before the hint moves, readers see N+1.
        (Get-FacebergTable iris_default).RecordCount | Should -BeIn @(150, 200)
        (Sync-FacebergTable iris_default).Status | Should -BeIn @('Updated', 'UpToDate')
        (Get-FacebergTable iris_default).RecordCount | Should -Be 200
        @(Read-FacebergTable iris_default).Count | Should -Be 200
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
    }

    It 'Write-FacebergTable stopped at <Step> leaves the table at <After> rows; <Recover> completes it with the rows once' -ForEach @(
        @{ Step = 'hub.commit.sending'; After = 150; Recover = 'Write-FacebergTable' }
        @{ Step = 'hub.commit.landed'; After = 150; Recover = 'Sync-FacebergTable' }
        @{ Step = 'write.data-committed'; After = 150; Recover = 'Sync-FacebergTable' }
        @{ Step = 'commit.metadata-writing'; After = 150; Recover = 'Sync-FacebergTable' }
        @{ Step = 'commit.metadata-written'; After = 153; Recover = 'Sync-FacebergTable' }
    ) {
        Enter-CrashCase $cases["write $Step"]
        (Get-FacebergTable iris_default).RecordCount | Should -Be $After
        @(Read-FacebergTable iris_default).Count | Should -Be $After
        if ($Recover -eq 'Write-FacebergTable') {
            $null = & ([scriptblock]::Create($WriteRows)) | Write-FacebergTable iris_default -Split train
        }
        else {
            if ($After -eq 150) {
                # The files are on the Hub: writing again is refused (it would add the rows twice); syncing picks them up.
                { & ([scriptblock]::Create($WriteRows)) | Write-FacebergTable iris_default -Split train -ErrorAction Stop } |
                    Should -Throw -ErrorId 'WriteBranchMoved,Faceberg.Cmdlets.WriteFacebergTableCommand'
            }
            (Sync-FacebergTable iris_default).Status | Should -BeIn @('Updated', 'UpToDate')
        }
        (Get-FacebergTable iris_default).RecordCount | Should -Be 153
        @(Read-FacebergTable iris_default | Where-Object sepal_length -eq 99.0).Count | Should -Be 3
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
    }

    It 'Publish-FacebergCatalog stopped at <Step> leaves the repo at the old or new catalog; re-running it publishes once' -ForEach @(
        @{ Step = 'hub.commit.sending'; Landed = $false }
        @{ Step = 'hub.commit.landed'; Landed = $true }
        @{ Step = 'publish.committed'; Landed = $true }
    ) {
        $case = $cases["publish $Step"]
        Enter-CrashCase $case
        $head = $case.Hub.Server.Store.ResolveRevision('team/crash-catalog', 'main')
        $onHub = @(Get-FacebergTable -Catalog hf://datasets/team/crash-catalog -ErrorAction SilentlyContinue)
        if ($Landed) { $onHub.Count | Should -Be 1 } else { $onHub.Count | Should -Be 0 }

        $rerun = Publish-FacebergCatalog
        if ($Landed) {
            # Its own commit, found by content: nothing to upload, no conflict.
            $rerun.CommitId | Should -Be $head
            $rerun.FilesUploaded | Should -Be 0
        }
        else {
            $rerun.FilesUploaded | Should -BeGreaterThan 0
        }
        (Get-FacebergTable iris_default).AheadOfPublished | Should -BeFalse
        @(Read-FacebergTable iris_default -Catalog hf://datasets/team/crash-catalog).Count | Should -Be 150
        (Publish-FacebergCatalog).FilesUploaded | Should -Be 0
    }
}

Describe 'Locks' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject -Config $IrisConfig
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'a lock left by a killed process does not block the next command' {
        $null = New-FacebergTable
        $sleeper = Start-Process sleep 0 -PassThru
        $sleeper.WaitForExit()
        @{ Pid = $sleeper.Id; Start = '2020-01-01T00:00:00+00:00'; Host = [Environment]::MachineName;
           Since = [DateTimeOffset]::UtcNow.ToString('o') } | ConvertTo-Json | Set-Content ./.faceberg/catalog.json.lock
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Remove-FacebergTable iris_default -Confirm:$false
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        Get-FacebergTable | Should -BeNullOrEmpty
    }
}

Describe 'Remove-FacebergTable without -Purge, then New-FacebergTable' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject -Config $IrisConfig
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'registers the kept table again, with its history, and changes none of its files' {
        $null = Copy-HubFile $hub demo/iris data/iris-00001.parquet data/iris-00009.parquet 'More flowers'
        $null = Sync-FacebergTable iris_default
        $snapshots = @(Get-FacebergSnapshot iris_default).SnapshotId
        $before = @(Get-ChildItem ./.faceberg/metadata/default/iris_default -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" }) | Sort-Object
        $before.Count | Should -BeGreaterThan 2
        Remove-FacebergTable iris_default -Confirm:$false
        Get-FacebergTable | Should -BeNullOrEmpty

        $table = New-FacebergTable
        $table.Identifier | Should -Be 'default.iris_default'
        $table.RecordCount | Should -Be 200
        @(Get-FacebergSnapshot iris_default).SnapshotId | Should -Be $snapshots
        @(Get-ChildItem ./.faceberg/metadata/default/iris_default -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" }) | Sort-Object | Should -Be $before
        @(Read-FacebergTable iris_default).Count | Should -Be 200
        (Sync-FacebergTable iris_default).Status | Should -Be 'UpToDate'
    }

    It 'refuses, with TableFolderInUse, a kept folder holding <Case>, and leaves it as it is' -ForEach @(
        @{ Case = 'a table of another dataset'; Config = "catalog:`n  name: crash`n  location: .faceberg/`ndatasets:`n  - name: iris`n    repo: demo/movie-reviews`n" }
        @{ Case = 'no table'; Config = $null }
    ) {
        Remove-FacebergTable iris_default -Confirm:$false
        if ($Config) { Set-Content ./faceberg.yml $Config }
        else { Remove-Item ./.faceberg/metadata/default/iris_default/metadata -Recurse; Set-Content ./.faceberg/metadata/default/iris_default/notes.txt 'mine' }
        $before = @(Get-ChildItem ./.faceberg/metadata/default/iris_default -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" }) | Sort-Object
        New-FacebergTable -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TableFolderInUse,*'
        $err[0].Exception.Message | Should -BeLike '*iris_default*'
        Get-FacebergTable | Should -BeNullOrEmpty
        @(Get-ChildItem ./.faceberg/metadata/default/iris_default -Recurse -File | ForEach-Object { "$($_.FullName) $($_.Length)" }) | Sort-Object | Should -Be $before
    }
}

Describe 'Untrusted catalogs' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject -Config $IrisConfig
        Push-Location $root
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'Remove-FacebergTable -Purge of an entry naming a whole namespace deletes nothing' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        '{ "default.iris_default": "metadata/default/iris_default", "default.x": "metadata/default" }' | Set-Content ./.faceberg/catalog.json
        Remove-FacebergTable x -Purge -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CatalogCorrupt,*'
        $err[0].Exception.Message | Should -BeLike '*catalog.json*'
        Test-Path ./.faceberg/metadata/default/iris_default/metadata/version-hint.text | Should -BeTrue
    }

    It 'Save-FacebergCatalog refuses a faceberg.yml whose location leaves -Path (<_>)' -ForEach @('../elsewhere/', '/tmp/faceberg-escape-test/') {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $null = $hub.Server.Store.CreateRepo('team/evil-catalog')
        $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['faceberg.yml'] = [Text.Encoding]::UTF8.GetBytes("catalog:`n  name: evil`n  location: $_`n")
        $files['catalog.json'] = [IO.File]::ReadAllBytes((Join-Path $root '.faceberg/catalog.json'))
        $null = $hub.Server.Store.Commit('team/evil-catalog', $files, $null, 'evil')
        $target = Join-Path $TestDrive "pull-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item $target -ItemType Directory
        Save-FacebergCatalog -Repository team/evil-catalog -Path $target -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnsafeCatalogLocation,*'
        Test-Path (Join-Path $target '../elsewhere') | Should -BeFalse
        Test-Path '/tmp/faceberg-escape-test' | Should -BeFalse
        @(Get-ChildItem $target -Recurse -Force).Count | Should -Be 0
    }
}
