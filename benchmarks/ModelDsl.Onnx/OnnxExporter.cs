using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ModelDsl.Onnx;

/// <summary>
/// Writes a ModelDsl model as an ONNX file (opset 17) for inference: Conv, MaxPool, AveragePool, Gemm
/// (with Flatten before it), BatchNormalization (running statistics), Add, GlobalAveragePool, Relu, Tanh,
/// Sigmoid; Dropout and disabled layers are left out. The batch axis is symbolic (<c>N</c>), so one
/// file serves every batch size. Weights are stored as raw little-endian float32 in PyTorch layout,
/// which is also ONNX's.
/// </summary>
/// <remarks>
/// The model's run-time layout records each layer's kind, shapes, hyperparameters and the inputs of a
/// merge, but not the input of a layer declared with <c>From</c> (a residual block's projection
/// shortcut reads the block's input, not the layer before it). Such layers are named in
/// <see cref="OnnxExportOptions.Inputs"/>; <see cref="BlockInputs"/> builds that map for block layers
/// that read their block's input. Batch normalization is written with ε = 1e-5, the layer's default
/// (the layout does not record a different one).
/// </remarks>
public static partial class OnnxExporter
{
    /// <summary>The opset written in the file.</summary>
    public const int Opset = 17;

    /// <summary>The name of the graph's input tensor.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's output tensor.</summary>
    public const string OutputName = "output";

    private const int IrVersion = 8;      // the IR version of opset 17 (ONNX 1.12)
    private const int FloatType = 1;      // TensorProto.DataType.FLOAT
    private const int IntsAttribute = 7;  // AttributeProto.AttributeType.INTS
    private const int IntAttribute = 2;   // AttributeProto.AttributeType.INT
    private const int FloatAttribute = 1; // AttributeProto.AttributeType.FLOAT
    private const float BatchNormEps = 1e-5f;

