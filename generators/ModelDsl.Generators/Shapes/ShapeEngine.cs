using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>
    /// The single source of truth for sizes and shape errors: ModelSpec → ShapedModel. Pure C#, no
    /// Roslyn types; the generator and the analyzers both run it, nothing else computes an output size.
    /// </summary>
    /// <remarks>
    /// Output size per spatial axis (strict, the course's rule): W′ = (W − D·(F − 1) − 1 + 2P)/S + 1, an
    /// error when the division is not exact unless the model or layer opts in to Floor/Ceil. <c>Same</c>:
    /// W′ = ⌈W/S⌉ with the needed padding split, the extra row/column at the bottom/right. Transposed
    /// convolution: W′ = (W − 1)·S − 2P + D·(F − 1) + OutputPadding + 1. Receptive field: r′ = r + D·(F − 1)·j,
    /// jump j′ = j·S; a merge sees the widest of its inputs.
    /// </remarks>
    internal static partial class ShapeEngine
    {
        /// <summary>The largest per-sample tensor (and parameter count of one layer) the runtime indexes (int).</summary>
        private const long MaxSize = int.MaxValue;

        public static ShapedModel Run(ModelSpec spec)
        {
            var problems = new List<ShapeProblem>();
            var layers = new List<ShapedLayer>();
            ShapedModel Result(Dims input) => new(spec, input, layers.ToEquatableArray(), problems.ToEquatableArray());

            if (!TryInput(spec, problems, out var input)) return Result(default);
            if (spec.HasForeignBase)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "",
                    $"Model '{spec.ClassName}' declares a base class; the generator makes every model derive from ModelDsl.Model, so remove it"));
                return Result(input);
            }

            var declared = new Dictionary<string, int>(StringComparer.Ordinal);
            var identifiers = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < spec.Layers.Count; i++)
            {
                var layer = spec.Layers[i];
                if (declared.ContainsKey(layer.Name))
                {
                    // Two members with one name: the C# compiler reports it (CS0102).
                    problems.Add(Problem(ProblemKind.NotBound, i, "", $"'{layer.Name}' is declared twice."));
                    return Result(input);
                }
                if (!identifiers.Add(Identifier(layer.Name)))
                {
                    problems.Add(Problem(ProblemKind.InvalidHyperparameter, i, "",
                        $"'{layer.Name}' and another layer both become '{Identifier(layer.Name)}' in generated code; rename one"));
                    return Result(input);
                }
                declared[layer.Name] = i;
                // A block use's property names the block's last layer.
                if (layer.Property.Length > 0 && layer.Property != layer.Name) declared[layer.Property] = i;
            }

            var fields = new List<(long Rf, long Jump)>();
            for (var i = 0; i < spec.Layers.Count; i++)
            {
                var before = problems.Count;
                var shaped = new LayerShaper(spec, i, input, layers, fields, declared, problems).Shape();
                if (shaped is null || problems.Count > before)
                {
                    break; // later shapes depend on this one; one root cause, one diagnostic
                }
                layers.Add(shaped);
            }
            if (problems.Count == 0) problems.AddRange(Review(spec, input, layers));
            return Result(input);
        }

        private static bool TryInput(ModelSpec spec, List<ShapeProblem> problems, out Dims input)
        {
            input = default;
            if (spec.InputMalformed)
            {
                problems.Add(Problem(ProblemKind.NotBound, -1, "Input", "The Input argument does not bind."));
                return false;
            }
            var dims = spec.Input;
            var written = "[" + string.Join(", ", dims.Select(d => Num.I(d))) + "]";
            if (dims.Count < 1 || dims.Count > 3)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "Input",
                    dims.Count == 0
                        ? $"Model '{spec.ClassName}' declares no input shape; write Input = [C, H, W] (e.g. [1, 28, 28]), [C, L] or [features]"
                        : $"Model '{spec.ClassName}' declares Input = {written}; the input shape must be [C, H, W], [C, L] or [features]"));
                return false;
            }
            if (dims.Any(d => d <= 0))
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "Input",
                    $"Model '{spec.ClassName}' declares Input = {written}; every dimension must be at least 1"));
                return false;
            }
            if (dims.Aggregate(1.0, (p, d) => p * d) > MaxSize) // a double product: three ints can overflow a long
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "Input",
                    $"Model '{spec.ClassName}' declares Input = {written}: more than {Num.Grouped(MaxSize)} values per sample"));
                return false;
            }
            input = dims.Count switch
            {
                3 => Dims.Map(dims[0], dims[1], dims[2]),
                2 => Dims.Sequence(dims[0], dims[1]),
                _ => Dims.Vector(dims[0]),
            };
            return true;
        }

        /// <summary>A layer name as a C# identifier: the dots of inlined block layers become underscores.</summary>
        internal static string Identifier(string name) => name.Replace('.', '_');

        internal static ShapeProblem Problem(ProblemKind kind, int index, string argument, string message) =>
            new(kind, index, argument, message, EquatableArray<int>.Empty, false);

        /// <summary>Shapes one layer: resolves its inputs, checks its arguments, computes its output and costs.</summary>
        private sealed class LayerShaper
        {
            private readonly ModelSpec _spec;
            private readonly int _index;
            private LayerSpec _layer;
            private readonly Dims _modelInput;
            private readonly List<ShapedLayer> _done;
            private readonly List<(long Rf, long Jump)> _fields;
            private readonly Dictionary<string, int> _declared;
            private readonly List<ShapeProblem> _problems;
            private readonly string _where;
            private int[] _inputs = Array.Empty<int>();
            private Dims[] _shapes = Array.Empty<Dims>();
            private long _rf = 1, _jump = 1;

            public LayerShaper(ModelSpec spec, int index, Dims modelInput, List<ShapedLayer> done,
                List<(long Rf, long Jump)> fields, Dictionary<string, int> declared, List<ShapeProblem> problems)
            {
                _spec = spec;
                _index = index;
                _layer = spec.Layers[index];
                _modelInput = modelInput;
                _done = done;
                _fields = fields;
                _declared = declared;
                _problems = problems;
                _where = $"{_layer.Attribute} '{_layer.Name}'";
            }

            private Dims X => _shapes[0];

            public ShapedLayer? Shape()
            {
                if (_layer.Malformed)
                {
                    return Fail(ProblemKind.NotBound, "", $"{_where} does not bind.");
                }
                if (!_layer.IsPartial)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "",
                        $"'{_layer.Name}' must be declared as 'partial Layer {_layer.Name} {{ get; }}' for the generator to implement it");
                }
                if (_layer.ExtraLayerAttributes.Count > 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "",
                        $"'{_layer.Name}' declares {_layer.Attribute} and {string.Join(" and ", _layer.ExtraLayerAttributes)}; " +
                        "a property declares one layer (an activation may stand beside it)");
                }
                if (_layer.Expressions.Count > 0 && !Evaluate()) return null;
                if (!ResolveInputs()) return null;

                var shaped = _layer.Kind switch
                {
                    LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D
                        or LayerKind.MaxPool2D or LayerKind.AvgPool2D or LayerKind.MaxPool1D or LayerKind.AvgPool1D => Windowed(),
                    LayerKind.Dense => Dense(),
                    LayerKind.Flatten => Simple(Dims.Vector((int)X.Size), 0, (Math.Max(X.H, X.W) - 1) * _jump),
                    LayerKind.Dropout => Dropout(),
                    LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool => GlobalPool(),
                    LayerKind.MaxUnpool2D => Unpool(),
                    LayerKind.BatchNorm or LayerKind.LayerNorm or LayerKind.InstanceNorm or LayerKind.GroupNorm
                        or LayerKind.LocalResponseNorm => Normalization(),
                    LayerKind.Add => Add(),
                    LayerKind.Concat => Concat(),
                    LayerKind.Multiply => Multiply(),
                    LayerKind.Identity => Simple(X, 0, 0),
                    _ => Simple(X, 0, 0), // a standalone activation (not counted, like dropout)
                };
                if (shaped is not null) _fields.Add((_rf, _jump));
                return shaped;
            }

            // ---- inputs ----------------------------------------------------------------------

            private bool ResolveInputs()
            {
                var kind = _layer.Kind;
                string[] names;
                if (kind is LayerKind.Add or LayerKind.Concat)
                {
                    names = _layer.Inputs.ToArray();
                    if (names.Length < 2)
                    {
                        Fail(ProblemKind.InvalidHyperparameter, "Inputs",
                            $"{_where} names {Num.I(names.Length)} input{(names.Length == 1 ? "" : "s")}; it combines two or more (nameof(A), nameof(B), …)");
                        return false;
                    }
                }
                else if (kind == LayerKind.Multiply)
                {
                    names = _layer.Inputs.ToArray();
                    if (names.Length != 2)
                    {
                        Fail(ProblemKind.InvalidHyperparameter, "", $"{_where} takes a feature map and a per-channel scale: Multiply(nameof(X), nameof(Scale))");
                        return false;
                    }
                }
                else
                {
                    names = _layer.Inputs.ToArray(); // From, or empty for "the previous layer"
                }

                if (names.Length == 0)
                {
                    _inputs = new[] { _index - 1 };
                }
                else
                {
                    _inputs = new int[names.Length];
                    for (var i = 0; i < names.Length; i++)
                    {
                        var found = Reference(names[i], ArgumentOfInput(i));
                        if (found is null) return false;
                        _inputs[i] = found.Value;
                    }
                }
                _shapes = _inputs.Select(j => j < 0 ? _modelInput : _done[j].Out).ToArray();
                foreach (var j in _inputs)
                {
                    var (rf, jump) = j < 0 ? (1L, 1L) : _fields[j];
                    if (rf > _rf) (_rf, _jump) = (rf, jump);
                }
                return true;
            }

            private string ArgumentOfInput(int position) => _layer.Kind switch
            {
                LayerKind.Add or LayerKind.Concat => "Inputs",
                LayerKind.Multiply => position == 0 ? "Input" : "Scale",
                _ => "From",
            };

            /// <summary>
            /// Binds a block layer's expressions: its copy's parameters and <c>In</c> (the copy's input channels)
            /// give <c>Filters</c>, <c>Kernel</c>, <c>Stride</c>, <c>Padding</c>, <c>Groups</c>, <c>Units</c>; a false <c>When</c>
            /// turns the layer into an identity of its input.
            /// </summary>
            private bool Evaluate()
            {
                var names = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var binding in _layer.Bindings)
                {
                    var eq = binding.IndexOf('=');
                    if (eq > 0 && long.TryParse(binding.Substring(eq + 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v)) names[binding.Substring(0, eq)] = v;
                }
                if (_layer.BlockInput.Length > 0)
                {
                    var source = _layer.BlockInput == ReservedNames.ModelInput ? -1 : Reference(_layer.BlockInput, "");
                    if (source is null) return false;
                    names["In"] = source < 0 ? _modelInput.C : _done[source.Value].Out.C;
                }

                var layer = _layer;
                foreach (var pair in _layer.Expressions)
                {
                    var eq = pair.IndexOf('=');
                    var target = pair.Substring(0, eq);
                    var text = pair.Substring(eq + 1);
                    if (target == "Error")
                    {
                        Fail(ProblemKind.InvalidHyperparameter, "", text);
                        return false;
                    }
                    var value = Expression.Evaluate(text, names, out var error);
                    if (value is null)
                    {
                        Fail(ProblemKind.InvalidHyperparameter, target == "When" ? "When" : target + "Of",
                            $"{_where}: cannot evaluate {(target == "When" ? "When" : target + "Of")} = \"{text}\": {error}");
                        return false;
                    }
                    var n = (int)value.Value;
                    layer = target switch
                    {
                        "Filters" or "Units" => layer with { Units = n },
                        "Kernel" => layer with { KernelH = layer.KernelH == 1 && layer.Kind is LayerKind.Conv1D ? 1 : n, KernelW = n },
                        "Stride" => layer with { StrideH = layer.Kind is LayerKind.Conv1D ? 1 : n, StrideW = n },
                        "Padding" => layer with { PadH = layer.Kind is LayerKind.Conv1D ? 0 : n, PadW = n },
                        "Groups" => layer with { Groups = n },
                        "Dilation" => layer with { Dilation = n },
                        "When" when n == 0 => layer with { Kind = LayerKind.Identity, Activation = ActivationKind.None, Attribute = "Identity" },
                        _ => layer,
                    };
                }
                _layer = layer;
                return true;
            }

            /// <summary>The index of an earlier layer named <paramref name="name"/>; a problem when it is unknown, this layer or a later one.</summary>
            private int? Reference(string name, string argument)
            {
                if (name == ReservedNames.ModelInput) return -1;
                if (_declared.TryGetValue(name, out var target))
                {
                    if (target < _index) return target;
                    Fail(ProblemKind.LaterReference, argument, target == _index
                        ? $"{_where} reads its own output; a layer reads earlier layers only, so the network has no cycles"
                        : $"{_where} reads '{name}', which is declared after it; a layer reads earlier layers only (order = data flow), so move '{name}' up or this layer down",
                        name);
                    return null;
                }
                var close = _spec.Layers.Take(_index).Select(l => l.Name)
                    .OrderBy(n => Distance(n, name)).ThenBy(n => n, StringComparer.Ordinal)
                    .Where(n => Distance(n, name) <= Math.Max(2, name.Length / 3)).Take(1).ToArray();
                Fail(ProblemKind.UnknownReference, argument,
                    $"{_where} reads '{name}', which is not a layer of '{_spec.ClassName}'" +
                    (close.Length > 0 ? $"; did you mean '{close[0]}'?" : "; name an earlier layer with nameof(...)"),
                    name);
                return null;
            }

            private static int Distance(string a, string b)
            {
                var d = new int[a.Length + 1, b.Length + 1];
                for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
                for (var j = 0; j <= b.Length; j++) d[0, j] = j;
                for (var i = 1; i <= a.Length; i++)
                {
                    for (var j = 1; j <= b.Length; j++)
                    {
                        var cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                        d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    }
                }
                return d[a.Length, b.Length];
            }

            // ---- layers ----------------------------------------------------------------------

            private ShapedLayer? Dense()
            {
                if (_layer.Units <= 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Units", $"{_where} has Units = {Num.I(_layer.Units)}; the number of outputs must be at least 1");
                }
                var inputs = X.Size; // a Dense layer flattens its input: (N, C, H, W) → (N, C·H·W)
                if (_layer.DeclaredIn != 0 && _layer.DeclaredIn != inputs)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "In",
                        $"{_where} declares In = {Num.I(_layer.DeclaredIn)}, but its input {X} {(X.Flat ? "has" : "flattens to")} {Num.Grouped(inputs)} values");
                }
                var weights = inputs * _layer.Units;
                if (weights > MaxSize)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Units",
                        $"{_where} would have {Num.I(_layer.Units)} × {Num.I(inputs)} = {Num.Grouped(weights)} weights, more than {Num.Grouped(MaxSize)}");
                }
                _rf += (Math.Max(X.H, X.W) - 1) * _jump; // sees every position of its input
                var bias = _layer.Bias ? _layer.Units : 0;
                return Layer(Dims.Vector(_layer.Units), weights: weights, bias: bias, fanIn: (int)inputs, fanOut: _layer.Units,
                    flops: 2 * weights + bias);
            }

            private ShapedLayer? Dropout()
            {
                if (!(_layer.Rate >= 0 && _layer.Rate < 1))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "P", $"{_where} has p = {Num.D(_layer.Rate)}; the drop probability p must be in [0, 1)");
                }
                return Simple(X, 0, 0);
            }

            private ShapedLayer? GlobalPool()
            {
                if (X.Flat)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "", $"{_where} pools over positions, but its input is flat: {X}; place it before the first Dense or Flatten layer");
                }
                _rf += (Math.Max(X.H, X.W) - 1) * _jump;
                return Simple(Dims.Vector(X.C), X.Size, 0);
            }

            private ShapedLayer? Unpool()
            {
                var pool = Reference(_layer.Reference, "Pool");
                if (pool is null) return null;
                var source = _done[pool.Value];
                if (source.Spec.Kind != LayerKind.MaxPool2D)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Pool", $"{_where} names '{source.Spec.Name}', a {source.Spec.Attribute}; it needs the switches of a MaxPool2D layer");
                }
                if (X != source.Out)
                {
                    return Fail(ProblemKind.MergeMismatch, "",
                        $"{_where} unpools through '{source.Spec.Name}', whose output is {source.Out}, but its input is {X}; they must match");
                }
                return Simple(source.In, source.In.Size, 0);
            }

            private ShapedLayer? Normalization()
            {
                var kind = _layer.Kind;
                if (kind is LayerKind.InstanceNorm or LayerKind.GroupNorm or LayerKind.LocalResponseNorm && X.Flat)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "", $"{_where} normalizes over channels and positions, but its input is flat: {X}");
                }
                if (kind != LayerKind.LocalResponseNorm && !(_layer.Eps > 0))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Eps", $"{_where} has Eps = {Num.D(_layer.Eps)}; eps must be positive");
                }
                if (kind == LayerKind.BatchNorm && !(_layer.Momentum >= 0 && _layer.Momentum <= 1))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Momentum", $"{_where} has Momentum = {Num.D(_layer.Momentum)}; the momentum must be in [0, 1]");
                }
                if (kind == LayerKind.GroupNorm && (_layer.Groups <= 0 || X.C % _layer.Groups != 0))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Groups",
                        $"{_where} has Groups = {Num.I(_layer.Groups)}, which does not divide its {Num.I(X.C)} channels");
                }
                if (kind == LayerKind.LocalResponseNorm && _layer.Units <= 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Size", $"{_where} has Size = {Num.I(_layer.Units)}; the window of channels must be at least 1");
                }
                long affine = kind switch
                {
                    LayerKind.LayerNorm => X.Size,
                    LayerKind.LocalResponseNorm => 0,
                    _ => _layer.Affine ? X.C : 0,
                };
                var buffers = kind == LayerKind.BatchNorm ? 2L * X.C : 0;
                return Layer(X, weights: affine, bias: affine, fanIn: 0, fanOut: 0, flops: 4 * X.Size, buffers: buffers);
            }

            private ShapedLayer? Add()
            {
                for (var i = 1; i < _shapes.Length; i++)
                {
                    if (_shapes[i] != X) return MergeMismatch(i, "one shape");
                }
                return Simple(X, X.Size * (_shapes.Length - 1), 0);
            }

            private ShapedLayer? Concat()
            {
                long channels = 0;
                for (var i = 0; i < _shapes.Length; i++)
                {
                    var s = _shapes[i];
                    if (s.Rank != X.Rank || s.H != X.H || s.W != X.W) return MergeMismatch(i, X.Rank == 1 ? "flat inputs" : "equal H×W");
                    channels += s.C;
                }
                if (channels * X.H * X.W > MaxSize)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Inputs", $"{_where} gives {Num.Grouped(channels * X.H * X.W)} values per sample, more than {Num.Grouped(MaxSize)}");
                }
                return Simple(new Dims((int)channels, X.H, X.W, X.Rank), 0, 0);
            }

            private ShapedLayer? Multiply()
            {
                var scale = _shapes[1];
                var ok = !X.Flat && scale.C == X.C && scale.H == 1 && scale.W == 1;
                if (!ok)
                {
                    return Fail(ProblemKind.MergeMismatch, "Scale",
                        $"{_where} scales each channel of '{Name(0)}' {X} by '{Name(1)}' {scale}, which must be one value per channel: (N, {Num.I(X.C)})");
                }
                return Simple(X, X.Size, 0);
            }

            private string Name(int input) => _inputs[input] < 0 ? "the input" : _spec.Layers[_inputs[input]].Name;

            private ShapedLayer? MergeMismatch(int other, string requirement)
            {
                var a = X;
                var b = _shapes[other];
                var differences = new List<string>();
                if (a.Rank != b.Rank) differences.Add($"rank {Num.I(a.Rank)} vs {Num.I(b.Rank)}");
                if (a.C != b.C && _layer.Kind != LayerKind.Concat) differences.Add($"channels {Num.I(a.C)} vs {Num.I(b.C)}");
                if (a.H != b.H || a.W != b.W) differences.Add($"H×W {Num.I(a.H)}×{Num.I(a.W)} vs {Num.I(b.H)}×{Num.I(b.W)}");
                var message = $"{_where} needs {requirement}, but '{Name(0)}' gives {a} and '{Name(other)}' gives {b}: {string.Join(", ", differences)} differ";
                var projection = "";
                if (_layer.Kind == LayerKind.Add && a.Rank == 3 && b.Rank == 3 && (a.C != b.C || a.H != b.H))
                {
                    // Project the shortcut onto the main branch: the larger map when the sizes differ (the main
                    // branch strided), otherwise the earlier tensor (the shortcut is read from before the branch).
                    var shortcutFirst = a.H != b.H ? a.H > b.H : _inputs[0] <= _inputs[other];
                    var (big, small, name) = shortcutFirst ? (a, b, Name(0)) : (b, a, Name(other));
                    if (small.H > 0 && big.H % small.H == 0 && big.W % small.W == 0 && big.H / small.H == big.W / small.W)
                    {
                        var stride = big.H / small.H;
                        // A 1×1 window at stride s fits exactly only when s divides H − 1; otherwise Same gives ⌈H/s⌉ = the target.
                        var same = (big.H - 1) % stride != 0 || (big.W - 1) % stride != 0;
                        message += $"; project '{name}' with [Conv2D({Num.I(small.C)}, Kernel = 1{(stride > 1 ? $", Stride = {Num.I(stride)}" : "")}{(same ? ", PaddingMode = PaddingMode.Same" : "")})] first";
                        projection = $"{name}|{Num.I(small.C)}|{Num.I(stride)}|{(same ? "same" : "")}";
                    }
                }
                Fail(ProblemKind.MergeMismatch, "Inputs", message, _layer.Inputs.Count > other ? _layer.Inputs[other] : "");
                _problems[_problems.Count - 1] = _problems[_problems.Count - 1] with { Projection = projection };
                return null;
            }

            // ---- windows ---------------------------------------------------------------------

            private ShapedLayer? Windowed()
            {
                var kind = _layer.Kind;
                var isConv = kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D;
                var oneD = kind is LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D;
                var transposed = kind == LayerKind.ConvTranspose2D;
                var kernelArg = isConv ? "Kernel" : "Size";
                var l = _layer;
                var strideH = !isConv && l.StrideH == 0 ? l.KernelH : l.StrideH; // pooling: S defaults to F
                var strideW = !isConv && l.StrideW == 0 ? l.KernelW : l.StrideW;
                var explicitPadding = l.PadMode == PadMode.Explicit;
                var padH = explicitPadding ? l.PadH : 0;
                var padW = explicitPadding ? l.PadW : 0;

                if (isConv && l.Units <= 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Filters", $"{_where} has Filters = {Num.I(l.Units)}; the number of filters K must be at least 1");
                }
                if (l.KernelH <= 0 || l.KernelW <= 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, kernelArg, $"{_where} has {kernelArg} = {Num.I(Math.Min(l.KernelH, l.KernelW))}; the window size F must be at least 1");
                }
                if (l.StrideH < 0 || l.StrideW < 0 || (isConv && (l.StrideH == 0 || l.StrideW == 0)))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Stride", $"{_where} has Stride = {Num.I(Math.Min(l.StrideH, l.StrideW))}; the stride S must be at least 1");
                }
                if (explicitPadding && (l.PadH < 0 || l.PadW < 0))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Padding", $"{_where} has Padding = {Num.I(Math.Min(l.PadH, l.PadW))}; the padding P must be 0 or more");
                }
                if (!isConv && explicitPadding && (2L * padH > l.KernelH || 2L * padW > l.KernelW))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Padding",
                        $"{_where} has Padding = {Num.I(Math.Max(padH, padW))} with a {Num.I(l.KernelH)}×{Num.I(l.KernelW)} window; pooling padding must be at most half the window ({Num.I(Math.Min(l.KernelH, l.KernelW) / 2)}), or some windows would see only padding");
                }
                if (l.PadMode != PadMode.Explicit && l.PadMode != PadMode.Valid && l.PadMode != PadMode.Same)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "PaddingMode", $"{_where} has PaddingMode = {Num.I((int)l.PadMode)}; use Explicit, Valid or Same");
                }
                if (transposed && l.PadMode == PadMode.Same)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "PaddingMode", $"{_where} cannot use PaddingMode = Same; give Padding and OutputPadding");
                }
                if (isConv && l.Dilation <= 0)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Dilation", $"{_where} has Dilation = {Num.I(l.Dilation)}; the dilation D must be at least 1");
                }
                var rounding = l.Rounding == RoundingMode.Inherit ? _spec.Rounding : l.Rounding;
                if (rounding != RoundingMode.Strict && rounding != RoundingMode.Floor && rounding != RoundingMode.Ceil)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Rounding", $"{_where} has Rounding = {Num.I((int)rounding)}; use Strict, Floor or Ceil");
                }
                var wantRank = oneD ? 2 : 3;
                if (X.Rank != wantRank)
                {
                    var hint = X.Rank switch
                    {
                        1 => "; move it before the first Dense or Flatten layer",
                        2 => $"; use {l.Attribute.Replace("2D", "1D")} for (C, L) inputs",
                        _ => $"; use {l.Attribute.Replace("1D", "2D")} for (C, H, W) inputs",
                    };
                    var needs = oneD ? "(C, L)" : "(C, H, W)";
                    return Fail(ProblemKind.InvalidHyperparameter, "", $"{_where} needs a {needs} input, but its input is {(X.Flat ? "flat: " : "")}{X}{hint}");
                }
                if (isConv && (l.Groups <= 0 || X.C % l.Groups != 0 || l.Units % l.Groups != 0))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "Groups",
                        $"{_where} has Groups = {Num.I(l.Groups)}, which must divide both its {Num.I(X.C)} input channels and its {Num.I(l.Units)} filters");
                }
                if (transposed && (l.OutputPadding < 0
                    || (l.OutputPadding >= strideH && l.OutputPadding >= l.Dilation)
                    || (l.OutputPadding >= strideW && l.OutputPadding >= l.Dilation)))
                {
                    return Fail(ProblemKind.InvalidHyperparameter, "OutputPadding",
                        $"{_where} has OutputPadding = {Num.I(l.OutputPadding)}; it must be 0 or more and smaller than the stride or the dilation");
                }

                var dilation = isConv ? l.Dilation : 1;
                Axis rows, cols;
                if (transposed)
                {
                    rows = Axis.Transposed(X.H, l.KernelH, strideH, padH, dilation, l.OutputPadding);
                    cols = Axis.Transposed(X.W, l.KernelW, strideW, padW, dilation, l.OutputPadding);
                }
                else
                {
                    rows = Axis.Forward(X.H, l.KernelH, strideH, padH, dilation, l.PadMode, rounding, isConv);
                    cols = Axis.Forward(X.W, l.KernelW, strideW, padW, dilation, l.PadMode, rounding, isConv);
                }
                var axes = oneD ? new[] { (cols, "columns", X.W, l.KernelW, strideW, padW) }
                    : new[] { (rows, "rows", X.H, l.KernelH, strideH, padH), (cols, "columns", X.W, l.KernelW, strideW, padW) };

                if (axes.Any(a => a.Item1.TooSmall))
                {
                    return Fail(ProblemKind.NonPositiveOutput, kernelArg,
                        $"{_where} has a {Window(oneD)} window larger than its padded {(oneD ? Num.I(X.W) : $"{Num.I(X.H)}×{Num.I(X.W)}")} input: " +
                        string.Join(" and ", axes.Where(a => a.Item1.TooSmall).Select(a => $"{a.Item1.Arithmetic} = {Num.D(a.Item1.Exact)} {a.Item2}")) +
                        "; the output size must be at least 1");
                }
                if (axes.Any(a => !a.Item1.IsInteger))
                {
                    var failing = axes.Where(a => !a.Item1.IsInteger).ToArray();
                    var paddings = FixPaddings(axes.Select(a => (a.Item3, a.Item4, a.Item5)).ToArray(), dilation, padH, isConv);
                    var fixes = paddings.Length == 0
                        ? "no padding makes it exact"
                        : "Padding = " + string.Join(" or ", paddings.Select(v => Num.I(v))) + " makes it exact";
                    var same = oneD ? Num.I(Ceil(X.W, strideW)) : $"{Num.I(Ceil(X.H, strideH))}×{Num.I(Ceil(X.W, strideW))}";
                    _problems.Add(new ShapeProblem(ProblemKind.NonIntegerOutput, _index,
                        l.StrideH != 0 || isConv ? "Stride" : kernelArg,
                        $"{_where} gives " +
                        string.Join(" and ", failing.Select(a => $"{a.Item1.Arithmetic} = {Num.D(a.Item1.Exact)} {a.Item2}")) +
                        $"; (W − F + 2P)/S + 1 must be an integer. {Cap(fixes)}, or PaddingMode = Same gives {same}",
                        paddings.ToEquatableArray(), FixSame: true));
                    return null;
                }

                var channels = isConv ? l.Units : X.C;
                if ((double)channels * rows.Size * cols.Size > MaxSize)
                {
                    return Fail(ProblemKind.InvalidHyperparameter, isConv ? "Filters" : kernelArg,
                        $"{_where} gives (N, {Num.I(channels)}, {Num.I(rows.Size)}, {Num.I(cols.Size)}): more than {Num.Grouped(MaxSize)} values per sample");
                }
                var y = oneD ? Dims.Sequence(channels, (int)cols.Size) : Dims.Map(channels, (int)rows.Size, (int)cols.Size);
                var extent = Math.Max(oneD ? 1 : (long)dilation * (l.KernelH - 1), (long)dilation * (l.KernelW - 1));
                _rf += extent * _jump;
                _jump *= Math.Max(oneD ? 1 : strideH, strideW);

                long weights = 0, bias = 0, flops;
                int fanIn = 0, fanOut = 0;
                var taps = (long)l.KernelH * l.KernelW;
                if (isConv)
                {
                    var count = (BigInteger)l.Units * (X.C / l.Groups) * l.KernelH * l.KernelW; // K·(C/G)·F·F can overflow a long
                    if (count > MaxSize)
                    {
                        return Fail(ProblemKind.InvalidHyperparameter, "Filters",
                            $"{_where} would have {count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} weights, more than {Num.Grouped(MaxSize)}");
                    }
                    weights = (long)count;
                    bias = l.Bias ? l.Units : 0;
                    // PyTorch's fans: a transposed convolution's weight is (C, K/G, F, F), fan_in = (K/G)·F·F.
                    fanIn = (int)Math.Min((transposed ? l.Units / l.Groups : X.C / l.Groups) * taps, int.MaxValue);
                    fanOut = (int)Math.Min((transposed ? X.C / l.Groups : l.Units / l.Groups) * taps, int.MaxValue);
                    var positions = transposed ? (long)X.H * X.W : rows.Size * cols.Size;
                    flops = 2 * weights * positions + bias * rows.Size * cols.Size;
                }
                else
                {
                    flops = (long)X.C * rows.Size * cols.Size * taps;
                }

                return new ShapedLayer(l, _inputs.ToEquatableArray(), X, y,
                    l.KernelH, l.KernelW, oneD ? 1 : strideH, strideW, oneD ? 0 : rows.Before, cols.Before, oneD ? 0 : rows.After, cols.After,
                    weights, bias, fanIn, fanOut, InitFor(), flops, Clamp(_rf),
                    DilationH: oneD ? 1 : dilation, DilationW: dilation, Groups: isConv ? l.Groups : 1);
            }

            private string Window(bool oneD) => oneD ? Num.I(_layer.KernelW) : $"{Num.I(_layer.KernelH)}×{Num.I(_layer.KernelW)}";

            // ---- helpers ---------------------------------------------------------------------

            private ShapedLayer Simple(Dims y, long flops, long rfGrowth)
            {
                _rf += rfGrowth;
                return Layer(y, 0, 0, 0, 0, flops);
            }

            private ShapedLayer Layer(Dims y, long weights, long bias, int fanIn, int fanOut, long flops, long buffers = 0) =>
                new(_layer, _inputs.ToEquatableArray(), X, y, 0, 0, 0, 0, 0, 0, 0, 0,
                    weights, bias, fanIn, fanOut, InitFor(), flops, Clamp(_rf), BufferCount: buffers);

            private ShapedLayer? Fail(ProblemKind kind, string argument, string message, string value = "")
            {
                _problems.Add(Problem(kind, _index, argument, message) with { Value = value });
                return null;
            }

            private static int Clamp(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

            /// <summary>
            /// The weight scale depends on what follows: He (√(6/fan_in)) before a ReLU-like activation, Glorot
            /// otherwise. Pooling, dropout, normalization and flattening in between do not change that.
            /// </summary>
            private WeightInit InitFor()
            {
                var layers = _spec.Layers;
                if (_layer.Activation != ActivationKind.None && _layer.Kind != LayerKind.Activation)
                {
                    return ReLULike(_layer.Activation) ? WeightInit.HeUniform : WeightInit.GlorotUniform;
                }
                for (var i = _index + 1; i < layers.Count; i++)
                {
                    var next = layers[i];
                    if (next.Inputs.Count > 0 && !(next.Inputs.Count == 1 && next.Inputs[0] == layers[i - 1].Name)) return WeightInit.GlorotUniform;
                    switch (next.Kind)
                    {
                        case LayerKind.Dropout:
                        case LayerKind.MaxPool2D:
                        case LayerKind.AvgPool2D:
                        case LayerKind.MaxPool1D:
                        case LayerKind.AvgPool1D:
                        case LayerKind.Flatten:
                        case LayerKind.BatchNorm:
                        case LayerKind.GroupNorm:
                        case LayerKind.InstanceNorm:
                        case LayerKind.LayerNorm:
                            if (next.Activation != ActivationKind.None) return ReLULike(next.Activation) ? WeightInit.HeUniform : WeightInit.GlorotUniform;
                            continue;
                        case LayerKind.Activation:
                            return ReLULike(next.Activation) ? WeightInit.HeUniform : WeightInit.GlorotUniform;
                        default:
                            return WeightInit.GlorotUniform;
                    }
                }
                return WeightInit.GlorotUniform;
            }

            private static bool ReLULike(ActivationKind a) => a is ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.ReLU6;
        }

        private static string Cap(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static long Ceil(long a, long b) => (a + b - 1) / b;

        /// <summary>Paddings (0 ≤ P &lt; F, at most F/2 for pooling) that make every axis exact, closest to the written one first.</summary>
        private static int[] FixPaddings((int Size, int Kernel, int Stride)[] axes, int dilation, int current, bool isConv)
        {
            var kernel = axes.Min(a => a.Kernel);
            var limit = isConv ? kernel - 1 : kernel / 2;
            var result = new List<int>();
            for (var p = 0; p <= limit && p <= 1024; p++)
            {
                if (axes.All(a =>
                    {
                        var n = (long)a.Size - (long)dilation * (a.Kernel - 1) - 1 + 2L * p;
                        return n >= 0 && a.Stride > 0 && n % a.Stride == 0;
                    }))
                {
                    result.Add(p);
                }
            }
            return result.OrderBy(p => Math.Abs(p - current)).ThenBy(p => p).Take(3).ToArray();
        }

        /// <summary>One spatial axis of a window layer: its output size, and the padding before/after it implies.</summary>
        private readonly struct Axis
        {
            private Axis(long numerator, long stride, long size, int before, int after, string arithmetic, bool exactRequired)
            {
                Numerator = numerator;
                Stride = stride;
                Size = size;
                Before = before;
                After = after;
                Arithmetic = arithmetic;
                IsInteger = !exactRequired || numerator % stride == 0;
            }

            public long Numerator { get; }
            public long Stride { get; }
            public long Size { get; }
            public int Before { get; }
            public int After { get; }
            public string Arithmetic { get; }
            public bool IsInteger { get; }
            public double Exact => (double)Numerator / Stride + 1;
            public bool TooSmall => Numerator < 0 || Size < 1;

            /// <summary>(size − D·(F − 1) − 1 + 2P)/S + 1, strict or rounded; Same computes its own padding.</summary>
            public static Axis Forward(int size, int k, int s, int p, int d, PadMode mode, RoundingMode rounding, bool isConv)
            {
                var extent = (long)d * (k - 1) + 1;
                if (mode == PadMode.Same)
                {
                    var outSize = Ceil(size, s);
                    var total = Math.Max((outSize - 1) * s + extent - size, 0);
                    var before = total / 2;
                    // The padded axis is then an exact fit, or the last rows are simply not reached.
                    return new Axis((outSize - 1) * s, s, outSize, (int)before, (int)(total - before), Text(size, k, d, (int)before, s), false);
                }
                var n = size - extent + 2L * p;
                var arithmetic = Text(size, k, d, p, s);
                if (n < 0) return new Axis(n, s, 0, p, p, arithmetic, true);
                long outCount = rounding switch
                {
                    RoundingMode.Floor => n / s + 1,
                    RoundingMode.Ceil => Ceil(n, s) + 1,
                    _ => n / s + 1,
                };
                // PyTorch's rule for ceil mode: the last window must start inside the input or its left padding.
                // (With pooling's P ≤ F/2 one window at most starts beyond; a convolution's larger P can leave several.)
                while (rounding == RoundingMode.Ceil && outCount > 1 && (outCount - 1) * s >= size + p) outCount--;
                var after = (outCount - 1) * s + extent - size - p; // rows past the input the last window covers (may be negative: rows never read)
                return new Axis(n, s, outCount, p, (int)Math.Max(0, Math.Min(after, int.MaxValue)), arithmetic, rounding == RoundingMode.Strict);
            }

            /// <summary>(size − 1)·S − 2P + D·(F − 1) + OutputPadding + 1.</summary>
            public static Axis Transposed(int size, int k, int s, int p, int d, int outputPadding)
            {
                var outSize = ((long)size - 1) * s - 2L * p + (long)d * (k - 1) + outputPadding + 1;
                var arithmetic = $"({Num.I(size)} − 1)·{Num.I(s)} − {Num.I(2L * p)} + {(d == 1 ? "" : Num.I(d) + "·")}({Num.I(k)} − 1) + {Num.I(outputPadding)} + 1";
                return new Axis(outSize - 1, 1, outSize, p, p, arithmetic, false);
            }

            /// <summary>The course's arithmetic as text: <c>(10 − 3 + 0)/2 + 1</c>, the middle term being 2P; with dilation <c>(10 − 2·(3 − 1) − 1 + 0)/2 + 1</c>.</summary>
            internal static string Text(long w, long f, long d, long p, long s) => d == 1
                ? $"({Num.I(w)} − {Num.I(f)} + {Num.I(2 * p)})/{Num.I(s)} + 1"
                : $"({Num.I(w)} − {Num.I(d)}·({Num.I(f)} − 1) − 1 + {Num.I(2 * p)})/{Num.I(s)} + 1";
        }
    }
}
