#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for Publish-FacebergCatalog and Save-FacebergCatalog (publish, pull into a new folder,
# same tables and rows; incremental publish; -WhatIf; PublishConflict and UnpublishedChanges;
# RepositoryRequired) and for hf:// catalogs (-Catalog hf://datasets/...: Get/Read/Sync/Write/Remove/New
# straight on the Hub), mirroring tests/Faceberg.Cmdlets.Tests/PublishCmdletTests.cs. The catalog lists
# the sample dataset demo/iris (150 rows in two files). Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    $CatalogRepo = 'team/shared-catalog'
    $Remote = "hf://datasets/$CatalogRepo"
    $PublishConfig = @"
catalog:
  name: shared
  repo: $CatalogRepo
datasets:
  - name: iris
    repo: demo/iris
"@

    function Get-CatalogHead { $hub.Server.Store.ResolveRevision($CatalogRepo, 'main') }

    function Publish-TestCatalog {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $null = Publish-FacebergCatalog
    }

    # What must be equal between two copies of a table (ids, location, revision, snapshot, counts).
    function Format-TableState {
        param([Parameter(ValueFromPipeline)] $Table)
        process { '{0} {1} {2} {3} {4} {5} {6}' -f $Table.Identifier, $Table.Location, $Table.Repo, $Table.Revision, $Table.SnapshotId, $Table.RecordCount, $Table.FileCount }
    }

    function Format-Rows {
        param([Parameter(ValueFromPipeline)] $Row)
        begin { $lines = [System.Collections.Generic.List[string]]::new() }
        process { $lines.Add(($Row.PSObject.Properties.Value -join '|')) }
        end { ($lines | Sort-Object) -join "`n" }
    }

    # A second writer on the local Hub: before the next commit request to a repo is handled, it commits its own
    # change of catalog.json (a table added, or removed when $Location is null) straight into the store, so that
    # request's parentCommit is no longer the head. Compiled, since the server calls it on its own threads.
    function Initialize-Interleave {
        if ('FacebergSpecs.Interleave' -as [type]) { return }
        Add-Type -IgnoreWarnings -ReferencedAssemblies ([Faceberg.LocalHub.LocalHubServer].Assembly.Location), 'System.Runtime', 'System.Collections',
            'System.Threading', 'System.Text.Json', 'System.Text.Encoding.Extensions', 'System.Memory' -TypeDefinition @'
namespace FacebergSpecs
{
    public static class Interleave
    {
        public static System.Func<Faceberg.LocalHub.LoggedRequest, bool> BeforeNextCommit(Faceberg.LocalHub.LocalHubServer server, string repo, string table, string location)
        {
            var done = 0;
            return request =>
            {
                if (request.Method == "POST" && request.Path.EndsWith("/api/datasets/" + repo + "/commit/main", System.StringComparison.Ordinal)
                    && System.Threading.Interlocked.Exchange(ref done, 1) == 0)
                {
                    var json = System.Text.Json.Nodes.JsonNode.Parse(server.Store.ReadFile(repo, "main", "catalog.json")).AsObject();
                    if (string.IsNullOrEmpty(location)) json.Remove(table); else json[table] = location; // PowerShell passes $null as ""
                    var files = new System.Collections.Generic.Dictionary<string, byte[]>();
                    files["catalog.json"] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
                    server.Store.Commit(repo, files, null, "Someone else's change");
                }
                return false;
            };
        }
    }
}
'@ 3>$null # CS1701: the module targets net8.0, pwsh runs on a newer runtime
    }

    function Add-IrisCommit {
        param([string] $Destination = 'data/iris-00009.parquet')
        $null = Copy-HubFile $hub demo/iris data/iris-00000.parquet $Destination 'More flowers'
    }
}

