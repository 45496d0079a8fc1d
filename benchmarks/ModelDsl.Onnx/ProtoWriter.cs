using System.Buffers.Binary;
using System.Text;

namespace ModelDsl.Onnx;

/// <summary>
/// The protocol-buffers wire format, as much of it as an ONNX file needs: varints (wire type 0),
/// 32-bit values (type 5) and length-delimited fields (type 2) holding strings, packed numbers and
/// nested messages. A nested message is written into its own writer and copied in with its length.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _bytes = new();

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _bytes.GetBuffer().AsSpan(0, (int)_bytes.Length);

    /// <summary>Field <paramref name="field"/> as a varint (int32, int64, enum: negative values take ten bytes, as protobuf specifies).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    /// <summary>Field <paramref name="field"/> as a 32-bit float.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    /// <summary>Field <paramref name="field"/> as a UTF-8 string.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Field <paramref name="field"/> as raw bytes.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    /// <summary>Field <paramref name="field"/> as a nested message.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.Written);

    /// <summary>Repeated int64 field <paramref name="field"/>, packed.</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (var v in values) packed.Varint((ulong)v);
        return Bytes(field, packed.Written);
    }

    private void Tag(int field, int wireType) => Varint((ulong)(field << 3 | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
