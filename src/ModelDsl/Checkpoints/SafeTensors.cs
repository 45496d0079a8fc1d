using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ModelDsl;

/// <summary>
/// Checkpoints in the safetensors format (readable by PyTorch's <c>safetensors.torch.load_file</c>): an
/// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
/// then the little-endian float32 data. Parameters and buffers are saved under their PyTorch-style
/// names (<c>C1.weight</c>, <c>Bn1.running_var</c>).
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes every parameter and buffer of <paramref name="model"/> to <paramref name="path"/>, atomically:
    /// the data goes to a temporary file beside it, flushed to disk, then renamed over the target, so an
    /// existing checkpoint is replaced whole or not at all.
    /// </summary>
    /// <param name="model">The model to save.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="metadata">Optional string pairs stored in the header's <c>__metadata__</c>.</param>
    public static void Save(Model model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Write(path, ModelTensors(model), "ModelDsl " + model.GetType().Name, metadata ?? new Dictionary<string, string>());
    }

    /// <summary>A tensor to write: its name, dimensions and float32 values.</summary>
    internal readonly record struct Entry(string Name, IReadOnlyList<int> Shape, ReadOnlyMemory<float> Data);

    /// <summary>Every parameter and buffer of <paramref name="model"/> under its name, as views of the model's buffers.</summary>
    internal static IEnumerable<Entry> ModelTensors(Model model) =>
        model.ParameterList.Concat(model.BufferList).Select(p => new Entry(p.Name, p.Dimensions, p.Memory));

    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> (with <c>format</c> = <c>pt</c> and
    /// <c>producer</c>) to <paramref name="path"/> atomically: a uniquely named temporary file beside it,
    /// flushed to disk, then renamed over the target. A crash at any moment leaves the target as it was or
    /// as written, never a mixture (a temporary file may be left behind; later writes are not affected).
    /// </summary>
    internal static void Write(string path, IEnumerable<Entry> tensors, string producer, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal) { MetadataKey };
        foreach (var tensor in list)
        {
            if (!names.Add(tensor.Name)) throw new ArgumentException($"Two tensors are called '{tensor.Name}'.", nameof(tensors));
        }
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            json.WriteString("format", "pt");
            json.WriteString("producer", producer);
            foreach (var (key, value) in metadata)
            {
                if (key is "format" or "producer") continue;
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            long offset = 0;
            foreach (var tensor in list)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * tensor.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // The data starts 8-byte aligned: the header is padded with spaces, as the format allows.
        var headerLength = (header.Length + 7) / 8 * 8;
        while (header.Length < headerLength) header.WriteByte((byte)' ');

        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerLength);
                file.Write(length);
                header.Position = 0;
                header.CopyTo(file);
                foreach (var tensor in list) WriteFloats(file, tensor.Data.Span);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="model"/>'s parameters and buffers by name. Everything
    /// is checked before anything is copied: a missing, truncated or corrupt file, a tensor of the wrong
    /// dtype or shape, or (when <paramref name="strict"/>) a tensor missing from the file or one the model
    /// does not have, throws with the file and the tensor named, and leaves the model unchanged.
    /// </summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="path">The checkpoint.</param>
    /// <param name="strict">Whether every tensor of the model must be in the file and every tensor of the file in the model.</param>
    /// <param name="include">When given, only the model's tensors it accepts are loaded (and required); the others are left as they are (a new head for transfer learning).</param>
    /// <remarks>
    /// A training checkpoint (<see cref="TrainingCheckpoint"/>) holds the model's tensors under their usual names
    /// beside training state (optimizer moments, early stopping's best weights) under prefixes its metadata lists
    /// in <c>modeldsl.state_prefixes</c>. Those tensors are never loaded into a model and never count as extra,
    /// so this method loads just the weights from such a file, strict or not.
    /// </remarks>
    /// <returns>The names of the model's tensors that were not loaded (empty when strict and nothing is excluded).</returns>
    public static IReadOnlyList<string> Load(Model model, string path, bool strict = true, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var contents = Read(path);
        var file = contents with { Tensors = ModelTensorsOf(contents) };
        var tensors = model.ParameterList.Concat(model.BufferList).ToLookup(p => include is null || include(p.Name));
        var excluded = tensors[false].Select(p => p.Name).ToList();
        var targets = tensors[true].ToDictionary(p => p.Name, StringComparer.Ordinal);
        var missing = targets.Keys.Where(name => !file.Tensors.ContainsKey(name)).ToList();
        if (strict)
        {
            if (missing.Count > 0)
                throw new InvalidDataException($"{path}: the checkpoint has no tensor {string.Join(", ", missing.Take(5).Select(n => $"'{n}'"))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")} of {model.GetType().Name}.");
            var extra = file.Tensors.Keys.Where(name => !targets.ContainsKey(name) && (include is null || include(name))).ToList();
            if (extra.Count > 0)
                throw new InvalidDataException($"{path}: {model.GetType().Name} has no parameter or buffer {string.Join(", ", extra.Take(5).Select(n => $"'{n}'"))}{(extra.Count > 5 ? $" and {extra.Count - 5} more" : "")}; load with strict: false to skip them.");
        }
        foreach (var (name, tensor) in file.Tensors)
        {
            if (!targets.TryGetValue(name, out var target)) continue;
            if (!tensor.Shape.SequenceEqual(target.Dimensions))
                throw new InvalidDataException($"{path}: tensor '{name}' is ({string.Join(", ", tensor.Shape)}) in the file but ({string.Join(", ", target.Dimensions)}) in {model.GetType().Name}.");
        }
        foreach (var (name, tensor) in file.Tensors)
        {
            if (targets.TryGetValue(name, out var target)) tensor.Data.CopyTo(target.Values);
        }
        return excluded.Concat(missing).ToList();
    }

    /// <summary>The metadata key under which a training checkpoint lists its state prefixes, comma-separated.</summary>
    internal const string StatePrefixesKey = "modeldsl.state_prefixes";

    /// <summary>The tensors of <paramref name="contents"/> that are model tensors: all but those under the state prefixes its metadata lists.</summary>
    internal static IReadOnlyDictionary<string, Tensor> ModelTensorsOf(Contents contents)
    {
        if (!contents.Metadata.TryGetValue(StatePrefixesKey, out var list)) return contents.Tensors;
        var prefixes = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return contents.Tensors
            .Where(t => !prefixes.Any(prefix => t.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
    }

    /// <summary>A tensor read from a file.</summary>
    /// <param name="Shape">Its dimensions.</param>
    /// <param name="Data">Its values.</param>
    public sealed record Tensor(int[] Shape, float[] Data);

    /// <summary>The contents of a safetensors file.</summary>
    /// <param name="Tensors">Every float32 tensor by name.</param>
    /// <param name="Metadata">The header's <c>__metadata__</c>.</param>
    public sealed record Contents(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Reads and checks a whole safetensors file (float32 tensors only).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt; the message says where.</exception>
    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: {bytes.Length} bytes, too short for a safetensors header length (8 bytes).");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{path}: the header claims {headerLength} bytes but the file has only {bytes.Length - 8} after the length.");
        var dataStart = 8 + (int)headerLength;
        var dataLength = bytes.Length - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: the header is not a JSON object.");
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == MetadataKey)
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                tensors[entry.Name] = ReadTensor(path, entry, bytes, dataStart, dataLength);
            }
            return new Contents(tensors, metadata);
        }
    }

    private static Tensor ReadTensor(string path, JsonProperty entry, byte[] bytes, int dataStart, int dataLength)
    {
        var name = entry.Name;
        var value = entry.Value;
        string Where() => $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype)
            || !value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"{Where()} lacks dtype, shape or data_offsets.");
        }
        if (dtype.GetString() != "F32")
            throw new InvalidDataException($"{Where()} is {dtype.GetString()}; ModelDsl reads F32 tensors.");
        var shape = new int[shapeJson.GetArrayLength()];
        long count = 1;
        var k = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (!d.TryGetInt32(out var dim) || dim < 0) throw new InvalidDataException($"{Where()} has an invalid dimension {d}.");
            shape[k++] = dim;
            count *= dim;
        }
        if (!offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin || end > dataLength)
            throw new InvalidDataException($"{Where()} has data_offsets [{offsets[0]}, {offsets[1]}] outside the {dataLength} data bytes (truncated file?).");
        if (end - begin != 4 * count)
            throw new InvalidDataException($"{Where()}: ({string.Join(", ", shape)}) needs {4 * count} bytes but its data_offsets span {end - begin}.");
        var data = new float[count];
        var source = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
        if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(source).CopyTo(data);
        else for (var i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
        return new Tensor(shape, data);
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            stream.Write(four);
        }
    }
}
