#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every example of every cmdlet's Get-Help, taken from the built module's help and run as written,
# in a project folder prepared for it, against a local Hub started with -Sample -SetEnvironment.
# An example that fails here is a bug in the example or in the cmdlet. Each example runs with
# $ErrorActionPreference = 'Stop', so a non-terminating error fails it too.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../out/Faceberg/Faceberg.psd1') -Force
    # Examples that cannot run offline against a local Hub, each with the reason; they are reported
    # as skipped with that reason. Empty: every example runs.
    $notRunnable = @{}

    $examples = foreach ($command in (Get-Module Faceberg).ExportedCmdlets.Keys | Sort-Object) {
        $n = 0
        foreach ($example in (Get-Help $command -Full).examples.example) {
            $n++
            @{ Command = $command; Number = $n; Key = "$command #$n"; Code = ($example.code -join "`n").Trim()
               NotRunnableBecause = $notRunnable["$command #$n"] }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # The client token a service example reads from its environment, as a runbook would.
    $env:FACEBERG_CLIENT_TOKEN = 'example-client-token'

    # faceberg.yml of a catalog that is published to a Hub repo (what Publish/Save-FacebergCatalog work with).
    $PublishedConfig = @'
catalog:
  name: shared
  repo: my-org/my-catalog
datasets:
  - name: movie_reviews
    repo: demo/movie-reviews
    configs: [default]
  - name: iris
    repo: demo/iris
'@

    function Initialize-Published {
        # my-org/my-catalog on the Hub with one published catalog, tagged v1.0; returns the publishing project's folder.
        $root = New-TestProject -Config $PublishedConfig
        Push-Location $root
        try {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            $null = Publish-FacebergCatalog
            $hub.Server.Store.CreateTag('my-org/my-catalog', 'v1.0')
        }
        finally { Pop-Location }
        $root
    }

    # What each example needs before it runs: a scriptblock run in the example's project folder
    # (the current location), which may change the location. Examples not listed get a catalog
    # with the tables of the default faceberg.yml.
    $Preparation = @{
        'Get-FacebergTable #3'       = { }
        'New-FacebergCatalog #1'     = { }
        'New-FacebergCatalog #2'     = { }
        'New-FacebergCatalog #3'     = { }
        'New-FacebergTable #1'       = { }
        'New-FacebergTable #2'       = { $null = New-FacebergCatalog ./faceberg.yml }
        'New-FacebergTable #3'       = { $null = New-FacebergCatalog ./faceberg.yml }
        'Publish-FacebergCatalog #1' = { Set-Content ./faceberg.yml $PublishedConfig; $null = New-FacebergCatalog ./faceberg.yml -Force | New-FacebergTable }
        'Publish-FacebergCatalog #2' = { Set-Content ./faceberg.yml $PublishedConfig; $null = New-FacebergCatalog ./faceberg.yml -Force | New-FacebergTable }
        'Publish-FacebergCatalog #3' = { Set-Location (Initialize-Published) }
        'Repair-FacebergCatalog #2'  = {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            $copy = Join-Path (Split-Path $PWD) "copy-$([guid]::NewGuid().ToString('N'))"
            Copy-Item $PWD $copy -Recurse
            Set-Location $copy
        }
        'Repair-FacebergCatalog #3'  = {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            $moved = Join-Path (Split-Path $PWD) "moved-$([guid]::NewGuid().ToString('N'))"
            $here = $PWD.Path
            Set-Location (Split-Path $here)
            Move-Item $here $moved
            Set-Location $moved
        }
        'Save-FacebergCatalog #1'    = { $null = Initialize-Published; Set-Location (New-Item (Join-Path $TestDrive ([guid]::NewGuid())) -ItemType Directory) }
        'Save-FacebergCatalog #2'    = { $null = Initialize-Published; Set-Location (New-Item (Join-Path $TestDrive ([guid]::NewGuid())) -ItemType Directory) }
        'Save-FacebergCatalog #3'    = { $null = Initialize-Published; Set-Location (New-Item (Join-Path $TestDrive ([guid]::NewGuid())) -ItemType Directory) }
        'Write-FacebergTable #1'     = {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            Read-FacebergTable movie_reviews_default -First 2 | Export-Csv ./new.csv
        }
        'Write-FacebergTable #2'     = {
            $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
            $rows = Read-FacebergTable movie_reviews_default -Split test -First 2
        }
    }

    # What some examples must have done, checked after they ran (in the location they ran in).
    $Outcome = @{
        'New-FacebergCatalog #1'  = { (Get-Content ./.faceberg/catalog.json -Raw).Trim() | Should -Be '{}' }
        'New-FacebergCatalog #3'  = { './.faceberg' | Should -Not -Exist }
        'New-FacebergTable #1'    = { (Get-FacebergTable).Identifier | Should -Contain 'default.iris_default' }
        'New-FacebergTable #2'    = { Get-FacebergTable | Should -BeNullOrEmpty }
        'New-FacebergTable #3'    = {
            (Get-FacebergTable translations*).Identifier | Should -Be 'default.translations_en-fr'
            Get-Content ./faceberg.yml -Raw | Should -Match 'demo/translations'
        }
        'Remove-FacebergTable #1' = { (Get-FacebergTable).Identifier | Should -Not -Contain 'default.iris_default' }
        'Remove-FacebergTable #2' = { (Get-FacebergTable).Identifier | Should -Contain 'default.iris_default' }
        'Publish-FacebergCatalog #4' = { (Get-FacebergTable).Location | Should -BeLike 'hf://datasets/my-org/my-catalog/metadata/default/*' }
        'Repair-FacebergCatalog #2' = {
            Read-FacebergTable iris_default -First 1 -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'CatalogRelocated,*'
        }
        'Repair-FacebergCatalog #3' = { Read-FacebergTable iris_default -First 1 | Should -Not -BeNullOrEmpty }
        'Save-FacebergCatalog #1' = { './shared/.faceberg/catalog.json' | Should -Exist; (Get-FacebergTable -Catalog ./shared).Count | Should -Be 2 }
        'Save-FacebergCatalog #3' = { './v1/.faceberg/catalog.json' | Should -Exist }
        'Sync-FacebergTable #2'   = { (Get-FacebergTable movie_reviews_default | Get-FacebergSnapshot).Count | Should -Be 1 }
        'Update-FacebergTable #1' = { (Read-FacebergTable movie_reviews_default -First 1).PSObject.Properties.Name | Should -Contain 'review' }
        'Write-FacebergTable #1'  = { (Get-FacebergTable movie_reviews_default | Get-FacebergSnapshot).Count | Should -Be 2 }
        'Write-FacebergTable #2'  = { (Get-FacebergTable movie_reviews_default | Get-FacebergSnapshot).Count | Should -Be 1 }
    }
}

Describe 'Get-Help example <Key>' -ForEach $examples {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $rows = $null
        $prepare = $Preparation[$Key]
        if ($null -eq $prepare) { $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable }
        else { . $prepare }
    }
    AfterEach {
        Pop-Location
        Stop-FacebergServer
        Stop-FacebergLocalHub
        Remove-Item Env:HF_ENDPOINT -ErrorAction Ignore
    }

    It 'runs: <Code>' {
        if ($NotRunnableBecause) { Set-ItResult -Skipped -Because $NotRunnableBecause; return }
        $Code | Should -Not -BeNullOrEmpty
        if ($Code -match '~' -or $Code -match '\bBeforeAll\b') {
            # Needs a fresh process: a home folder of its own (~), or Pester's own blocks.
            $result = Invoke-ChildPwsh -HomeFolder (Join-Path $TestDrive 'home') -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$FacebergManifest'
$(if ($Code -match '\bBeforeAll\b') { "Import-Module '$((Get-Module Pester).Path)'
`$container = New-PesterContainer -ScriptBlock { Describe 'example' { $Code
It 'has a Hub' { `$env:HF_ENDPOINT | Should -Match '^http://127\.0\.0\.1:' } } }
`$run = Invoke-Pester -Container `$container -PassThru -Output None
if (`$run.Result -ne 'Passed') { throw 'The example''s Pester run failed.' }" } else { $Code })
Stop-FacebergLocalHub
"@
            $result.ExitCode | Should -Be 0 -Because $result.Output
        }
        else {
            $ErrorActionPreference = 'Stop'
            $null = . ([scriptblock]::Create($Code))
        }
        if ($Outcome[$Key]) { & $Outcome[$Key] }
    }
}
