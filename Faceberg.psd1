@{
    RootModule           = 'Faceberg.Cmdlets.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '30f3a996-6abd-4513-b262-d24995fb94c1'
    Author               = 'Faceberg contributors'
    CompanyName          = 'Faceberg'
    Copyright            = '(c) Faceberg contributors. Apache License 2.0.'
    Description          = 'Expose Hugging Face Hub dataset repositories as Apache Iceberg tables without copying data: a catalog of Iceberg v2 tables over the datasets'' existing Parquet files, readable by Spark, Trino, DuckDB and PyIceberg.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Faceberg.Format.ps1xml')
    CmdletsToExport      = @(
        'New-FacebergCatalog'
        'Get-FacebergTable'
        'New-FacebergTable'
        'Sync-FacebergTable'
        'Optimize-FacebergTable'
        'Read-FacebergTable'
        'Get-FacebergSnapshot'
        'Remove-FacebergTable'
        'Start-FacebergLocalHub'
        'Stop-FacebergLocalHub'
        'Start-FacebergServer'
        'Stop-FacebergServer'
        'Publish-FacebergCatalog'
        'Save-FacebergCatalog'
        'Repair-FacebergCatalog'
        'Write-FacebergTable'
        'Update-FacebergTable'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Iceberg', 'HuggingFace', 'Parquet', 'DataLake', 'Catalog', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/faceberg/Faceberg.PowerShell'
            LicenseUri   = 'https://github.com/faceberg/Faceberg.PowerShell/blob/main/LICENSE'
            ReleaseNotes = 'First release: catalogs of Iceberg v2 tables over Hugging Face Hub datasets (New-/Sync-FacebergTable), reading with split, column and filter pruning, appending rows as Parquet, schema changes, publishing catalogs to the Hub, and a local Hub for offline work.'
        }
    }
}
