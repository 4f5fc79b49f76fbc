#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for failures that must leave the user's files as they were, and for what the local Hub
# enforces like the real one (a token for every write). The xunit side (fault matrix, ambiguous commits) is
# tests/Faceberg.Core.Tests/Hub/HubFaultMatrixTests.cs. Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'New-FacebergTable -Repo leaves faceberg.yml alone when the create fails' -Tag Reliability {
    BeforeEach {
        $hub = Start-TestHub
        $root = New-TestProject
        Push-Location $root
        $null = New-FacebergCatalog ./faceberg.yml
        $before = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes((Join-Path $root 'faceberg.yml')))
    }
    AfterEach {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'keeps faceberg.yml byte for byte when the repo does not exist' {
        New-FacebergTable -Repo org/missing -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HubRepositoryNotFound,*'
        [Convert]::ToBase64String([System.IO.File]::ReadAllBytes((Join-Path $root 'faceberg.yml'))) | Should -Be $before
    }

    It 'keeps faceberg.yml byte for byte when -Config names no config of the dataset' {
        New-FacebergTable -Repo demo/translations -Config no-such-config -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -BeGreaterThan 0
        [Convert]::ToBase64String([System.IO.File]::ReadAllBytes((Join-Path $root 'faceberg.yml'))) | Should -Be $before
    }

    It 'keeps faceberg.yml byte for byte when the failure stops the command (-ErrorAction Stop)' {
        { New-FacebergTable -Repo org/missing -ErrorAction Stop } | Should -Throw -ErrorId 'HubRepositoryNotFound,Faceberg.Cmdlets.NewFacebergTableCommand'
        [Convert]::ToBase64String([System.IO.File]::ReadAllBytes((Join-Path $root 'faceberg.yml'))) | Should -Be $before
    }

    It 'still adds the dataset when its tables are created' {
        $table = New-FacebergTable -Repo demo/translations -Config en-fr
        $table.Identifier | Should -Be 'default.translations_en-fr'
        Get-Content ./faceberg.yml -Raw | Should -Match 'repo: demo/translations'
    }
}

Describe 'The local Hub checks access like the Hub' -Tag Reliability {
    BeforeEach { $hub = Start-TestHub }
    AfterEach { $hub | Stop-FacebergLocalHub }

    It 'sets HF_TOKEN to its token with -SetEnvironment and restores it on stop' {
        $env:HF_TOKEN | Should -Be $hub.Server.Token
        $other = Start-FacebergLocalHub -Path (Join-Path $TestDrive "hub2-$([guid]::NewGuid().ToString('N'))") -SetEnvironment
        $env:HF_TOKEN | Should -Be $other.Server.Token
        $other | Stop-FacebergLocalHub
        $env:HF_TOKEN | Should -Be $hub.Server.Token
    }

    It 'refuses a commit without a token, and one that is not NDJSON' {
        $uri = "$($hub.Endpoint)/api/datasets/demo/iris/commit/main"
        $body = '{"key":"header","value":{"summary":"x"}}'
        $anonymous = Invoke-WebRequest $uri -Method Post -Body $body -ContentType 'application/x-ndjson' -SkipHttpErrorCheck
        $anonymous.StatusCode | Should -Be 401
        $form = Invoke-WebRequest $uri -Method Post -Body 'a=b' -ContentType 'application/x-www-form-urlencoded' `
            -Headers @{ Authorization = "Bearer $($hub.Server.Token)" } -SkipHttpErrorCheck
        $form.StatusCode | Should -Be 415
    }
}
