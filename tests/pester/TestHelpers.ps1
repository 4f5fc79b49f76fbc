# Shared by the Pester specs in this folder: dot-source it in a top-level BeforeAll
# (. (Join-Path $PSScriptRoot 'TestHelpers.ps1')), so the module is imported and these
# functions exist for every It. Mirrors tests/Faceberg.Cmdlets.Tests/ProjectFixtures.cs.

$FacebergManifest = Join-Path $PSScriptRoot '../../out/Faceberg/Faceberg.psd1'
Import-Module $FacebergManifest -Force

# The faceberg.yml of ProjectFixtures.Config: both datasets are seeded by Start-FacebergLocalHub -Sample.
$DefaultTestConfig = @'
catalog:
  name: test_catalog
  location: .faceberg/
datasets:
  - name: movie_reviews
    repo: demo/movie-reviews
    configs: [default]
  - name: iris
    repo: demo/iris
    revision: main
'@

function New-TestProject {
    # A fresh folder under $TestDrive holding faceberg.yml (each It gets its own, so Its stay independent).
    param([string] $Config = $DefaultTestConfig, [string] $Folder = [guid]::NewGuid().ToString('N'))
    $root = Join-Path $TestDrive $Folder
    $null = New-Item $root -ItemType Directory -Force
    Set-Content -Path (Join-Path $root 'faceberg.yml') -Value $Config
    $root
}

function Add-TestTable {
    # Registers tables the way catalog.json documents them, without creating Iceberg metadata.
    param([string] $Root, [string[]] $Identifier)
    $entries = [ordered]@{}
    foreach ($id in $Identifier) {
        $ns, $name = $id.Split('.')
        $null = New-Item (Join-Path $Root ".faceberg/metadata/$ns/$name") -ItemType Directory -Force
        $entries[$id] = "metadata/$ns/$name"
    }
    $entries | ConvertTo-Json | Set-Content (Join-Path $Root '.faceberg/catalog.json')
}

function Start-TestHub {
    # A local Hub with the sample datasets, in its own folder, with HF_ENDPOINT pointing at it.
    Start-FacebergLocalHub -Path (Join-Path $TestDrive "hub-$([guid]::NewGuid().ToString('N'))") -Sample -SetEnvironment
}

function Copy-HubFile {
    # A new commit on a dataset of the local Hub: a copy of one of its files under a new path
    # (what a dataset author pushing more data looks like). Returns the commit id.
    param([Parameter(Mandatory)] $Hub, [Parameter(Mandatory)] [string] $Repo,
          [Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Destination,
          [string] $Message = 'More data')
    $files = [System.Collections.Generic.Dictionary[string, byte[]]]::new()
    $files[$Destination] = $Hub.Server.Store.ReadFile($Repo, 'main', $Path)
    $Hub.Server.Store.Commit($Repo, $files, $null, $Message)
}

function Get-OpenedHubFile {
    # Repo paths of the files downloaded from the local Hub since its request log was last cleared.
    param([Parameter(Mandatory)] $Hub)
    @($Hub.Server.RequestLog.Entries |
        Where-Object { $_.Path -like '*/resolve/*' } |
        ForEach-Object {
            $rest = [uri]::UnescapeDataString($_.Path.Substring($_.Path.IndexOf('/resolve/') + '/resolve/'.Length))
            $rest.Substring($rest.IndexOf('/') + 1)
        } |
        Sort-Object -Unique)
}

function Get-PwshCommand {
    # How to start another pwsh like this one: as a dotnet tool (`dotnet pwsh`) the process is
    # dotnet running pwsh.dll; an installed pwsh is its own executable.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { , @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    else { , @($process) }
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh process (no profile, this process's environment plus
    # -Environment, where $null removes a variable; -HomeFolder gives it its own home folder, ~). Returns ExitCode, Output, Error.
    param([Parameter(Mandatory)] [string] $Script, [string] $WorkingDirectory = (Get-Location).Path,
          [string] $HomeFolder, [hashtable] $Environment = @{}, [string[]] $ArgumentList = @())
    $file = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    $pwsh = Get-PwshCommand
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file) + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    $start.WorkingDirectory = $WorkingDirectory
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.Environment['NO_COLOR'] = '1'
    if ($HomeFolder) {
        $null = New-Item $HomeFolder -ItemType Directory -Force
        $start.Environment['HOME'] = $HomeFolder
    }
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) }
        else { $start.Environment[$name] = $Environment[$name] }
    }
    $process = [System.Diagnostics.Process]::Start($start)
    $errorText = $process.StandardError.ReadToEndAsync()
    $outputText = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $outputText; Error = $errorText.Result }
}

function Start-ChildPwsh {
    # Starts a script in a fresh pwsh process, like Invoke-ChildPwsh, without waiting for it: returns Process and
    # the Output and Error tasks (their .Result is the text once the process has ended), so specs can run several at once.
    param([Parameter(Mandatory)] [string] $Script, [string] $WorkingDirectory = (Get-Location).Path, [hashtable] $Environment = @{})
    $file = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    $pwsh = Get-PwshCommand
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $start.ArgumentList.Add($argument) }
    $start.WorkingDirectory = $WorkingDirectory
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.Environment['NO_COLOR'] = '1'
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) }
        else { $start.Environment[$name] = $Environment[$name] }
    }
    $process = [System.Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync(); Error = $process.StandardError.ReadToEndAsync() }
}
