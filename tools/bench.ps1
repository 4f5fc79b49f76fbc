#Requires -Version 7.4
<#
.SYNOPSIS
    Faceberg against its peers at the PowerShell prompt: Read-FacebergTable | Measure-Object against
    Import-Csv and Parquet.Net of the same rows, Write-FacebergTable against Parquet.Net's serializer.
.DESCRIPTION
    Starts a local Hub with the sample datasets, appends -Rows generated iris rows with Write-FacebergTable
    (timed against ParquetSerializer.SerializeUntypedAsync of the same rows in memory), exports the table
    to CSV once, then times reads. Each pair runs alternately -Repeat times in this process and the
    medians are compared, so load on a shared machine hits both alike. Run after a build:
        pwsh -NoProfile -File tools/bench.ps1 [-Rows 200000] [-Repeat 5]
#>
param([int] $Rows = 200000, [int] $Repeat = 5)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/Faceberg/Faceberg.psd1') -Force

$root = Join-Path ([IO.Path]::GetTempPath()) "faceberg-bench-$([guid]::NewGuid().ToString('N'))"
$null = New-Item $root -ItemType Directory
$hub = Start-FacebergLocalHub -Path (Join-Path $root 'hub') -Sample -SetEnvironment
Push-Location $root
try {
    Set-Content faceberg.yml "catalog:`n  name: bench`n  location: .faceberg/`ndatasets:`n  - name: iris`n    repo: demo/iris`n    revision: main`n"
    $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable

    function Median([double[]] $values) { ($values | Sort-Object)[[int][math]::Floor($values.Count / 2)] }
    function Time([scriptblock] $script) { (Measure-Command $script).TotalSeconds }
    function Pair([string] $label, [double] $rows, [scriptblock] $faceberg, [string] $peerLabel, [scriptblock] $peer) {
        $f = @(); $p = @()
        for ($i = 0; $i -lt $Repeat; $i++) { $f += Time $faceberg; $p += Time $peer }
        $fm = Median $f; $pm = Median $p
        [pscustomobject]@{
            Comparison = $label; Peer = $peerLabel
            'Faceberg rows/s' = [math]::Round($rows / $fm); 'Peer rows/s' = [math]::Round($rows / $pm)
            'Faceberg ÷ peer' = [math]::Round($pm / $fm, 2)
        }
    }

    # The rows: iris-shaped, generated, as PowerShell objects (what a user pipes).
    $template = @(Read-FacebergTable iris_default -First 1)[0]
    $columns = @($template.PSObject.Properties.Name | Where-Object { $_ -ne 'split' })
    $random = [Random]::new(42)
    $rowsIn = [Collections.Generic.List[object]]::new($Rows)
    for ($i = 0; $i -lt $Rows; $i++) {
        $row = [ordered]@{}
        foreach ($c in $columns) {
            $v = $template.$c
            $row[$c] = if ($v -is [double]) { [math]::Round($random.NextDouble() * 8, 1) } elseif ($v -is [long]) { [long]$random.Next(0, 3) } elseif ($v -is [int]) { $random.Next(0, 3) } else { $v }
        }
        $rowsIn.Add([pscustomobject]$row)
    }
    $fields = foreach ($c in $columns) { [Parquet.Schema.DataField]::new($c, $template.$c.GetType(), $true) }
    $schema = [Parquet.Schema.ParquetSchema]::new([Parquet.Schema.Field[]]$fields)
    $dictionaries = [Collections.Generic.List[Collections.Generic.IDictionary[string, object]]]::new($Rows)
    foreach ($r in $rowsIn) {
        $d = [Collections.Generic.Dictionary[string, object]]::new()
        foreach ($c in $columns) { $d[$c] = $r.$c }
        $dictionaries.Add($d)
    }
    $results = @()
    $results += Pair "Write $Rows rows (default codec: Snappy)" $Rows { $null = $rowsIn | Write-FacebergTable iris_default -Split train } 'ParquetSerializer.SerializeUntypedAsync, Snappy, to memory' {
        $stream = [IO.MemoryStream]::new()
        [Parquet.Serialization.ParquetSerializer]::SerializeUntypedAsync($dictionaries, $schema, $stream, [Parquet.ParquetOptions]@{ CompressionMethod = 'Snappy' }, $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
    }

    $total = (Read-FacebergTable iris_default | Measure-Object).Count
    $csv = Join-Path $root 'iris.csv'
    Read-FacebergTable iris_default | Export-Csv $csv
    $store = $hub.Server.Store
    # The files' bytes as a client downloads them (the store keeps LFS content apart from Git).
    $http = [Net.Http.HttpClient]::new()
    $parquet = @(foreach ($f in $store.GetFiles('demo/iris', 'main')) {
        if ($f.Path -like '*.parquet') { , $http.GetByteArrayAsync("$($hub.Endpoint)/datasets/demo/iris/resolve/main/$($f.Path)").GetAwaiter().GetResult() }
    })
    $results += Pair "Read $total rows, all columns | Measure-Object" $total { Read-FacebergTable iris_default | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $csv | Measure-Object }
    $results += Pair "Read $total rows, -Property ($($columns[0..1] -join ', ')) | Measure-Object" $total { Read-FacebergTable iris_default -Property $columns[0..1] | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $csv | Measure-Object }
    $results += Pair "Read $total rows, all columns | Measure-Object" $total { Read-FacebergTable iris_default | Measure-Object } 'Parquet.Net ParquetSerializer.DeserializeUntypedAsync of the same files in memory' {
        foreach ($file in $parquet) {
            $stream = [IO.MemoryStream]::new($file, $false)
            try { $null = [Parquet.Serialization.ParquetSerializer]::DeserializeUntypedAsync($stream, $null, $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult() } finally { $stream.Dispose() }
        }
    }
    $results | Format-Table -AutoSize | Out-String -Width 250
}
finally {
    Pop-Location
    $hub | Stop-FacebergLocalHub
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
