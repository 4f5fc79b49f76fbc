using System.Buffers.Binary;
using System.Text;

namespace Faceberg.Bench;

/// <summary>
/// A Parquet file of many data pages per column chunk, with or without an offset index (Parquet's page index),
/// as pyarrow, parquet-mr and the Hub's converter write them; Parquet.Net 6.1 writes one page per chunk and
/// no page index. Two required columns, id (INT64) and name (UTF-8 BYTE_ARRAY), PLAIN, uncompressed, data pages v1.
/// </summary>
internal static class PagedParquet
{
    public static byte[] Write(int rows, int rowsPerPage, int rowGroupSize, bool offsetIndex)
    {
        var file = new MemoryStream();
        file.Write("PAR1"u8);
        var groups = new List<(long Rows, List<Chunk> Chunks)>();
        for (var start = 0; start < rows; start += rowGroupSize)
        {
            var count = Math.Min(rowGroupSize, rows - start);
            var chunks = new List<Chunk>
            {
                WriteChunk(file, "id", 2, start, count, rowsPerPage, (i, w) => { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, i); w.Write(b); }),
                WriteChunk(file, "name", 6, start, count, rowsPerPage, (i, w) =>
                {
                    var text = Encoding.UTF8.GetBytes($"row {i} of the paged benchmark file");
                    Span<byte> b = stackalloc byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(b, text.Length);
                    w.Write(b);
                    w.Write(text);
                }),
            };
            groups.Add((count, chunks));
        }
        if (offsetIndex)
        {
            foreach (var chunk in groups.SelectMany(g => g.Chunks))
            {
                var index = new ThriftWriter();
                index.Field(1, ThriftWriter.List);
                index.ListHeader(chunk.Pages.Count, ThriftWriter.Struct);
                foreach (var (offset, size, firstRow) in chunk.Pages)
                {
                    index.BeginStruct();
                    index.I64(1, offset);
                    index.I32(2, size);
                    index.I64(3, firstRow);
                    index.EndStruct();
                }
                index.Stop();
                chunk.IndexOffset = file.Position;
                chunk.IndexLength = (int)index.Length;
                index.CopyTo(file);
            }
        }
        var footer = new ThriftWriter();
        footer.I32(1, 1);
        footer.Field(2, ThriftWriter.List);
        footer.ListHeader(3, ThriftWriter.Struct);
        footer.BeginStruct(); footer.Binary(4, "schema"); footer.I32(5, 2); footer.EndStruct();
        footer.BeginStruct(); footer.I32(1, 2); footer.I32(3, 0); footer.Binary(4, "id"); footer.EndStruct();
        footer.BeginStruct(); footer.I32(1, 6); footer.I32(3, 0); footer.Binary(4, "name"); footer.I32(6, 0); footer.EndStruct();
        footer.I64(3, rows);
        footer.Field(4, ThriftWriter.List);
        footer.ListHeader(groups.Count, ThriftWriter.Struct);
        foreach (var (groupRows, chunks) in groups)
        {
            footer.BeginStruct();
            footer.Field(1, ThriftWriter.List);
            footer.ListHeader(chunks.Count, ThriftWriter.Struct);
            foreach (var c in chunks)
            {
                footer.BeginStruct();
                footer.I64(2, c.Start);
                footer.Field(3, ThriftWriter.Struct);
                footer.BeginStruct();
                footer.I32(1, c.Type);
                footer.Field(2, ThriftWriter.List);
                footer.ListHeader(2, ThriftWriter.I32Type);
                footer.RawI32(0);
                footer.RawI32(3);
                footer.Field(3, ThriftWriter.List);
                footer.ListHeader(1, ThriftWriter.BinaryType);
                footer.RawBinary(c.Name);
                footer.I32(4, 0);
                footer.I64(5, groupRows);
                footer.I64(6, c.Length);
                footer.I64(7, c.Length);
                footer.I64(9, c.Start);
                footer.EndStruct();
                if (c.IndexLength > 0)
                {
                    footer.I64(4, c.IndexOffset);
                    footer.I32(5, c.IndexLength);
                }
                footer.EndStruct();
            }
            footer.I64(2, chunks.Sum(c => c.Length));
            footer.I64(3, groupRows);
            footer.EndStruct();
        }
        footer.Binary(6, "Faceberg.Bench paged writer");
        footer.Stop();
        var footerStart = file.Position;
        footer.CopyTo(file);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, (int)(file.Position - footerStart));
        file.Write(length);
        file.Write("PAR1"u8);
        return file.ToArray();
    }

    private sealed class Chunk(string name, int type, long start)
    {
        public string Name { get; } = name;
        public int Type { get; } = type;
        public long Start { get; } = start;
        public long Length { get; set; }
        public List<(long Offset, int Size, long FirstRow)> Pages { get; } = [];
        public long IndexOffset { get; set; }
        public int IndexLength { get; set; }
    }

    private static Chunk WriteChunk(MemoryStream file, string name, int type, long firstId, int rows, int rowsPerPage, Action<long, Stream> value)
    {
        var chunk = new Chunk(name, type, file.Position);
        for (var row = 0; row < rows; row += rowsPerPage)
        {
            var count = Math.Min(rowsPerPage, rows - row);
            var body = new MemoryStream();
            for (var i = 0; i < count; i++) value(firstId + row + i, body);
            var header = new ThriftWriter();
            header.I32(1, 0);
            header.I32(2, (int)body.Length);
            header.I32(3, (int)body.Length);
            header.Field(5, ThriftWriter.Struct);
            header.BeginStruct();
            header.I32(1, count);
            header.I32(2, 0);
            header.I32(3, 3);
            header.I32(4, 3);
            header.EndStruct();
            header.Stop();
            chunk.Pages.Add((file.Position, (int)(header.Length + body.Length), row));
            header.CopyTo(file);
            body.WriteTo(file);
        }
        chunk.Length = file.Position - chunk.Start;
        return chunk;
    }

    /// <summary>Thrift's compact protocol, the part a Parquet footer, page header and offset index need.</summary>
    private sealed class ThriftWriter
    {
        public const byte I32Type = 5, I64Type = 6, BinaryType = 8, List = 9, Struct = 12;
        private readonly MemoryStream _out = new();
        private readonly Stack<short> _last = new([0]);

        public long Length => _out.Length;

        public void CopyTo(Stream stream) => _out.WriteTo(stream);

        public void Field(short id, byte type)
        {
            var delta = id - _last.Peek();
            if (delta is > 0 and <= 15) _out.WriteByte((byte)(delta << 4 | type));
            else
            {
                _out.WriteByte(type);
                Varint(ZigZag(id));
            }
            _last.Pop();
            _last.Push(id);
        }

        public void I32(short id, int v) { Field(id, I32Type); RawI32(v); }
        public void I64(short id, long v) { Field(id, I64Type); Varint(ZigZag(v)); }
        public void Binary(short id, string v) { Field(id, BinaryType); RawBinary(v); }
        public void RawI32(int v) => Varint(ZigZag(v));

        public void RawBinary(string v)
        {
            var bytes = Encoding.UTF8.GetBytes(v);
            Varint((ulong)bytes.Length);
            _out.Write(bytes);
        }

        public void ListHeader(int size, byte type)
        {
            if (size < 15) _out.WriteByte((byte)(size << 4 | type));
            else
            {
                _out.WriteByte((byte)(0xF0 | type));
                Varint((ulong)size);
            }
        }

        public void BeginStruct() => _last.Push(0);

        public void EndStruct()
        {
            Stop();
            _last.Pop();
        }

        public void Stop() => _out.WriteByte(0);

        private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

        private void Varint(ulong v)
        {
            while (v >= 0x80)
            {
                _out.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _out.WriteByte((byte)v);
        }
    }
}