Describe 'Publish-FacebergCatalog and Save-FacebergCatalog' {
    BeforeEach {
        $hub = Start-TestHub
        # alice's project; bob and carol pull into siblings of it.
        $folder = [guid]::NewGuid().ToString('N')
        $root = Join-Path $TestDrive $folder
        Push-Location (New-TestProject -Config $PublishConfig -Folder "$folder/alice")
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'publishes, pulls into a new folder, and gives the same tables and rows' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $before = Get-FacebergTable
        $before.AheadOfPublished | Should -BeTrue
        $before.Location | Should -BeLike "$Remote/metadata/default/iris_default*"

        $published = Publish-FacebergCatalog
        $published.PSObject.TypeNames | Should -Contain 'Faceberg.PublishResult'
        $published.Repository | Should -Be $CatalogRepo
        $published.CommitId | Should -Be (Get-CatalogHead)
        $published.CommitUrl | Should -Match "datasets/$CatalogRepo/commit/"
        $published.FilesUploaded | Should -BeGreaterOrEqual 6
        $published.Tables | Should -Be @('default.iris_default')
        $published.RepositoryCreated | Should -BeTrue
        $original = Get-FacebergTable
        $original.AheadOfPublished | Should -BeFalse

        $catalog = Save-FacebergCatalog -Repository $CatalogRepo -Path ../bob
        $catalog.PSObject.TypeNames | Should -Contain 'Faceberg.Catalog'
        $catalog.Location | Should -Be (Join-Path $root 'bob/.faceberg')
        $catalog.TableCount | Should -Be 1
        $catalog.Repository | Should -Be $CatalogRepo
        $pulled = Get-FacebergTable -Catalog ../bob
        ($pulled | Format-TableState) | Should -Be ($original | Format-TableState)
        $pulled.AheadOfPublished | Should -BeFalse
        $rows = @(Read-FacebergTable iris_default)
        $rows | Should -HaveCount 150
        (Read-FacebergTable iris_default -Catalog ../bob | Format-Rows) | Should -Be ($rows | Format-Rows)
    }

    It 'uploads only what changed on a second publish, and nothing when nothing did' {
        Publish-TestCatalog
        $first = Get-CatalogHead

        $unchanged = Publish-FacebergCatalog
        $unchanged.FilesUploaded | Should -Be 0
        $unchanged.CommitId | Should -Be $first

        Add-IrisCommit
        $null = Sync-FacebergTable
        (Get-FacebergTable).AheadOfPublished | Should -BeTrue

        $second = Publish-FacebergCatalog -Message 'sync iris'
        $second.Files | Should -Contain 'metadata/default/iris_default/metadata/v3.metadata.json'
        $second.Files | Should -Contain 'metadata/default/iris_default/metadata/version-hint.text'
        $second.Files | Should -Not -Contain 'faceberg.yml'
        $second.Files | Should -Not -Contain 'catalog.json'
        $second.Files | Should -Not -Contain 'metadata/default/iris_default/metadata/v2.metadata.json'
        $commit = $hub.Server.Store.GetCommit($CatalogRepo, 'main')
        $commit.Title | Should -BeExactly 'sync iris'
        $commit.Parents | Should -Be @($first)
    }

    It 'changes nothing on the Hub or on disk with -WhatIf' {
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable

        Publish-FacebergCatalog -WhatIf | Should -BeNullOrEmpty
        $hub.Server.Store.RepoExists($CatalogRepo) | Should -BeFalse
        './.faceberg/.published' | Should -Not -Exist

        $null = Publish-FacebergCatalog
        Save-FacebergCatalog $CatalogRepo -Path ../carol -WhatIf | Should -BeNullOrEmpty
        '../carol/faceberg.yml' | Should -Not -Exist
        '../carol/.faceberg' | Should -Not -Exist
    }

    It 'gives a racing publisher a PublishConflict error and refuses to pull over unpublished changes' {
        Publish-TestCatalog
        $null = Save-FacebergCatalog $CatalogRepo -Path ../bob
        Add-IrisCommit
        $null = Sync-FacebergTable
        $null = Sync-FacebergTable -Catalog ../bob
        $null = Publish-FacebergCatalog
        $head = Get-CatalogHead

        Publish-FacebergCatalog -Catalog ../bob -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PublishConflict,Faceberg.Cmdlets.PublishFacebergCatalogCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $err[0].Exception.Message | Should -Match 'pull first'
        Get-CatalogHead | Should -Be $head
        { Publish-FacebergCatalog -Catalog ../bob -ErrorAction Stop } |
            Should -Throw -ErrorId 'PublishConflict,Faceberg.Cmdlets.PublishFacebergCatalogCommand'

        Save-FacebergCatalog $CatalogRepo -Path ../bob -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'UnpublishedChanges,Faceberg.Cmdlets.SaveFacebergCatalogCommand'
        $refused[0].Exception.Message | Should -Match 'default\.iris_default'

        $null = Save-FacebergCatalog $CatalogRepo -Path ../bob -Force
        (Get-FacebergTable -Catalog ../bob | Format-TableState) | Should -Be (Get-FacebergTable | Format-TableState)
    }

    It 'asks for -Repository when the catalog names none' {
        Set-Location (New-TestProject -Config "catalog:`n  name: local`n")
        $null = New-FacebergCatalog ./faceberg.yml

        Publish-FacebergCatalog -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'RepositoryRequired,Faceberg.Cmdlets.PublishFacebergCatalogCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match '-Repository'

        (Publish-FacebergCatalog -Repository team/dave).RepositoryCreated | Should -BeTrue
        $hub.Server.Store.FindFile('team/dave', 'main', 'catalog.json') | Should -Not -BeNullOrEmpty
    }
}

