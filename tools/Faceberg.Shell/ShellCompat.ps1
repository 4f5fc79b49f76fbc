# Stand-ins for cmdlets of pwsh's Microsoft.PowerShell.Utility/Management modules, which the
# PowerShell engine hosted by Faceberg.Shell does not include. Loaded by Faceberg.Shell only,
# never by the module; a real pwsh has the originals, so each is defined only when missing.
# They cover the parameters the example scripts use, nothing more.

if (-not (Get-Command Write-Host -ErrorAction Ignore)) {
    function global:Write-Host {
        param([Parameter(Position = 0, ValueFromRemainingArguments = $true)] [object[]] $Object,
              [switch] $NoNewline, [object] $Separator = ' ', [object] $ForegroundColor, [object] $BackgroundColor)
        $text = (@($Object) | ForEach-Object { "$_" }) -join "$Separator"
        if ($NoNewline) { $Host.UI.Write($text) } else { $Host.UI.WriteLine($text) }
    }
}

if (-not (Get-Command Write-Output -ErrorAction Ignore)) {
    function global:Write-Output {
        param([Parameter(Position = 0, ValueFromPipeline = $true, ValueFromRemainingArguments = $true)] [object[]] $InputObject)
        process { $InputObject }
    }
}

if (-not (Get-Command Join-Path -ErrorAction Ignore)) {
    function global:Join-Path {
        param([Parameter(Mandatory, Position = 0)] [string] $Path,
              [Parameter(Mandatory, Position = 1)] [string] $ChildPath,
              [Parameter(Position = 2, ValueFromRemainingArguments = $true)] [string[]] $AdditionalChildPath)
        [System.IO.Path]::Combine([string[]](@($Path, $ChildPath) + @($AdditionalChildPath | Where-Object { $_ })))
    }
}

if (-not (Get-Command Split-Path -ErrorAction Ignore)) {
    function global:Split-Path {
        param([Parameter(Mandatory, Position = 0)] [string] $Path, [switch] $Parent, [switch] $Leaf)
        if ($Leaf) { [System.IO.Path]::GetFileName($Path.TrimEnd('/', '\')) }
        else { [System.IO.Path]::GetDirectoryName($Path.TrimEnd('/', '\')) }
    }
}

if (-not (Get-Command Get-Location -ErrorAction Ignore)) {
    function global:Get-Location { $ExecutionContext.SessionState.Path.CurrentFileSystemLocation }
}

if (-not (Get-Command Set-Location -ErrorAction Ignore)) {
    function global:Set-Location {
        param([Parameter(Position = 0)] [string] $Path = $HOME)
        $null = $ExecutionContext.SessionState.Path.SetLocation($Path)
    }
}

if (-not (Get-Command Test-Path -ErrorAction Ignore)) {
    function global:Test-Path {
        param([Parameter(Mandatory, Position = 0)] [string] $Path,
              [ValidateSet('Any', 'Container', 'Leaf')] [string] $PathType = 'Any')
        $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        switch ($PathType) {
            'Leaf' { [System.IO.File]::Exists($full) }
            'Container' { [System.IO.Directory]::Exists($full) }
            default { [System.IO.File]::Exists($full) -or [System.IO.Directory]::Exists($full) }
        }
    }
}

if (-not (Get-Command New-Item -ErrorAction Ignore)) {
    function global:New-Item {
        param([Parameter(Mandatory, Position = 0)] [string] $Path,
              [ValidateSet('Directory', 'File')] [string] $ItemType = 'File', [switch] $Force)
        $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        if ($ItemType -eq 'Directory') { [System.IO.Directory]::CreateDirectory($full) }
        else { [System.IO.File]::WriteAllText($full, ''); [System.IO.FileInfo]::new($full) }
    }
}

if (-not (Get-Command Copy-Item -ErrorAction Ignore)) {
    function global:Copy-Item {
        param([Parameter(Mandatory, Position = 0)] [string] $Path,
              [Parameter(Mandatory, Position = 1)] [string] $Destination, [switch] $Force)
        $from = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        $to = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
        if ([System.IO.Directory]::Exists($to)) { $to = [System.IO.Path]::Combine($to, [System.IO.Path]::GetFileName($from)) }
        [System.IO.File]::Copy($from, $to, [bool]$Force)
    }
}

if (-not (Get-Command Remove-Item -ErrorAction Ignore)) {
    function global:Remove-Item {
        param([Parameter(Mandatory, Position = 0)] [string] $Path, [switch] $Recurse, [switch] $Force)
        $full = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        if ([System.IO.Directory]::Exists($full)) { [System.IO.Directory]::Delete($full, [bool]$Recurse) }
        elseif ([System.IO.File]::Exists($full)) { [System.IO.File]::Delete($full) }
    }
}
