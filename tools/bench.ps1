#Requires -Version 7.4
<#
.SYNOPSIS
    Faceberg against its peers at the PowerShell prompt: Read-FacebergTable against Import-Csv and Parquet.Net
    of the same rows, Write-FacebergTable against Parquet.Net's typed serializer.
.DESCRIPTION
    Runs -Processes fresh pwsh processes one after another. Each starts a local Hub with the sample datasets,
    appends -Rows generated iris rows with Write-FacebergTable (timed against ParquetSerializer.SerializeAsync of
    the same rows as typed objects, into memory, same codec), exports the table to CSV once, then times reads.
    In each process every pair runs alternately -Repeat times (load on a shared machine hits both alike) and
    its median is kept; the report gives, per comparison, the median over the processes. Run after a build:
        pwsh -NoProfile -File tools/bench.ps1 [-Rows 20000] [-Repeat 3] [-Processes 3] [-ReadRows 1000000] [-WriteRows 50000] [-Module path]
    -ReadRows (0: none) adds a second dataset for the reads, -ReadRows rows × 10 columns of mixed types in 10
    Parquet files committed straight to the local Hub, and the same reads of it against Import-Csv of the same
    rows. -Module is the module manifest to measure (default: out/Faceberg, what `dotnet build` lays out in
    either configuration; e.g. `dotnet build src/Faceberg.Cmdlets -c Release -p:ModuleOutDir=$PWD/out/Release/Faceberg/`
    keeps a Release build beside the Debug one); the report names the build it measured.
    -WriteRows adds, after the reads, writes of that many piped objects against the same peers, and the per-call
    cost of a write (10 rows, with and without -WhatIf).
#>
param([int] $Rows = 20000, [int] $Repeat = 3, [int] $Processes = 3, [int] $ReadRows = 1000000, [int] $WriteRows = 0,
    [string] $Module = (Join-Path $PSScriptRoot '../out/Faceberg/Faceberg.psd1'), [switch] $Child)
$ErrorActionPreference = 'Stop'
if (-not $Child) {
    # This PowerShell again: its own executable, or dotnet with pwsh.dll when it runs as a .NET tool.
    $host_ = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    $runs = for ($p = 0; $p -lt $Processes; $p++) {
        $json = & $host_ @prefix -NoProfile -File $PSCommandPath -Rows $Rows -Repeat $Repeat -ReadRows $ReadRows -WriteRows $WriteRows -Module $Module -Child
        if ($LASTEXITCODE -ne 0) { throw "Benchmark process $p failed: $json" }
        # Each process's medians are shown as they come, so a long run can be read before it ends.
        Write-Host ($json | Select-Object -Last 1)
        $json | Select-Object -Last 1 | ConvertFrom-Json
    }
    $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][math]::Floor($sorted.Count / 2)] }
    $runs | Group-Object Comparison, Peer | ForEach-Object {
        $f = & $median $_.Group.FacebergSeconds; $p = & $median $_.Group.PeerSeconds; $n = $_.Group[0].Rows
        [pscustomobject]@{
            Comparison = $_.Group[0].Comparison; Peer = $_.Group[0].Peer
            'Faceberg rows/s' = [math]::Round($n / $f); 'Peer rows/s' = if ($p) { [math]::Round($n / $p) } else { $null }
            'Faceberg ÷ peer' = if ($p) { [math]::Round($p / $f, 2) } else { $null }
            'Per process' = ($_.Group | ForEach-Object { if ($_.PeerSeconds) { [math]::Round($_.PeerSeconds / $_.FacebergSeconds, 2) } else { [math]::Round($n / $_.FacebergSeconds) } }) -join ' '
        }
    } | Format-Table -AutoSize | Out-String -Width 300
    # Debug builds keep the JIT optimizer off: the report says which build was measured.
    $core = Join-Path (Split-Path (Resolve-Path $Module).Path) 'Faceberg.Core.dll'
    $debuggable = [Reflection.Assembly]::LoadFile($core).GetCustomAttributes([Diagnostics.DebuggableAttribute], $false)
    $build = if ($debuggable | Where-Object IsJITOptimizerDisabled) { 'Debug' } else { 'Release' }
    "$Processes processes × $Repeat alternating runs, -Rows $Rows -ReadRows $ReadRows, $build build ($Module); $(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm') UTC; load average: $((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3)"
    return
}
Import-Module $Module -Force

