#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The module as a gallery receives it: the built folder out/Faceberg is published with
# Microsoft.PowerShell.PSResourceGet to a temporary local repository, saved from there into a
# temporary module folder and imported BY NAME in a fresh pwsh, as after Install-PSResource.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module Microsoft.PowerShell.PSResourceGet
    $ModuleFolder = Split-Path (Resolve-Path $FacebergManifest).Path
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest with no error or warning' {
        $manifest = Test-ModuleManifest $FacebergManifest -ErrorVariable problems -WarningVariable warnings
        $problems | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
        $manifest.Name | Should -Be 'Faceberg'
        $manifest.ExportedCmdlets.Keys | Should -Contain 'Get-FacebergTable'
    }

    It 'carries what a gallery page shows: tags, project and license URIs, release notes' {
        $data = (Import-PowerShellDataFile $FacebergManifest).PrivateData.PSData
        $data.Tags | Should -Contain 'Iceberg'
        $data.Tags | Should -Contain 'PSEdition_Core'
        $data.ProjectUri | Should -Match '^https://'
        $data.LicenseUri | Should -Match '^https://.*LICENSE$'
        $data.ReleaseNotes | Should -Not -BeNullOrEmpty
        (Join-Path $ModuleFolder 'LICENSE') | Should -Exist
        Get-Content (Join-Path $ModuleFolder 'LICENSE') -Raw | Should -Match 'Apache License\s+Version 2\.0'
    }

    It 'is the repository''s Faceberg.psd1, as built into out/Faceberg' {
        Get-Content $FacebergManifest -Raw | Should -Be (Get-Content (Join-Path $PSScriptRoot '../../Faceberg.psd1') -Raw)
    }
}

Describe 'Publish-PSResource, then Save-PSResource from a local repository' {
    BeforeAll {
        $repository = "FacebergSpec-$([guid]::NewGuid().ToString('N'))"
        $feed = New-Item (Join-Path $TestDrive 'feed') -ItemType Directory
        $modules = New-Item (Join-Path $TestDrive 'modules') -ItemType Directory
        Register-PSResourceRepository -Name $repository -Uri $feed.FullName -Trusted
        $version = (Import-PowerShellDataFile $FacebergManifest).ModuleVersion
    }
    AfterAll {
        Unregister-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue
    }

    It 'publishes the built module folder as Faceberg.<version>.nupkg' {
        Publish-PSResource -Path $ModuleFolder -Repository $repository
        (Join-Path $feed "Faceberg.$version.nupkg") | Should -Exist
        $found = Find-PSResource -Name Faceberg -Repository $repository
        $found.Version.ToString() | Should -Be $version
        $found.Tags | Should -Contain 'Iceberg'
    }

    It 'packages exactly the built module folder: the same files and the same manifest' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead((Join-Path $feed "Faceberg.$version.nupkg"))
        try {
            # NuGet's own entries ([Content_Types].xml, _rels/, package/, the .nuspec) are not module files.
            $packaged = @($zip.Entries | Where-Object { $_.FullName -notmatch '^(\[Content_Types\]\.xml|_rels/|package/|Faceberg\.nuspec$)' } |
                ForEach-Object { [uri]::UnescapeDataString($_.FullName) } | Sort-Object)
            $reader = [IO.StreamReader]::new($zip.GetEntry('Faceberg.psd1').Open())
            $packagedManifest = $reader.ReadToEnd(); $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $built = @(Get-ChildItem $ModuleFolder -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($ModuleFolder, $_.FullName).Replace('\', '/') } | Sort-Object)
        $packaged | Should -Be $built
        $packagedManifest | Should -Be (Get-Content $FacebergManifest -Raw)
    }

    It 'installs from the repository, imports by name in a fresh pwsh and runs a cmdlet' {
        Save-PSResource -Name Faceberg -Repository $repository -Path $modules.FullName -TrustRepository
        (Join-Path $modules "Faceberg/$version/Faceberg.psd1") | Should -Exist

        $project = New-TestProject
        Add-TestTable $project 'default.iris_default'
        $separator = [IO.Path]::PathSeparator
        $run = Invoke-ChildPwsh -WorkingDirectory $project -Environment @{ PSModulePath = "$($modules.FullName)$separator$env:PSModulePath" } -Script @'
$ErrorActionPreference = 'Stop'
Import-Module Faceberg
$module = Get-Module Faceberg
"module=$($module.Version) $($module.ModuleBase)"
"table=$((Get-FacebergTable).Identifier)"
'@
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $run.Output | Should -Match ("(?m)^module=$([regex]::Escape($version)) " + [regex]::Escape((Join-Path $modules "Faceberg/$version")))
        $run.Output | Should -Match '(?m)^table=default\.iris_default$'
    }
}
