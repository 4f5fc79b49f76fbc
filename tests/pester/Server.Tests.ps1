#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec for Start-/Stop-FacebergServer over the local Hub's sample catalog: the typed server object, the
# REST routes an engine uses (config, list, load with ETag/304, commit, stale requirement), the client token (401
# without it, read-only and 403 without -ClientToken), -WhatIf, the request log as verbose output, and no Hub token
# in any answer. Run: Invoke-Pester ./tests/pester/Server.Tests.ps1

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Invoke-Rest([string] $Method = 'GET', [string] $Uri, [string] $Token, $Body, [hashtable] $Headers = @{}) {
        if ($Token) { $Headers['Authorization'] = "Bearer $Token" }
        $params = @{ Method = $Method; Uri = $Uri; Headers = $Headers; SkipHttpErrorCheck = $true }
        if ($null -ne $Body) { $params.Body = ($Body | ConvertTo-Json -Depth 10); $params.ContentType = 'application/json' }
        $raw = Invoke-WebRequest @params
        [pscustomobject]@{ Status = [int]$raw.StatusCode; Body = "$($raw.Content)"; Headers = $raw.Headers }
    }
}

Describe 'Start-FacebergServer and Stop-FacebergServer' {
    BeforeAll {
        $hub = Start-TestHub
        $project = New-TestProject
        Push-Location $project
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $hubToken = $env:HF_TOKEN
    }
    AfterAll {
        Stop-FacebergServer
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'serves the catalog to a client holding the token: list, load with ETag and 304, commit, 409 on a stale requirement' {
        $server = Start-FacebergServer -ClientToken 'let-me-in'
        try {
            $server.GetType().FullName | Should -Be 'Faceberg.Server'
            $server.Endpoint | Should -Match '^http://127\.0\.0\.1:\d+$'
            $server.ReadOnly | Should -BeFalse
            $e = $server.Endpoint

            (Invoke-Rest -Uri "$e/v1/config" -Token 'let-me-in').Status | Should -Be 200
            $list = Invoke-Rest -Uri "$e/v1/namespaces/default/tables" -Token 'let-me-in'
            $names = ($list.Body | ConvertFrom-Json).identifiers.name
            $names | Sort-Object | Should -Be ((Get-FacebergTable).Name | Sort-Object)

            $load = Invoke-Rest -Uri "$e/v1/namespaces/default/tables/$($names[0])" -Token 'let-me-in'
            $load.Status | Should -Be 200
            $table = $load.Body | ConvertFrom-Json
            $table.'metadata-location' | Should -Match '\.metadata\.json$'
            $table.config.'hf.endpoint' | Should -Be $env:HF_ENDPOINT
            $etag = "$($load.Headers['ETag'] | Select-Object -First 1)"
            (Invoke-Rest -Uri "$e/v1/namespaces/default/tables/$($names[0])" -Token 'let-me-in' -Headers @{ 'If-None-Match' = $etag }).Status | Should -Be 304

            $commit = @{ requirements = @(@{ type = 'assert-table-uuid'; uuid = $table.metadata.'table-uuid' })
                         updates = @(@{ action = 'set-properties'; updates = @{ 'comment' = 'from pester' } }) }
            (Invoke-Rest -Method POST -Uri "$e/v1/namespaces/default/tables/$($names[0])" -Token 'let-me-in' -Body $commit).Status | Should -Be 200
            $again = (Invoke-Rest -Uri "$e/v1/namespaces/default/tables/$($names[0])" -Token 'let-me-in').Body | ConvertFrom-Json
            $again.metadata.properties.comment | Should -Be 'from pester'

            $stale = @{ requirements = @(@{ type = 'assert-table-uuid'; uuid = [guid]::NewGuid().ToString() }); updates = @() }
            $conflict = Invoke-Rest -Method POST -Uri "$e/v1/namespaces/default/tables/$($names[0])" -Token 'let-me-in' -Body $stale
            $conflict.Status | Should -Be 409
            ($conflict.Body | ConvertFrom-Json).error.type | Should -Be 'CommitFailedException'

            (Invoke-Rest -Uri "$e/v1/namespaces").Status | Should -Be 401
            foreach ($answer in $list, $load, $conflict) { $answer.Body | Should -Not -Match ([regex]::Escape($hubToken)) }
        }
        finally { $server | Stop-FacebergServer }
        $server.IsRunning | Should -BeFalse
    }

    It 'is read-only without -ClientToken, and says so' {
        $server = Start-FacebergServer -WarningVariable warnings -WarningAction SilentlyContinue
        try {
            $server.ReadOnly | Should -BeTrue
            "$warnings" | Should -Match 'read-only'
            (Invoke-Rest -Uri "$($server.Endpoint)/v1/namespaces").Status | Should -Be 200
            $refused = Invoke-Rest -Method POST -Uri "$($server.Endpoint)/v1/namespaces" -Body @{ namespace = @('x') }
            $refused.Status | Should -Be 403
            ($refused.Body | ConvertFrom-Json).error.type | Should -Be 'ForbiddenException'
        }
        finally { $server | Stop-FacebergServer }
    }

    It 'starts nothing with -WhatIf and writes the request log as verbose output on stop' {
        Start-FacebergServer -ClientToken 't' -WhatIf | Should -BeNullOrEmpty
        $server = Start-FacebergServer -ClientToken 't'
        $null = Invoke-Rest -Uri "$($server.Endpoint)/v1/config" -Token 't'
        $verbose = $server | Stop-FacebergServer -Verbose 4>&1
        ($verbose | Out-String) | Should -Match 'GET /v1/config 200'
    }

    It 'stops every server when given none' {
        $a = Start-FacebergServer -ClientToken 't'
        $b = Start-FacebergServer -ClientToken 't'
        Stop-FacebergServer
        $a.IsRunning | Should -BeFalse
        $b.IsRunning | Should -BeFalse
    }
}