$root = Join-Path ([IO.Path]::GetTempPath()) "faceberg-bench-$([guid]::NewGuid().ToString('N'))"
$null = New-Item $root -ItemType Directory
$hub = Start-FacebergLocalHub -Path (Join-Path $root 'hub') -Sample -SetEnvironment
Push-Location $root
try {
    $wideCsv = Join-Path $root 'wide.csv'
    $yml = "catalog:`n  name: bench`n  location: .faceberg/`ndatasets:`n  - name: iris`n    repo: demo/iris`n    revision: main`n"
    if ($ReadRows -gt 0) {
        # The read comparisons' own table: -ReadRows rows × 10 columns of mixed types in 10 Parquet files
        # (Snappy, one row group each), committed to the local Hub in one commit, and the same rows as CSV.
        # Made by compiled code: generating them through Write-FacebergTable would take longer than the reads.
        Add-Type -IgnoreWarnings -CompilerOptions /nowarn:1701 -ReferencedAssemblies ([Parquet.ParquetWriter].Assembly.Location), System.Collections -TypeDefinition @'
using System;
using System.Globalization;
using System.IO;
using System.Text;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
public static class FacebergBenchWide
{
    public static readonly string[] Names = { "id", "group", "x", "y", "score", "flag", "name", "category", "count", "note" };
    private static readonly string[] Categories = { "alpha", "beta", "gamma", "delta", "epsilon" };
    /// <summary>File i of n, rows [start, start + count); appends the same rows to csv.</summary>
    public static byte[] File(long start, int count, TextWriter csv)
    {
        var random = new Random((int)start + 42);
        var id = new long[count]; var group = new int[count]; var x = new double[count]; var y = new double[count];
        var score = new float[count]; var flag = new bool[count]; var name = new string[count]; var category = new string[count];
        var counts = new long?[count]; var note = new string[count];
        var line = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            id[i] = start + i; group[i] = random.Next(0, 100); x[i] = Math.Round(random.NextDouble() * 1000, 3); y[i] = random.NextDouble();
            score[i] = (float)Math.Round(random.NextDouble() * 100, 2); flag[i] = random.Next(2) == 0; name[i] = "user" + random.Next(0, 100000).ToString(CultureInfo.InvariantCulture);
            category[i] = Categories[random.Next(Categories.Length)]; counts[i] = random.Next(10) == 0 ? null : random.Next(); note[i] = random.Next(4) == 0 ? null : "note " + (start + i).ToString(CultureInfo.InvariantCulture);
            line.Clear();
            foreach (var value in new object[] { id[i], group[i], x[i], y[i], score[i], flag[i], name[i], category[i], counts[i], note[i] })
                line.Append(line.Length == 0 ? "\"" : ",\"").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('"');
            csv.WriteLine(line);
        }
        var fields = new DataField[] { new DataField<long>("id"), new DataField<int>("group"), new DataField<double>("x"), new DataField<double>("y"),
            new DataField<float>("score"), new DataField<bool>("flag"), new DataField<string>("name"), new DataField<string>("category"),
            new DataField<long?>("count"), new DataField<string>("note") };
        using var stream = new MemoryStream();
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).GetAwaiter().GetResult();
        try
        {
            using var rowGroup = writer.CreateRowGroup();
            Wait(rowGroup.WriteAsync<long>(fields[0], id, null, null, default)); Wait(rowGroup.WriteAsync<int>(fields[1], group, null, null, default));
            Wait(rowGroup.WriteAsync<double>(fields[2], x, null, null, default)); Wait(rowGroup.WriteAsync<double>(fields[3], y, null, null, default));
            Wait(rowGroup.WriteAsync<float>(fields[4], score, null, null, default)); Wait(rowGroup.WriteAsync<bool>(fields[5], flag, null, null, default));
            Wait(rowGroup.WriteAsync(fields[6], name, null)); Wait(rowGroup.WriteAsync(fields[7], category, null));
            Wait(rowGroup.WriteAsync<long>(fields[8], counts, null, null, default)); Wait(rowGroup.WriteAsync(fields[9], note, null));
            rowGroup.CompleteValidate();
        }
        finally { writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        return stream.ToArray();
    }
    private static void Wait(System.Threading.Tasks.Task task) => task.GetAwaiter().GetResult();
}
'@
        $files = [Collections.Generic.Dictionary[string, byte[]]]::new()
        $writer = [IO.StreamWriter]::new($wideCsv)
        try {
            $writer.WriteLine('"' + ([FacebergBenchWide]::Names -join '","') + '"')
            for ($i = 0; $i -lt 10; $i++) {
                $start = [long][math]::Floor($ReadRows * $i / 10); $end = [long][math]::Floor($ReadRows * ($i + 1) / 10)
                $files["data/train-0000$i-of-00010.parquet"] = [FacebergBenchWide]::File($start, $end - $start, $writer)
            }
        }
        finally { $writer.Dispose() }
        $null = $hub.Server.Store.CreateRepo('bench/wide')
        $null = $hub.Server.Store.Commit('bench/wide', $files, $null, "Add 10 files of $ReadRows rows in all")
        $yml += "  - name: wide`n    repo: bench/wide`n    revision: main`n"
    }
    Set-Content faceberg.yml $yml
    $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable

    function Median([double[]] $values) { ($values | Sort-Object)[[int][math]::Floor($values.Count / 2)] }
    function Time([scriptblock] $script) { (Measure-Command $script).TotalSeconds }
    function Pair([string] $label, [double] $rows, [scriptblock] $faceberg, [string] $peerLabel, [scriptblock] $peer) {
        $f = @(); $p = @()
        for ($i = 0; $i -lt $Repeat; $i++) { $f += Time $faceberg; if ($peer) { $p += Time $peer } }
        [pscustomobject]@{ Comparison = $label; Peer = $peerLabel; Rows = $rows; FacebergSeconds = (Median $f); PeerSeconds = if ($peer) { Median $p } else { $null } }
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
    # The typed serializer's row class, one property per column (as a user of Parquet.Net would declare it).
    $typeName = "BenchRow$([guid]::NewGuid().ToString('N'))"
    Add-Type -TypeDefinition ("public sealed class $typeName {`n" + (($columns | ForEach-Object { "    public $($template.$_.GetType().FullName) $_ { get; set; }" }) -join "`n") + "`n}")
    $rowType = $typeName -as [type]
    # The copy into typed objects as a user of Parquet.Net writes it: one assignment per property by name (a loop
    # over the names, $o.$c = $r.$c, costs 2-3x as much and would flatter Faceberg). A list of objects is copied by a
    # foreach loop; piped objects reach the user's code one at a time, as they reach Write-FacebergTable, and the
    # cheapest code to take them is a script block's process block.
    $assign = ($columns | ForEach-Object { "`$o.$_ = `$r.$_" }) -join '; '
    $toTyped = [scriptblock]::Create("`$list = [Collections.Generic.List[$typeName]]::new(); foreach (`$r in `$rowsIn) { `$o = [$typeName]::new(); $assign; `$list.Add(`$o) }; , `$list")
    $pipedToTyped = [scriptblock]::Create("`$rowsIn | & { begin { `$list = [Collections.Generic.List[$typeName]]::new() } process { `$r = `$_; `$o = [$typeName]::new(); $assign; `$list.Add(`$o) } end { , `$list } }")
    $typed = & $toTyped
    $serialize = [Parquet.Serialization.ParquetSerializer].GetMethods().Where({ $_.Name -eq 'SerializeAsync' -and $_.GetParameters()[1].ParameterType -eq [IO.Stream] })[0].MakeGenericMethod($rowType)
    $snappy = [Parquet.ParquetOptions]@{ CompressionMethod = 'Snappy' }
    $serializeTyped = { param($list) $stream = [IO.MemoryStream]::new(); $null = $serialize.Invoke($null, @($list, $stream, $snappy, $null, [Threading.CancellationToken]::None)).GetAwaiter().GetResult() }
    $results = @()
    $results += Pair "Write $Rows piped objects (Snappy): validate, Parquet, Hub commit, snapshot" $Rows { $null = $rowsIn | Write-FacebergTable iris_default -Split train } 'ParquetSerializer.SerializeAsync of prebuilt typed objects, Snappy, to memory' { & $serializeTyped $typed }
    $results += Pair "Write $Rows piped objects (Snappy)" $Rows { $null = $rowsIn | Write-FacebergTable iris_default -Split train } 'the same objects piped into a script block that copies them into typed objects, then SerializeAsync' { & $serializeTyped (& $pipedToTyped) }
    $results += Pair "Write-FacebergTable -InputObject of the $Rows objects (no per-object pipeline binding)" $Rows { $null = Write-FacebergTable iris_default -Split train -InputObject $rowsIn } 'ParquetSerializer.SerializeAsync of prebuilt typed objects, Snappy, to memory' { & $serializeTyped $typed }
    $results += Pair "Write-FacebergTable -InputObject -WhatIf (conversion and validation only)" $Rows { $null = Write-FacebergTable iris_default -Split train -InputObject $rowsIn -WhatIf } '' $null

    $total = (Read-FacebergTable iris_default | Measure-Object).Count
    $csv = Join-Path $root 'iris.csv'
    Read-FacebergTable iris_default | Export-Csv $csv
    $store = $hub.Server.Store
    # The files' bytes as a client downloads them (the store keeps LFS content apart from Git).
    $http = [Net.Http.HttpClient]::new()
    $parquet = @(foreach ($f in $store.GetFiles('demo/iris', 'main')) {
        if ($f.Path -like '*.parquet') { , $http.GetByteArrayAsync("$($hub.Endpoint)/datasets/demo/iris/resolve/main/$($f.Path)").GetAwaiter().GetResult() }
    })
    $two = $columns[0..1]
    $objects = @(Import-Csv $csv)
    $results += Pair "Read $total rows, all columns (`$null = …)" $total { $null = Read-FacebergTable iris_default } 'Import-Csv' { $null = Import-Csv $csv }
    $results += Pair "Read $total rows, -Property ($($two -join ', ')) (`$null = …)" $total { $null = Read-FacebergTable iris_default -Property $two } 'Import-Csv' { $null = Import-Csv $csv }
    $results += Pair "Read $total rows, all columns | Measure-Object" $total { Read-FacebergTable iris_default | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $csv | Measure-Object }
    $results += Pair "Read $total rows, -Property ($($two -join ', ')) | Measure-Object" $total { Read-FacebergTable iris_default -Property $two | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $csv | Measure-Object }
    $results += Pair "Measure-Object alone: $total objects already in memory piped to it" $total { $objects | Measure-Object } '' $null
    $results += Pair "Read $total rows, all columns (`$null = …)" $total { $null = Read-FacebergTable iris_default } 'Parquet.Net ParquetSerializer.DeserializeUntypedAsync of the same files in memory' {
        foreach ($file in $parquet) {
            $stream = [IO.MemoryStream]::new($file, $false)
            try { $null = [Parquet.Serialization.ParquetSerializer]::DeserializeUntypedAsync($stream, $null, $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult() } finally { $stream.Dispose() }
        }
    }
    if ($ReadRows -gt 0) {
        # The same comparisons on the wide table: enough rows that one call's fixed costs (catalog, metadata,
        # Hub revision check, planning) are small beside its per-row costs, and every timing takes seconds.
        $wideTwo = 'id', 'x'
        $wideLabel = "$ReadRows rows × 10 columns in 10 files"
        $results += Pair "Read $wideLabel, all columns (`$null = …)" $ReadRows { $null = Read-FacebergTable wide_default } 'Import-Csv' { $null = Import-Csv $wideCsv }
        $results += Pair "Read $wideLabel, -Property ($($wideTwo -join ', ')) (`$null = …)" $ReadRows { $null = Read-FacebergTable wide_default -Property $wideTwo } 'Import-Csv' { $null = Import-Csv $wideCsv }
        $results += Pair "Read $wideLabel, all columns | Measure-Object" $ReadRows { Read-FacebergTable wide_default | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $wideCsv | Measure-Object }
        $results += Pair "Read $wideLabel, -Property ($($wideTwo -join ', ')) | Measure-Object" $ReadRows { Read-FacebergTable wide_default -Property $wideTwo | Measure-Object } 'Import-Csv | Measure-Object' { Import-Csv $wideCsv | Measure-Object }
        $wideObjects = @(Read-FacebergTable wide_default -Property $wideTwo)
        $results += Pair "Measure-Object alone: $ReadRows objects already in memory piped to it" $ReadRows { $wideObjects | Measure-Object } '' $null
        $wideObjects = $null
    }
    if ($WriteRows -gt 0) {
        # Writes large enough that the per-call cost (catalog, table metadata, 2 Hub calls, the commit) no longer
        # dominates, after the reads so these rows do not change what the reads measure; the per-call cost alone is
        # the write of 10 rows.
        $rowsIn = [Collections.Generic.List[object]]::new($WriteRows)
        for ($i = 0; $i -lt $WriteRows; $i++) {
            $row = [ordered]@{}
            foreach ($c in $columns) {
                $v = $template.$c
                $row[$c] = if ($v -is [double]) { [math]::Round($random.NextDouble() * 8, 1) } elseif ($v -is [long]) { [long]$random.Next(0, 3) } elseif ($v -is [int]) { $random.Next(0, 3) } else { $v }
            }
            $rowsIn.Add([pscustomobject]$row)
        }
        $typed = & $toTyped
        $ten = $rowsIn.GetRange(0, 10)
        $results += Pair "Write $WriteRows piped objects (Snappy): validate, Parquet, Hub commit, snapshot" $WriteRows { $null = $rowsIn | Write-FacebergTable iris_default -Split train } 'the same objects piped into a script block that copies them into typed objects, then SerializeAsync' { & $serializeTyped (& $pipedToTyped) }
        $results += Pair "Write $WriteRows piped objects (Snappy)" $WriteRows { $null = $rowsIn | Write-FacebergTable iris_default -Split train } 'ParquetSerializer.SerializeAsync of prebuilt typed objects, Snappy, to memory' { & $serializeTyped $typed }
        $results += Pair "Write-FacebergTable -InputObject of the $WriteRows objects" $WriteRows { $null = Write-FacebergTable iris_default -Split train -InputObject $rowsIn } 'the same objects copied into typed objects by a foreach loop, then SerializeAsync' { & $serializeTyped (& $toTyped) }
        $results += Pair "Per call: Write-FacebergTable -InputObject of 10 objects (catalog, 2 Hub calls, Parquet, commit, snapshot)" 10 { $null = Write-FacebergTable iris_default -Split train -InputObject $ten } '' $null
        $results += Pair "Per call: Write-FacebergTable -InputObject of 10 objects -WhatIf (catalog, 2 Hub calls)" 10 { $null = Write-FacebergTable iris_default -Split train -InputObject $ten -WhatIf } '' $null
    }
    $results | ConvertTo-Json -Compress -Depth 3
}
finally {
    Pop-Location
    $hub | Stop-FacebergLocalHub
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
