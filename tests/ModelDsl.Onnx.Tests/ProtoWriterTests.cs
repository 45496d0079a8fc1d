namespace ModelDsl.Onnx.Tests;

/// <summary>The wire format against the encodings the protocol-buffers documentation works out by hand.</summary>
public class ProtoWriterTests
{
    [Fact]
    public void Varint150InField1_IsTheDocumentedThreeBytes() =>
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, new ProtoWriter().Int(1, 150).Written.ToArray());

    [Fact]
    public void StringInField2_IsTagLengthAndUtf8() =>
        Assert.Equal(new byte[] { 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67 }, new ProtoWriter().String(2, "testing").Written.ToArray());

    [Fact]
    public void NegativeInt_TakesTenBytes() =>
        Assert.Equal(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, new ProtoWriter().Int(1, -1).Written.ToArray());

    [Fact]
    public void PackedInts_AreOneLengthDelimitedField() =>
        // field 4, wire type 2 → 0x22; payload 3, 270 (0x8E 0x02), 86942 (0x9E 0xA7 0x05): 6 bytes.
        Assert.Equal(new byte[] { 0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05 }, new ProtoWriter().PackedInts(4, [3, 270, 86942]).Written.ToArray());

    [Fact]
    public void Float_IsFixed32LittleEndian() =>
        // 1.0f = 0x3F800000; field 2, wire type 5 → 0x15.
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, new ProtoWriter().Float(2, 1f).Written.ToArray());

    [Fact]
    public void NestedMessage_IsItsBytesWithTheirLength() =>
        // The documentation's Test3 { Test1 c = 3; } with a = 150: 1a 03 08 96 01.
        Assert.Equal(new byte[] { 0x1A, 0x03, 0x08, 0x96, 0x01 }, new ProtoWriter().Message(3, new ProtoWriter().Int(1, 150)).Written.ToArray());
}
