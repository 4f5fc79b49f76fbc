#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 specs for the typed properties of the rows Read-FacebergTable writes: each column's property has its
# values' .NET type (nullable for an optional value-type column), nulls read as $null, and PowerShell's own
# cmdlets (Get-Member, Where-Object, Sort-Object, ConvertTo-Json, Export-Csv) see ordinary values.
# Run: Invoke-Pester ./tests/pester/TypedRows.Tests.ps1

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Read-FacebergTable typed rows' {
    BeforeAll {
        $hub = Start-TestHub
        # One Parquet file: required and optional columns of value types, an optional string, rows with nulls.
        $fields = [Parquet.Schema.DataField[long]]::new('id'), [Parquet.Schema.DataField[Nullable[long]]]::new('n'),
            [Parquet.Schema.DataField[Nullable[double]]]::new('x'), [Parquet.Schema.DataField[Nullable[bool]]]::new('flag'),
            [Parquet.Schema.DataField[string]]::new('name')
        $rowsIn = [Collections.Generic.List[Collections.Generic.IDictionary[string, object]]]::new()
        foreach ($values in @(@(1L, 10L, 0.5, $null, 'a'), @(2L, $null, 1.5, $true, $null), @(3L, 30L, $null, $false, 'c'))) {
            $row = [Collections.Generic.Dictionary[string, object]]::new()
            for ($i = 0; $i -lt $fields.Count; $i++) { $row[$fields[$i].Name] = $values[$i] }
            $rowsIn.Add($row)
        }
        $stream = [IO.MemoryStream]::new()
        [Parquet.Serialization.ParquetSerializer]::SerializeUntypedAsync($rowsIn, [Parquet.Schema.ParquetSchema]::new([Parquet.Schema.Field[]]$fields), $stream, $null, $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
        $files = [Collections.Generic.Dictionary[string, byte[]]]::new()
        $files['data/train-00000-of-00001.parquet'] = $stream.ToArray()
        $null = $hub.Server.Store.CreateRepo('test/typed')
        $null = $hub.Server.Store.Commit('test/typed', $files, $null, 'Typed rows')
        Push-Location (New-TestProject -Config "catalog:`n  name: typed`n  location: .faceberg/`ndatasets:`n  - name: typed`n    repo: test/typed`n    revision: main`n")
        $null = New-FacebergCatalog ./faceberg.yml | New-FacebergTable
        $rows = @(Read-FacebergTable typed_default)
    }
    AfterAll {
        Pop-Location
        $hub | Stop-FacebergLocalHub
    }

    It 'have one property per column typed as its values, nullable where the column is optional' {
        $rows.Count | Should -Be 3
        $rows[0].PSObject.TypeNames | Should -Contain 'Faceberg.Row'
        $definitions = @{}
        $rows[0] | Get-Member -MemberType Property | ForEach-Object { $definitions[$_.Name] = $_.Definition }
        $definitions.id | Should -Be 'long id {get;}'
        $definitions.n | Should -Be 'System.Nullable[long] n {get;}'
        $definitions.x | Should -Be 'System.Nullable[double] x {get;}'
        $definitions.flag | Should -Be 'System.Nullable[bool] flag {get;}'
        $definitions.name | Should -Be 'string name {get;}'
        $definitions.split | Should -Be 'string split {get;}'
    }

    It 'read nulls as $null and values as their type' {
        $rows[0].n | Should -BeOfType ([long])
        $rows[0].x | Should -BeOfType ([double])
        $null -eq $rows[1].n | Should -BeTrue
        $null -eq $rows[2].x | Should -BeTrue
        $null -eq $rows[0].flag | Should -BeTrue
        $null -eq $rows[1].name | Should -BeTrue
        $rows[1].flag | Should -BeTrue
        $rows[2].flag | Should -BeFalse
        @($rows.n) | Should -Be @(10, $null, 30)
        $rows[1].ToString() | Should -Be 'id=2, n=, x=1.5, flag=True, name=, split=train'
    }

    It 'compare, sort and convert like any object''s properties' {
        @($rows | Where-Object n -GT 15).id | Should -Be @(3)
        @($rows | Sort-Object x -Descending).id | Should -Be @(2, 1, 3)
        $json = $rows[1] | ConvertTo-Json | ConvertFrom-Json
        $json.n | Should -BeNullOrEmpty
        $json.x | Should -Be 1.5
        $csv = @($rows | ConvertTo-Csv)
        $csv[0] | Should -Be '"id","n","x","flag","name","split"'
        $csv[2] | Should -Be '"2",,"1.5","True",,"train"'
        @($rows | Select-Object id, n)[1].n | Should -BeNullOrEmpty
    }

    It 'are the same typed rows when read one batch at a time (-First with a filter only PowerShell decides)' {
        $filtered = @(Read-FacebergTable typed_default -Filter { $_.name -like '?' } -First 1)
        $filtered.Count | Should -Be 1
        $filtered[0].GetType() | Should -Be $rows[0].GetType()
        $filtered[0].n | Should -Be 10
    }
}