    /// <summary>Writes <paramref name="model"/> to the file <paramref name="path"/> (replaced whole).</summary>
    public static void Export(Model model, string path, OnnxExportOptions? options = null)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp)) Export(model, stream, options);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="output"/>.</summary>
    /// <exception cref="NotSupportedException">A layer has a kind or an activation the exporter does not write; the message names it.</exception>
    /// <exception cref="ArgumentException">An entry of <see cref="OnnxExportOptions.Inputs"/> names a layer that is not there, or not
    /// earlier; or a layer's input shape is not the shape of the layer it would read (a <c>From</c> layer missing from the entries).</exception>
    public static void Export(Model model, Stream output, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        var graph = new GraphBuilder(model, options?.Inputs ?? new Dictionary<string, string>());
        var proto = new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "ModelDsl")
            .Message(7, graph.Build())
            .Message(8, new ProtoWriter().String(1, "").Int(2, Opset));
        output.Write(proto.Written);
    }

    /// <summary>
    /// The <see cref="OnnxExportOptions.Inputs"/> entries for block layers that read their block's input
    /// (declared with <c>From = Input</c>): each layer named <c>Block.i.<paramref name="layerNames"/></c>
    /// reads the output of the layer before the block's first layer.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BlockInputs(Model model, params string[] layerNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = model.Layout.Summary.Layers;
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            var name = layers[i].Name;
            var dot = name.LastIndexOf('.');
            if (dot < 0 || !layerNames.Contains(name[(dot + 1)..], StringComparer.Ordinal)) continue;
            var block = name[..(dot + 1)];
            var first = 0;
            while (!layers[first].Name.StartsWith(block, StringComparison.Ordinal)) first++;
            inputs[name] = first == 0 ? InputName : layers[first - 1].Name;
        }
        return inputs;
    }

    private sealed partial class GraphBuilder(Model model, IReadOnlyDictionary<string, string> inputs)
    {
        private readonly ProtoWriter _graph = new();
        private readonly Dictionary<string, string> _tensorOf = new(StringComparer.Ordinal) { [InputName] = InputName };

        public ProtoWriter Build()
        {
            foreach (var (layer, source) in inputs)
            {
                if (!model.Layout.Summary.Layers.Any(l => l.Name == layer))
                    throw new ArgumentException($"OnnxExportOptions.Inputs names layer '{layer}', which {model.GetType().Name} does not have.", nameof(inputs));
                if (source != InputName && !model.Layout.Summary.Layers.Any(l => l.Name == source))
                    throw new ArgumentException($"OnnxExportOptions.Inputs gives layer '{layer}' the input '{source}', which is neither '{InputName}' nor a layer of {model.GetType().Name}.", nameof(inputs));
            }
            var previous = (Name: InputName, Shape: model.InputShape);
            var shapeOf = new Dictionary<string, Shape>(StringComparer.Ordinal) { [InputName] = model.InputShape };
            foreach (var layer in model.Layout.Summary.Layers)
            {
                var source = inputs.TryGetValue(layer.Name, out var from) ? (Name: from, Shape: shapeOf[from]) : previous;
                if (layer.Kind is not ("Add" or "Concat" or "Multiply") && source.Shape != layer.Input)
                    throw new ArgumentException(
                        $"Layer '{layer.Name}' takes {layer.Input} but would read '{source.Name}', which gives {source.Shape}: it reads another layer (From); " +
                        "name that layer in OnnxExportOptions.Inputs (OnnxExporter.BlockInputs builds the entries for layers that read their block's input).");
                _tensorOf[layer.Name] = Emit(layer, Tensor(layer, source.Name));
                shapeOf[layer.Name] = layer.Output;
                previous = (layer.Name, layer.Output);
            }
            var previousTensor = _tensorOf[previous.Name];
            Node("Identity", [previousTensor], OutputName, "output");
            _graph.String(2, model.GetType().Name);
            foreach (var p in model.ParameterList.Concat(model.BufferList)) Initializer(p.Name, p.Dimensions.Select(d => (long)d), p.Values);
            _graph.Message(11, ValueInfo(InputName, model.InputShape));
            _graph.Message(12, ValueInfo(OutputName, model.OutputShape));
            return _graph;
        }

        private string Tensor(LayerInfo layer, string source) =>
            _tensorOf.TryGetValue(source, out var tensor)
                ? tensor
                : throw new ArgumentException($"Layer '{layer.Name}' reads '{source}', which comes after it (OnnxExportOptions.Inputs must name an earlier layer).");

        /// <summary>Writes the nodes of <paramref name="layer"/> reading <paramref name="x"/>; returns the tensor holding its output.</summary>
        private string Emit(LayerInfo layer, string x)
        {
            var name = layer.Name;
            var activation = FusedActivation(layer);
            var y = activation is null ? name : name + "/linear";
            switch (layer.Kind)
            {
                case "Conv2D":
                    {
                        var weight = model.GetParameter(name + ".weight");
                        var d = weight.Dimensions;
                        var bias = model.ParameterList.FirstOrDefault(p => p.Name == name + ".bias");
                        Node("Conv", bias is null ? [x, weight.Name] : [x, weight.Name, bias.Name], y, name,
                            Ints("kernel_shape", d[2], d[3]),
                            Ints("strides", Window(layer, "S")),
                            Ints("pads", Pads(layer)),
                            Ints("dilations", Window(layer, "D", ifAbsent: 1)),
                            Int("group", Count(layer, "G", ifAbsent: 1)));
                        break;
                    }
                case "MaxPool2D" or "AvgPool2D":
                    {
                        var pads = Pads(layer);
                        if (layer.Kind == "AvgPool2D" && pads.Any(p => p != 0))
                            throw new NotSupportedException($"Layer '{name}': a padded AvgPool2D is not exported (which padded values count toward the mean is not recorded).");
                        Node(layer.Kind == "MaxPool2D" ? "MaxPool" : "AveragePool", [x], y, name,
                            Ints("kernel_shape", Window(layer, "F")), Ints("strides", Window(layer, "S")), Ints("pads", pads));
                        break;
                    }
                case "Dense":
                    {
                        var flat = x;
                        if (!layer.Input.IsFlat)
                        {
                            flat = name + "/flat";
                            Node("Flatten", [x], flat, name + "/flatten", Int("axis", 1));
                        }
                        var bias = model.ParameterList.FirstOrDefault(p => p.Name == name + ".bias");
                        Node("Gemm", bias is null ? [flat, name + ".weight"] : [flat, name + ".weight", bias.Name], y, name, Int("transB", 1));
                        break;
                    }
                case "BatchNorm":
                    {
                        var scale = name + ".weight";
                        var shift = name + ".bias";
                        if (!model.ParameterList.Any(p => p.Name == scale))
                        {
                            (scale, shift) = (name + "/ones", name + "/zeros");
                            var c = layer.Input.C;
                            Initializer(scale, [c], Enumerable.Repeat(1f, c).ToArray());
                            Initializer(shift, [c], new float[c]);
                        }
                        Node("BatchNormalization", [x, scale, shift, name + ".running_mean", name + ".running_var"], y, name,
                            Float("epsilon", BatchNormEps));
                        break;
                    }
                case "Add":
                    {
                        var operands = MergeInputs(layer).Select(s => Tensor(layer, s)).ToArray();
                        var sum = operands[0];
                        for (var i = 1; i < operands.Length; i++)
                        {
                            var to = i == operands.Length - 1 ? y : $"{name}/sum{i}";
                            Node("Add", [sum, operands[i]], to, $"{name}/add{i}");
                            sum = to;
                        }
                        break;
                    }
                case "GlobalAvgPool":
                    Node("GlobalAveragePool", [x], name + "/pooled", name);
                    Node("Flatten", [name + "/pooled"], y, name + "/flatten", Int("axis", 1));
                    break;
                case "Flatten":
                    Node("Flatten", [x], y, name, Int("axis", 1));
                    break;
                case "Dropout" or "Identity":
                    return x; // inference: the input passes through
                default:
                    if (OnnxActivation(layer.Kind) is { } op)
                    {
                        Node(op, [x], name, name);
                        return name;
                    }
                    throw new NotSupportedException($"Layer '{name}' ({layer.Description}) is not exported: the exporter writes Conv2D, MaxPool2D, AvgPool2D, Dense, BatchNorm, Add, GlobalAvgPool, Flatten, Dropout, ReLU, Tanh and Sigmoid.");
            }
            if (activation is null) return y;
            Node(activation, [y], name, name + "/activation");
            return name;
        }

        private static string? FusedActivation(LayerInfo layer)
        {
            var plus = layer.Description.LastIndexOf(" + ", StringComparison.Ordinal);
            if (plus < 0) return null;
            var kind = layer.Description[(plus + 3)..];
            return OnnxActivation(kind)
                ?? throw new NotSupportedException($"Layer '{layer.Name}' ({layer.Description}): the activation {kind} is not exported (ReLU, Tanh and Sigmoid are).");
        }

        private static string? OnnxActivation(string kind) => kind switch
        {
            "ReLU" => "Relu",
            "Tanh" => "Tanh",
            "Sigmoid" => "Sigmoid",
            _ => null,
        };

        /// <summary>The layers named in <c>Add(a, b) + ReLU</c>.</summary>
        private static string[] MergeInputs(LayerInfo layer)
        {
            var open = layer.Description.IndexOf('(');
            var close = layer.Description.IndexOf(')');
            return layer.Description[(open + 1)..close].Split(", ");
        }

        /// <summary>A window's height and width from <c>F=3</c> or <c>F=3×5</c> in the description.</summary>
        private static long[] Window(LayerInfo layer, string key, int? ifAbsent = null)
        {
            var m = Regex.Match(layer.Description, $@"[(,] ?{key}=(\d+)(?:×(\d+))?");
            if (!m.Success)
                return ifAbsent is { } v ? [v, v] : throw new NotSupportedException($"Layer '{layer.Name}' ({layer.Description}) has no {key}= to read.");
            var h = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return [h, m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : h];
        }

        private static long Count(LayerInfo layer, string key, int ifAbsent)
        {
            var m = Regex.Match(layer.Description, $@"[(,] ?{key}=(\d+)");
            return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : ifAbsent;
        }

        /// <summary>ONNX pads [top, left, bottom, right] from <c>P=1</c> or <c>P=(top 1, left 1, bottom 0, right 0)</c>; none written is 0.</summary>
        private static long[] Pads(LayerInfo layer)
        {
            var sides = PaddingSides().Match(layer.Description);
            if (sides.Success)
                return [.. Enumerable.Range(1, 4).Select(g => long.Parse(sides.Groups[g].Value, CultureInfo.InvariantCulture))];
            var p = Regex.Match(layer.Description, @"[(,] ?P=(\d+)");
            var v = p.Success ? long.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return [v, v, v, v];
        }

        [GeneratedRegex(@"P=\(top (\d+), left (\d+), bottom (\d+), right (\d+)\)")]
        private static partial Regex PaddingSides();

        private void Node(string op, string[] nodeInputs, string output, string name, params ProtoWriter[] attributes)
        {
            var node = new ProtoWriter();
            foreach (var i in nodeInputs) node.String(1, i);
            node.String(2, output).String(3, name).String(4, op);
            foreach (var a in attributes) node.Message(5, a);
            _graph.Message(1, node);
        }

        private static ProtoWriter Ints(string name, params long[] values) =>
            new ProtoWriter().String(1, name).PackedInts(8, values).Int(20, IntsAttribute);

        private static ProtoWriter Int(string name, long value) =>
            new ProtoWriter().String(1, name).Int(3, value).Int(20, IntAttribute);

        private static ProtoWriter Float(string name, float value) =>
            new ProtoWriter().String(1, name).Float(2, value).Int(20, FloatAttribute);

        private void Initializer(string name, IEnumerable<long> dims, ReadOnlySpan<float> values)
        {
            var bytes = MemoryMarshal.AsBytes(values);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian.");
            _graph.Message(5, new ProtoWriter().PackedInts(1, dims).Int(2, FloatType).String(8, name).Bytes(9, bytes));
        }

        /// <summary>A float tensor (N, …sample) with a symbolic batch axis.</summary>
        private static ProtoWriter ValueInfo(string name, Shape sample)
        {
            var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, "N"));
            int[] dims = sample.Rank switch
            {
                1 => [sample.C],
                2 => [sample.C, sample.W],
                _ => [sample.C, sample.H, sample.W],
            };
            foreach (var d in dims) shape.Message(1, new ProtoWriter().Int(1, d));
            var tensor = new ProtoWriter().Int(1, FloatType).Message(2, shape);
            return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
        }
    }
}

/// <summary>Options of <see cref="OnnxExporter.Export(Model, Stream, OnnxExportOptions?)"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>
    /// Layers that do not read the layer before them, mapped to the layer they read
    /// (<see cref="OnnxExporter.InputName"/> for the model's input). See <see cref="OnnxExporter.BlockInputs"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
}
