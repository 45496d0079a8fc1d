using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>
    /// The single source of truth for sizes and shape errors: ModelSpec → ShapedModel. Pure C#, no
    /// Roslyn types; the generator and the analyzers both run it, nothing else computes an output size.
    /// </summary>
    /// <remarks>
    /// Output size per spatial axis (strict, the course's rule): W' = (W − F + 2P)/S + 1, an error when
    /// the division is not exact. <c>Same</c>: W' = ⌈W/S⌉ with the needed padding split, the extra
    /// row/column at the bottom/right. Receptive field: r' = r + (F − 1)·j, jump j' = j·S.
    /// </remarks>
    internal static class ShapeEngine
    {
        /// <summary>The largest per-sample tensor the runtime indexes (int).</summary>
        private const long MaxSize = int.MaxValue;

        public static ShapedModel Run(ModelSpec spec)
        {
            var problems = new List<ShapeProblem>();
            var layers = new List<ShapedLayer>();
            if (!TryInput(spec, problems, out var input))
            {
                return new ShapedModel(spec, default, layers.ToEquatableArray(), problems.ToEquatableArray());
            }

            if (spec.HasForeignBase)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "",
                    $"Model '{spec.ClassName}' declares a base class; the generator makes every model derive from ModelDsl.Model, so remove it"));
                return new ShapedModel(spec, input, layers.ToEquatableArray(), problems.ToEquatableArray());
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < spec.Layers.Count; i++)
            {
                if (!seen.Add(spec.Layers[i].Name))
                {
                    // Two members with one name: the C# compiler reports it (CS0102).
                    problems.Add(Problem(ProblemKind.NotBound, i, "", $"'{spec.Layers[i].Name}' is declared twice."));
                    return new ShapedModel(spec, input, layers.ToEquatableArray(), problems.ToEquatableArray());
                }
            }

            var current = input;
            long rf = 1, jump = 1;
            for (var i = 0; i < spec.Layers.Count; i++)
            {
                var layer = spec.Layers[i];
                var before = problems.Count;
                var shaped = Layer(spec, i, layer, current, ref rf, ref jump, problems);
                if (shaped is null || problems.Count > before)
                {
                    break; // later shapes depend on this one; one root cause, one diagnostic
                }
                layers.Add(shaped);
                current = shaped.Out;
            }

            return new ShapedModel(spec, input, layers.ToEquatableArray(), problems.ToEquatableArray());
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
            if (dims.Count != 1 && dims.Count != 3)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, -1, "Input",
                    dims.Count == 0
                        ? $"Model '{spec.ClassName}' declares no input shape; write Input = [C, H, W] (e.g. [1, 28, 28]) or Input = [features]"
                        : $"Model '{spec.ClassName}' declares Input = {written}; the input shape must be [C, H, W] or [features]"));
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
            input = dims.Count == 3 ? Dims.Map(dims[0], dims[1], dims[2]) : Dims.Vector(dims[0]);
            return true;
        }

        private static ShapedLayer? Layer(ModelSpec spec, int index, LayerSpec layer, Dims x,
            ref long rf, ref long jump, List<ShapeProblem> problems)
        {
            var where = $"{layer.Attribute} '{layer.Name}'";
            if (layer.Malformed)
            {
                problems.Add(Problem(ProblemKind.NotBound, index, "", $"{where} does not bind."));
                return null;
            }
            if (!layer.IsPartial)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "",
                    $"'{layer.Name}' must be declared as 'partial Layer {layer.Name} {{ get; }}' for the generator to implement it"));
                return null;
            }
            if (layer.ExtraLayerAttributes.Count > 0)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "",
                    $"'{layer.Name}' declares {layer.Attribute} and {string.Join(" and ", layer.ExtraLayerAttributes)}; " +
                    "a property declares one layer (an activation may stand beside it)"));
                return null;
            }

            var init = InitFor(spec, index);
            switch (layer.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.MaxPool2D:
                case LayerKind.AvgPool2D:
                    return Windowed(index, layer, where, x, init, ref rf, ref jump, problems);

                case LayerKind.Flatten:
                    rf += (x.H - 1) * jump;
                    return Simple(layer, x, Dims.Vector(checked((int)x.Size)), (int)rf);

                case LayerKind.Dense:
                {
                    if (layer.Units <= 0)
                    {
                        problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Units",
                            $"{where} has Units = {Num.I(layer.Units)}; the number of outputs must be at least 1"));
                        return null;
                    }
                    var inputs = x.Size; // a Dense layer flattens its input: (N, C, H, W) → (N, C·H·W)
                    var weights = inputs * layer.Units;
                    if (weights > MaxSize)
                    {
                        problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Units",
                            $"{where} would have {Num.I(layer.Units)} × {Num.I(inputs)} = {Num.Grouped(weights)} weights, more than {Num.Grouped(MaxSize)}"));
                        return null;
                    }
                    rf += (x.H - 1) * jump;
                    var bias = layer.Bias ? layer.Units : 0;
                    return new ShapedLayer(layer, x, Dims.Vector(layer.Units), 0, 0, 0, 0, 0, 0, 0, 0,
                        weights, bias, (int)inputs, layer.Units, init,
                        2 * weights + bias, Clamp(rf));
                }

                case LayerKind.Dropout:
                    if (!(layer.Rate >= 0 && layer.Rate < 1))
                    {
                        problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "P",
                            $"{where} has p = {Num.D(layer.Rate)}; the drop probability p must be in [0, 1)"));
                        return null;
                    }
                    return Simple(layer, x, x, Clamp(rf));

                default: // Activation
                    return Simple(layer, x, x, Clamp(rf));
            }
        }

        private static ShapedLayer Simple(LayerSpec layer, Dims x, Dims y, int rf) =>
            new(layer, x, y, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, WeightInit.GlorotUniform, 0, rf);

        private static int Clamp(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

        /// <summary>
        /// The weight scale depends on what follows: He (√(6/fan_in)) before a ReLU, Glorot otherwise.
        /// Pooling, dropout and flattening between the layer and its activation do not change that.
        /// </summary>
        private static WeightInit InitFor(ModelSpec spec, int index)
        {
            var layer = spec.Layers[index];
            if (layer.Activation != ActivationKind.None && layer.Kind != LayerKind.Activation)
            {
                return layer.Activation == ActivationKind.ReLU ? WeightInit.HeUniform : WeightInit.GlorotUniform;
            }
            for (var i = index + 1; i < spec.Layers.Count; i++)
            {
                var next = spec.Layers[i];
                switch (next.Kind)
                {
                    case LayerKind.Dropout:
                    case LayerKind.MaxPool2D:
                    case LayerKind.AvgPool2D:
                    case LayerKind.Flatten:
                        continue;
                    case LayerKind.Activation:
                        return next.Activation == ActivationKind.ReLU ? WeightInit.HeUniform : WeightInit.GlorotUniform;
                    default:
                        return WeightInit.GlorotUniform;
                }
            }
            return WeightInit.GlorotUniform;
        }

        private static ShapedLayer? Windowed(int index, LayerSpec layer, string where, Dims x, WeightInit init,
            ref long rf, ref long jump, List<ShapeProblem> problems)
        {
            var isConv = layer.Kind == LayerKind.Conv2D;
            var kernelArg = isConv ? "Kernel" : "Size";
            var k = layer.Kernel;
            var s = layer.Stride == 0 && !isConv ? k : layer.Stride; // pooling: S defaults to F
            var p = layer.PadMode == PadMode.Explicit ? layer.Padding : 0;

            if (isConv && layer.Units <= 0)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Filters",
                    $"{where} has Filters = {Num.I(layer.Units)}; the number of filters K must be at least 1"));
                return null;
            }
            if (k <= 0)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, kernelArg,
                    $"{where} has {kernelArg} = {Num.I(k)}; the window size F must be at least 1"));
                return null;
            }
            if (layer.Stride < 0 || (isConv && layer.Stride == 0))
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Stride",
                    $"{where} has Stride = {Num.I(layer.Stride)}; the stride S must be at least 1"));
                return null;
            }
            if (layer.PadMode == PadMode.Explicit && layer.Padding < 0)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Padding",
                    $"{where} has Padding = {Num.I(layer.Padding)}; the padding P must be 0 or more"));
                return null;
            }
            if (!isConv && layer.PadMode == PadMode.Explicit && 2L * p > k)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Padding",
                    $"{where} has Padding = {Num.I(p)} with a {Num.I(k)}×{Num.I(k)} window; pooling padding must be at most half the window ({Num.I(k / 2)}), or some windows would see only padding"));
                return null;
            }
            if (layer.PadMode != PadMode.Explicit && layer.PadMode != PadMode.Valid && layer.PadMode != PadMode.Same)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "PaddingMode",
                    $"{where} has PaddingMode = {Num.I((int)layer.PadMode)}; use Explicit, Valid or Same"));
                return null;
            }
            if (x.Flat)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "",
                    $"{where} needs a (C, H, W) input, but its input is flat: {x}; move it before the first Dense or Flatten layer"));
                return null;
            }

            var rows = Axis(x.H, k, s, p, layer.PadMode);
            var cols = Axis(x.W, k, s, p, layer.PadMode);
            if (rows.TooLarge || cols.TooLarge)
            {
                problems.Add(Problem(ProblemKind.NonPositiveOutput, index, kernelArg,
                    $"{where} has a {Num.I(k)}×{Num.I(k)} window larger than its padded {Num.I(x.H)}×{Num.I(x.W)} input: " +
                    string.Join(" and ", new[] { (rows, "rows", x.H), (cols, "columns", x.W) }
                        .Where(a => a.Item1.TooLarge)
                        .Select(a => $"{Arithmetic(a.Item3, k, p, s)} = {Num.D(a.Item1.Exact)} {a.Item2}")) +
                    "; the output size must be at least 1"));
                return null;
            }
            if (!rows.IsInteger || !cols.IsInteger)
            {
                var failing = new[] { (rows, "rows", x.H), (cols, "columns", x.W) }.Where(a => !a.Item1.IsInteger).ToArray();
                var paddings = FixPaddings(x, k, s, p, isConv);
                var fixes = paddings.Length == 0
                    ? "no padding makes it exact"
                    : "Padding = " + string.Join(" or ", paddings.Select(v => Num.I(v))) + " makes it exact";
                problems.Add(new ShapeProblem(ProblemKind.NonIntegerOutput, index,
                    layer.Stride != 0 || isConv ? "Stride" : kernelArg,
                    $"{where} gives " +
                    string.Join(" and ", failing.Select(a => $"{Arithmetic(a.Item3, k, p, s)} = {Num.D(a.Item1.Exact)} {a.Item2}")) +
                    $"; (W − F + 2P)/S + 1 must be an integer. {Cap(fixes)}, or PaddingMode = Same gives {Num.I(Ceil(x.H, s))}×{Num.I(Ceil(x.W, s))}",
                    paddings.ToEquatableArray(), FixSame: true));
                return null;
            }

            // Checked on the long sizes before they narrow to int (a huge padding would wrap).
            var channels = isConv ? layer.Units : x.C;
            if ((double)channels * rows.LongSize * cols.LongSize > MaxSize)
            {
                problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, isConv ? "Filters" : kernelArg,
                    $"{where} gives (N, {Num.I(channels)}, {Num.I(rows.LongSize)}, {Num.I(cols.LongSize)}): more than {Num.Grouped(MaxSize)} values per sample"));
                return null;
            }
            var y = Dims.Map(channels, rows.Size, cols.Size);
            rf += (k - 1) * jump;
            jump *= s;

            long weights = 0, bias = 0, flops;
            int fanIn = 0, fanOut = 0;
            if (isConv)
            {
                var weightCount = (System.Numerics.BigInteger)layer.Units * x.C * k * k; // K·C·F·F can overflow a long
                if (weightCount > MaxSize)
                {
                    problems.Add(Problem(ProblemKind.InvalidHyperparameter, index, "Filters",
                        $"{where} would have {weightCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} weights, more than {Num.Grouped(MaxSize)}"));
                    return null;
                }
                weights = (long)weightCount;
                bias = layer.Bias ? layer.Units : 0;
                fanIn = (int)Math.Min((long)x.C * k * k, int.MaxValue);
                fanOut = (int)Math.Min((long)layer.Units * k * k, int.MaxValue);
                flops = 2 * weights * rows.Size * cols.Size + bias * rows.Size * cols.Size;
            }
            else
            {
                flops = (long)x.C * rows.Size * cols.Size * k * k;
            }

            return new ShapedLayer(layer, x, y, k, k, s, s, rows.Before, cols.Before, rows.After, cols.After,
                weights, bias, fanIn, fanOut, init, flops, Clamp(rf));
        }

        private static string Cap(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static long Ceil(long a, long b) => (a + b - 1) / b;

        /// <summary>The course's arithmetic as text: <c>(10 − 3 + 0)/2 + 1</c>, the middle term being 2P.</summary>
        private static string Arithmetic(long w, long f, long p, long s) =>
            $"({Num.I(w)} − {Num.I(f)} + {Num.I(2 * p)})/{Num.I(s)} + 1";

        /// <summary>Paddings (0 ≤ P &lt; F, at most F/2 for pooling) that make both axes exact, closest to the written one first.</summary>
        private static int[] FixPaddings(Dims x, int k, int s, int current, bool isConv)
        {
            var limit = isConv ? k - 1 : k / 2;
            var result = new List<int>();
            for (var p = 0; p <= limit && p <= 1024; p++)
            {
                if ((x.H - k + 2L * p) >= 0 && (x.H - k + 2L * p) % s == 0 &&
                    (x.W - k + 2L * p) >= 0 && (x.W - k + 2L * p) % s == 0)
                {
                    result.Add(p);
                }
            }
            return result.OrderBy(p => Math.Abs(p - current)).ThenBy(p => p).Take(3).ToArray();
        }

        private readonly struct AxisResult
        {
            public AxisResult(long numerator, long stride, int before, int after)
            {
                Numerator = numerator;
                Stride = stride;
                Before = before;
                After = after;
            }

            public long Numerator { get; }
            public long Stride { get; }
            public int Before { get; }
            public int After { get; }
            public double Exact => (double)Numerator / Stride + 1;
            public bool TooLarge => Numerator < 0;
            public bool IsInteger => Numerator % Stride == 0;
            public long LongSize => Numerator / Stride + 1;
            public int Size => (int)LongSize;
        }

        private static AxisResult Axis(int size, int k, int s, int p, PadMode mode)
        {
            if (mode == PadMode.Same)
            {
                var outSize = Ceil(size, s);
                var total = Math.Max((outSize - 1) * s + k - size, 0);
                var before = total / 2;
                // (size − k + total)/s + 1 = outSize exactly when total > 0; when total is 0 the
                // window fits with room to spare and the last rows are simply not reached.
                var numerator = (outSize - 1) * s;
                return new AxisResult(numerator, s, (int)before, (int)(total - before));
            }
            var n = (long)size - k + 2L * p;
            return new AxisResult(n, s, p, p);
        }

        private static ShapeProblem Problem(ProblemKind kind, int index, string argument, string message) =>
            new(kind, index, argument, message, EquatableArray<int>.Empty, false);
    }
}
