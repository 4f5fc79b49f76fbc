using Faceberg.Cmdlets.Plumbing;
using Faceberg.Core;
using Faceberg.Core.Catalog;
using Faceberg.Core.Hub;
using Faceberg.Core.Iceberg.Io;
using Faceberg.Core.Iceberg.Table;

namespace Faceberg.Cmdlets;

/// <summary>
/// What the table cmdlets share: the tables a -Name/-Catalog pair or a piped Faceberg.Table means, and
/// file IO that reads local paths directly and hf:// paths through the invocation's Hub client (-Token, else HF_TOKEN).
/// </summary>
public sealed class TableAccess(Func<HubClient> hub)
{
    private FileIORouter? _io;

    /// <summary>The Hub client is made on first use, so purely local work never resolves a token.</summary>
    public FileIORouter Io
    {
        get
        {
            if (_io != null) return _io;
            _io = new FileIORouter().Register("hf", new HubFileIO(Hub));
            return _io;
        }
    }

    public IcebergTable Load(string location, CancellationToken ct) =>
        IcebergTable.LoadAsync(Io, location, ct).GetAwaiter().GetResult();

    /// <summary>The Hub client of this invocation (made on first use).</summary>
    public HubClient Hub => hub();

    /// <summary>Loads a table through its catalog's own IO: a working copy serves its repo's hf:// URIs from local files.</summary>
    public IcebergTable Load(TableTarget target, CancellationToken ct) =>
        IcebergTable.LoadAsync(target.Context.CreateFileIO(Hub), target.Location, ct).GetAwaiter().GetResult();
}


