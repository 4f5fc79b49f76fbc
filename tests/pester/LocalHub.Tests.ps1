#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for Start-/Stop-FacebergLocalHub, mirroring
# tests/Faceberg.Cmdlets.Tests/LocalHub/LocalHubCmdletTests.cs: the sample datasets, HF_ENDPOINT set and
# restored, -WhatIf, one Hub per folder, repos surviving a restart, help. Run: Invoke-Pester ./tests/pester

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Start-FacebergLocalHub and Stop-FacebergLocalHub' {
    BeforeEach {
        $previousEndpoint = $env:HF_ENDPOINT
        $env:HF_ENDPOINT = 'https://example.invalid'
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item $root -ItemType Directory
        Push-Location $root
    }
    AfterEach {
        Stop-FacebergLocalHub
        Pop-Location
        $env:HF_ENDPOINT = $previousEndpoint
    }

    It 'serves the sample datasets and Stop restores HF_ENDPOINT' {
        $hub = Start-FacebergLocalHub -Path hub -Sample -SetEnvironment
        @($hub) | Should -HaveCount 1
        $hub.PSObject.TypeNames | Should -Contain 'Faceberg.LocalHubInstance'
        $hub.Endpoint | Should -Match '^http://127\.0\.0\.1:\d+$'
        $hub.Path | Should -Be (Join-Path $root 'hub')
        $hub.Repositories | Should -Be @('demo/iris', 'demo/movie-reviews', 'demo/translations')
        $hub.IsRunning | Should -BeTrue
        $env:HF_ENDPOINT | Should -Be $hub.Endpoint
        (Invoke-WebRequest "$($hub.Endpoint)/api/datasets/demo/iris").StatusCode | Should -Be 200

        $hub | Stop-FacebergLocalHub
        $hub.IsRunning | Should -BeFalse
        $env:HF_ENDPOINT | Should -Be 'https://example.invalid'
        { Invoke-WebRequest "$($hub.Endpoint)/api/datasets/demo/iris" } | Should -Throw
    }

    It 'keeps the Hub running with -WhatIf, and Stop without arguments stops every Hub' {
        $first = Start-FacebergLocalHub -Path one
        $second = Start-FacebergLocalHub -Path two
        $env:HF_ENDPOINT | Should -Be 'https://example.invalid'

        Stop-FacebergLocalHub -WhatIf
        $first.IsRunning | Should -BeTrue

        Stop-FacebergLocalHub
        $first.IsRunning | Should -BeFalse
        $second.IsRunning | Should -BeFalse
    }

    It 'refuses a second Hub over the same folder' {
        $null = Start-FacebergLocalHub -Path hub
        { Start-FacebergLocalHub -Path hub } |
            Should -Throw -ErrorId 'LocalHubAlreadyRunning,Faceberg.Cmdlets.LocalHub.StartFacebergLocalHubCommand'
    }

    It 'keeps repos across a stop and a start over the same folder' {
        $null = New-Item ./plain/acme/notes -ItemType Directory
        Set-Content ./plain/acme/notes/README.md -Value '# notes' -NoNewline
        (Start-FacebergLocalHub -Path plain).Repositories | Should -Be @('acme/notes')
        Stop-FacebergLocalHub

        $restarted = Start-FacebergLocalHub -Path plain
        # HttpClient rather than Invoke-RestMethod: the Hub serves files as application/octet-stream.
        $http = [System.Net.Http.HttpClient]::new()
        try {
            $http.GetStringAsync("$($restarted.Endpoint)/datasets/acme/notes/resolve/main/README.md").GetAwaiter().GetResult() |
                Should -BeExactly '# notes'
        }
        finally { $http.Dispose() }
    }

    It 'has help naming its parameters' {
        (Get-Help Start-FacebergLocalHub).Synopsis |
            Should -BeExactly 'Starts a local Hugging Face Hub on 127.0.0.1 that serves a folder of dataset repos.'
        @((Get-Help Start-FacebergLocalHub).parameters.parameter.name) | Should -Be @('Path', 'Port', 'SetEnvironment', 'Sample', 'WhatIf', 'Confirm')
        (Get-Help Stop-FacebergLocalHub).Synopsis | Should -BeExactly 'Stops local Hubs started with Start-FacebergLocalHub.'
    }

    It 'shows endpoint, state and repo count in its default view' {
        $hub = Start-FacebergLocalHub -Path hub -Sample
        $lines = @(($hub | Out-String -Width 400).Split("`n") | ForEach-Object Trim | Where-Object { $_ })
        $lines[0] | Should -Match '^Endpoint\s+Running\s+Repos\s+Path$'
        $lines[2] | Should -Match '^http://127\.0\.0\.1:\d+\s+True\s+3\s+.*hub$'
    }
}