Describe 'hf:// catalogs' {
    BeforeEach {
        $hub = Start-TestHub
        Push-Location (New-TestProject -Config $PublishConfig)
        Publish-TestCatalog
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'runs every table cmdlet on the Hub without a local copy' {
        $listed = Get-FacebergTable -Catalog $Remote
        ($listed | Format-TableState) | Should -Be (Get-FacebergTable | Format-TableState)
        $listed.AheadOfPublished | Should -BeNullOrEmpty
        (Read-FacebergTable iris_default -Catalog $Remote | Format-Rows) | Should -Be (Read-FacebergTable iris_default | Format-Rows)

        # Sync on the Hub: one catalog commit for the table change.
        Add-IrisCommit
        $commits = $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count
        $sync = Sync-FacebergTable -Catalog $Remote
        $sync.Status | Should -Be 'Updated'
        $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count | Should -Be ($commits + 1)
        # The sample's 150 flowers plus a second copy of iris-00000.parquet's 100.
        @(Read-FacebergTable iris_default -Catalog $Remote) | Should -HaveCount 250

        # Drop with -Purge, then create on the Hub again from its faceberg.yml.
        Remove-FacebergTable iris_default -Catalog $Remote -Purge -Confirm:$false
        Get-FacebergTable -Catalog $Remote | Should -BeNullOrEmpty
        @($hub.Server.Store.GetFiles($CatalogRepo, 'main') | Where-Object { $_.Path.StartsWith('metadata/') }) | Should -HaveCount 0
        $created = New-FacebergTable -Catalog $Remote
        $created.RecordCount | Should -Be 250
        $hub.Server.Store.FindFile($CatalogRepo, 'main', 'metadata/default/iris_default/metadata/v2.metadata.json') | Should -Not -BeNullOrEmpty
        @(Read-FacebergTable iris_default -Catalog $Remote) | Should -HaveCount 250

        # Recreating the catalog on the Hub empties it, metadata and all.
        $null = New-FacebergCatalog ./faceberg.yml -Location $Remote -Force
        Get-FacebergTable -Catalog $Remote | Should -BeNullOrEmpty
        @($hub.Server.Store.GetFiles($CatalogRepo, 'main') | Where-Object { $_.Path.StartsWith('metadata/') }) | Should -HaveCount 0
    }

    It 'adds a dataset with New-FacebergTable -Repo to the faceberg.yml of an hf:// catalog, on the Hub' {
        $commits = $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count

        $created = New-FacebergTable -Repo demo/movie-reviews -Config default -Catalog $Remote

        $created.Identifier | Should -Be 'default.movie_reviews_default'
        $remoteConfig = [System.Text.Encoding]::UTF8.GetString($hub.Server.Store.ReadFile($CatalogRepo, 'main', 'faceberg.yml'))
        $remoteConfig | Should -Match 'repo: demo/movie-reviews'
        $remoteConfig | Should -Match 'repo: demo/iris'
        # One commit for faceberg.yml, one for the table.
        $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count | Should -Be ($commits + 2)
        (Get-FacebergTable -Catalog $Remote).Identifier | Should -Be @('default.iris_default', 'default.movie_reviews_default')
        (Get-FacebergTable movie_reviews_default -Catalog $Remote).Repo | Should -Be 'demo/movie-reviews'
        @(Read-FacebergTable movie_reviews_default -Catalog $Remote -First 3) | Should -HaveCount 3
        # The local project is another copy: its faceberg.yml is untouched.
        Get-Content ./faceberg.yml -Raw | Should -Not -Match 'movie-reviews'

        # A repo with no table to create leaves the Hub's faceberg.yml as it was.
        New-FacebergTable -Repo demo/no-such-dataset -Catalog $Remote -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        [System.Text.Encoding]::UTF8.GetString($hub.Server.Store.ReadFile($CatalogRepo, 'main', 'faceberg.yml')) | Should -Be $remoteConfig
    }

    It 'drops a table of an hf:// catalog on the new head after another writer committed in between' {
        $null = New-FacebergTable -Repo demo/movie-reviews -Config default -Catalog $Remote
        Initialize-Interleave
        $hub.Server.InjectFault([FacebergSpecs.Interleave]::BeforeNextCommit($hub.Server, $CatalogRepo, 'default.theirs', 'metadata/default/theirs'),
            [Faceberg.LocalHub.LocalHubFault]::Drop(), 1)
        $commits = $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count

        Remove-FacebergTable iris_default -Catalog $Remote -Purge -Confirm:$false

        $catalog = [System.Text.Encoding]::UTF8.GetString($hub.Server.Store.ReadFile($CatalogRepo, 'main', 'catalog.json')) | ConvertFrom-Json -AsHashtable
        @($catalog.Keys | Sort-Object) | Should -Be @('default.movie_reviews_default', 'default.theirs')
        $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count | Should -Be ($commits + 2)
        $hub.Server.Store.GetCommit($CatalogRepo, 'main').Title | Should -Be 'Faceberg: drop default.iris_default'

        # The other writer dropped the table first: the re-applied drop finds it gone.
        $hub.Server.InjectFault([FacebergSpecs.Interleave]::BeforeNextCommit($hub.Server, $CatalogRepo, 'default.movie_reviews_default', $null),
            [Faceberg.LocalHub.LocalHubFault]::Drop(), 1)
        Remove-FacebergTable movie_reviews_default -Catalog $Remote -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        ($err | ForEach-Object FullyQualifiedErrorId) | Should -Be @('TableNotFound,Faceberg.Cmdlets.RemoveFacebergTableCommand')
    }

    It 'writes to the working copy until published, and straight to the Hub for an hf:// catalog' {
        $row = @{ sepal_length = 5.1; sepal_width = 3.5; petal_length = 1.4; petal_width = 0.2; species = 0 }

        $null = $row | Write-FacebergTable iris_default -Split train
        (Get-FacebergTable).AheadOfPublished | Should -BeTrue
        $hub.Server.Store.FindFile($CatalogRepo, 'main', 'metadata/default/iris_default/metadata/v3.metadata.json') | Should -BeNullOrEmpty
        (Publish-FacebergCatalog).Files | Should -Contain 'metadata/default/iris_default/metadata/v3.metadata.json'
        @(Read-FacebergTable iris_default -Catalog $Remote) | Should -HaveCount 151

        $commits = $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count
        $null = $row | Write-FacebergTable iris_default -Split train -Catalog $Remote
        $hub.Server.Store.GetHistory($CatalogRepo, 'main').Count | Should -Be ($commits + 1)
        $hub.Server.Store.FindFile($CatalogRepo, 'main', 'metadata/default/iris_default/metadata/v4.metadata.json') | Should -Not -BeNullOrEmpty
        @(Read-FacebergTable iris_default -Catalog $Remote) | Should -HaveCount 152

        # The working copy is now behind: publishing from it is refused until it pulls.
        { Publish-FacebergCatalog -ErrorAction Stop } | Should -Throw -ErrorId 'PublishConflict,Faceberg.Cmdlets.PublishFacebergCatalogCommand'
        $null = Save-FacebergCatalog $CatalogRepo
        @(Read-FacebergTable iris_default) | Should -HaveCount 152
    }
}
