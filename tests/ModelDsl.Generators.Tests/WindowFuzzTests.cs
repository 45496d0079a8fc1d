using System.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Random window layers (one or two) through the shape engine, checked against <see cref="Windows"/>, a
/// reference that counts window positions one by one instead of using the size formula.
/// </summary>
public class WindowFuzzTests
{
    private const int Cases = 3000;

    private static readonly LayerKind[] MapKinds = [LayerKind.Conv2D, LayerKind.MaxPool2D, LayerKind.AvgPool2D, LayerKind.ConvTranspose2D];
    private static readonly LayerKind[] SequenceKinds = [LayerKind.Conv1D, LayerKind.MaxPool1D, LayerKind.AvgPool1D];

    [Fact]
    public void RandomWindowLayers_AgreeWithCountingWindowPositions()
    {
        var rng = new Random(20260405);
        var clock = Stopwatch.StartNew();
        var disagreements = new List<string>();
        var verdicts = new Dictionary<string, int>();
        for (var i = 0; i < Cases; i++)
        {
            var oneD = rng.Next(4) == 0;
            var input = oneD ? new[] { rng.Next(1, 5), rng.Next(1, 41) } : new[] { rng.Next(1, 5), rng.Next(1, 41), rng.Next(1, 41) };
            var layers = Enumerable.Range(0, rng.Next(1, 3)).Select(j => RandomLayer(rng, "L" + j, oneD ? SequenceKinds : MapKinds)).ToArray();
            var modelRounding = rng.Next(4) == 0 ? RoundingMode.Floor : RoundingMode.Strict;
            var spec = Spec(input, layers, modelRounding);

            var expected = Windows.Model(input, layers, modelRounding);
            var actual = ShapeEngine.Run(spec);
            var verdict = expected.Kind?.ToString() ?? "Valid";
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;

            var mismatch = Compare(expected, actual, layers, modelRounding);
            if (mismatch is not null) disagreements.Add($"{Describe(input, layers, modelRounding)}: {mismatch}");
        }
        clock.Stop();

        Assert.True(disagreements.Count == 0, $"{disagreements.Count} of {Cases} disagree:\n" + string.Join("\n", disagreements.Take(20)));
        // The generator must have produced every verdict often enough to test it.
        foreach (var kind in new[] { "Valid", nameof(ProblemKind.NonIntegerOutput), nameof(ProblemKind.NonPositiveOutput), nameof(ProblemKind.InvalidHyperparameter) })
        {
            Assert.True(verdicts.GetValueOrDefault(kind) >= 100, $"only {verdicts.GetValueOrDefault(kind)} cases end {kind}");
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{Cases} cases took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void MalformedValues_NeverThrow_AndOutOfRangeArgumentsAreErrors()
    {
        int[] values = [int.MinValue, -7, -1, 0, 1, 2, 3, 5, 9, 40, 100_000, int.MaxValue];
        var rng = new Random(7);
        int Pick() => rng.Next(3) == 0 ? rng.Next(1, 6) : values[rng.Next(values.Length)];
        for (var i = 0; i < Cases; i++)
        {
            var kinds = rng.Next(2) == 0 ? MapKinds : SequenceKinds;
            var input = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => Pick()).ToArray();
            var layers = Enumerable.Range(0, rng.Next(1, 3)).Select(j =>
            {
                var kind = kinds[rng.Next(kinds.Length)];
                return LayerSpec.Create("L" + j, kind, kind.ToString()) with
                {
                    Units = Pick(), KernelH = Pick(), KernelW = Pick(), StrideH = Pick(), StrideW = Pick(), PadH = Pick(), PadW = Pick(),
                    PadMode = (PadMode)rng.Next(-1, 4), Dilation = Pick(), Groups = Pick(), OutputPadding = Pick(),
                    Rounding = (RoundingMode)rng.Next(-2, 4),
                };
            }).ToArray();
            var spec = Spec(input, layers, (RoundingMode)rng.Next(-1, 4));

            var model = ShapeEngine.Run(spec); // must not throw

            var first = layers[0];
            var isConv = first.Kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D;
            var outOfRange = input.Length is < 1 or > 3 || input.Any(d => d <= 0)
                || first.KernelH <= 0 || first.KernelW <= 0 || first.StrideH < 0 || first.StrideW < 0
                || (isConv && (first.Units <= 0 || first.StrideH == 0 || first.StrideW == 0 || first.Dilation <= 0 || first.Groups <= 0))
                || (first.PadMode == PadMode.Explicit && (first.PadH < 0 || first.PadW < 0))
                || first.PadMode is < PadMode.Explicit or > PadMode.Same;
            if (outOfRange) Assert.False(model.IsValid, Describe(input, layers, spec.Rounding) + " is accepted");
            foreach (var layer in model.Layers)
            {
                Assert.True(layer.Out.C >= 1 && layer.Out.H >= 1 && layer.Out.W >= 1, $"{Describe(input, layers, spec.Rounding)} gives {layer.Out}");
            }
        }
    }

    /// <summary>Where the engine and the reference differ today; the random test leaves these cases out and the facts below pin one of each.</summary>
    [Fact]
    public void CeilConvolution_DropsEveryWindowThatStartsInTheRightPadding()
    {
        // L = 15, F = 2, S = 2, P = 3: windows at 0, 2, …, 20 cover the 21 padded cells; 18 and 20 start in the right padding.
        var layer = LayerSpec.Create("C", LayerKind.Conv1D, "Conv1D") with { Units = 3, KernelW = 2, StrideW = 2, PadW = 3, Rounding = RoundingMode.Ceil };
        var model = ShapeEngine.Run(Spec([1, 15], [layer], RoundingMode.Strict));
        Assert.Equal(Dims.Sequence(3, 9), model.Output);
    }

    [Fact]
    public void TransposedConvolution_ChecksOutputPaddingAgainstEachAxisStride()
    {
        var layer = LayerSpec.Create("T", LayerKind.ConvTranspose2D, "ConvTranspose2D") with
        {
            Units = 3, KernelH = 5, KernelW = 5, StrideH = 4, StrideW = 1, OutputPadding = 2,
        };
        var model = ShapeEngine.Run(Spec([3, 36, 11], [layer], RoundingMode.Strict));
        Assert.Equal(ProblemKind.InvalidHyperparameter, Assert.Single(model.Problems).Kind);
    }

    private static LayerSpec RandomLayer(Random rng, string name, LayerKind[] kinds)
    {
        var kind = kinds[rng.Next(kinds.Length)];
        var oneD = kind is LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D;
        var isConv = kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D;
        var square = rng.Next(3) > 0 || !isConv;
        var kernelW = rng.Next(1, 10);
        var strideW = isConv ? rng.Next(1, 6) : rng.Next(0, 6); // pooling: 0 is the default, S = F
        var padW = rng.Next(0, 5);
        return LayerSpec.Create(name, kind, kind.ToString()) with
        {
            Units = isConv ? rng.Next(1, 9) : 0,
            KernelW = kernelW,
            KernelH = oneD ? 1 : square ? kernelW : rng.Next(1, 10),
            StrideW = strideW,
            StrideH = oneD ? 1 : square ? strideW : rng.Next(1, 6),
            PadW = padW,
            PadH = oneD ? 0 : square ? padW : rng.Next(0, 5),
            PadMode = (PadMode)rng.Next(3),
            Dilation = isConv ? rng.Next(1, 4) : 1,
            OutputPadding = kind == LayerKind.ConvTranspose2D ? rng.Next(0, 3) : 0,
            Rounding = (RoundingMode)rng.Next(-1, 3),
            Bias = isConv,
        };
    }

    private static ModelSpec Spec(int[] input, LayerSpec[] layers, RoundingMode rounding) =>
        new("", "Fuzz", "Fuzz.g.cs", EquatableArray<string>.Empty, false, input.ToEquatableArray(), false, layers.ToEquatableArray(), rounding);

    private static string? Compare(Windows.Verdict expected, ShapedModel actual, LayerSpec[] layers, RoundingMode modelRounding)
    {
        if (expected.Kind is null)
        {
            if (!actual.IsValid) return $"expected {expected.Out}, the engine reports {actual.Problems[0].Kind}: {actual.Problems[0].Message}";
            return actual.Output == expected.Out ? null : $"expected {expected.Out}, the engine gives {actual.Output}";
        }
        if (actual.IsValid) return $"expected {expected.Kind} at layer {expected.Layer}, the engine gives {actual.Output}";
        var problem = actual.Problems[0];
        if (actual.Problems.Count != 1 || problem.Kind != expected.Kind || problem.LayerIndex != expected.Layer)
        {
            return $"expected {expected.Kind} at layer {expected.Layer}, the engine reports {string.Join("; ", actual.Problems.Select(p => $"{p.Kind} at layer {p.LayerIndex}: {p.Message}"))}";
        }
        if (problem.Kind == ProblemKind.NonIntegerOutput)
        {
            // The paddings offered are the ones that make both axes exact, closest to the written one first, at most three.
            var layer = layers[problem.LayerIndex];
            var isConv = layer.Kind is LayerKind.Conv2D or LayerKind.Conv1D;
            var oneD = layer.Kind is LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D;
            var kernel = oneD ? layer.KernelW : Math.Min(layer.KernelH, layer.KernelW);
            var limit = isConv ? kernel - 1 : kernel / 2;
            var written = layer.PadMode == PadMode.Explicit ? layer.PadH : 0;
            var exact = Enumerable.Range(0, limit + 1)
                .Where(p => Windows.Layer(expected.In, layer with { PadH = oneD ? 0 : p, PadW = p, PadMode = PadMode.Explicit, Rounding = RoundingMode.Strict }, modelRounding).Kind is null)
                .OrderBy(p => Math.Abs(p - written)).ThenBy(p => p).Take(3);
            if (!exact.SequenceEqual(problem.FixPaddings)) return $"the engine offers Padding = {string.Join(", ", problem.FixPaddings)}; exact paddings are {string.Join(", ", exact)}";
        }
        return null;
    }

    private static string Describe(int[] input, LayerSpec[] layers, RoundingMode rounding) =>
        $"Input = [{string.Join(", ", input)}], Rounding = {rounding}: " + string.Join(" → ", layers.Select(l =>
            $"{l.Kind}(K = {l.Units}, F = {l.KernelH}×{l.KernelW}, S = {l.StrideH}×{l.StrideW}, P = {l.PadH}×{l.PadW}, {l.PadMode}, D = {l.Dilation}, OutputPadding = {l.OutputPadding}, G = {l.Groups}, {l.Rounding})"));

    /// <summary>
    /// The reference: the output size of a window layer found by placing windows at 0, S, 2S, … along the
    /// padded axis and counting them; a transposed convolution by scattering every input position through
    /// every tap and measuring the span. Written from the definitions, not from the engine.
    /// </summary>
    private static class Windows
    {
        public sealed record Verdict(ProblemKind? Kind, int Layer, Dims In, Dims Out);

        public static Verdict Model(int[] input, LayerSpec[] layers, RoundingMode modelRounding)
        {
            var x = input.Length == 2 ? Dims.Sequence(input[0], input[1]) : Dims.Map(input[0], input[1], input[2]);
            for (var i = 0; i < layers.Length; i++)
            {
                var v = Layer(x, layers[i], modelRounding);
                if (v.Kind is not null) return v with { Layer = i };
                x = v.Out;
            }
            return new Verdict(null, -1, x, x);
        }

        /// <summary>One layer on input <paramref name="x"/>: the problem it has, or its output.</summary>
        public static Verdict Layer(Dims x, LayerSpec l, RoundingMode modelRounding)
        {
            var isConv = l.Kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D;
            var oneD = l.Kind is LayerKind.Conv1D or LayerKind.MaxPool1D or LayerKind.AvgPool1D;
            var rounding = l.Rounding == RoundingMode.Inherit ? modelRounding : l.Rounding;
            var mode = l.PadMode;
            // Pooling without a stride steps by its window.
            var (strideH, strideW) = (l.StrideH == 0 ? l.KernelH : l.StrideH, l.StrideW == 0 ? l.KernelW : l.StrideW);
            var (padH, padW) = mode == PadMode.Explicit ? (l.PadH, l.PadW) : (0, 0);

            Verdict Problem(ProblemKind kind) => new(kind, -1, x, default);
            // A pooling window may be padded by at most half its size (else a window could see only padding).
            if (!isConv && mode == PadMode.Explicit && (padH > l.KernelH / 2 || padW > l.KernelW / 2)) return Problem(ProblemKind.InvalidHyperparameter);
            if (l.Kind == LayerKind.ConvTranspose2D)
            {
                // OutputPadding picks among outputs that differ by less than a step, so it must be smaller than S or D on each axis.
                var outputPaddingFits = (l.OutputPadding < strideH || l.OutputPadding < l.Dilation) && (l.OutputPadding < strideW || l.OutputPadding < l.Dilation);
                if (mode == PadMode.Same || !outputPaddingFits) return Problem(ProblemKind.InvalidHyperparameter);
                var h = Scattered(x.H, l.KernelH, strideH, padH, l.Dilation, l.OutputPadding);
                var w = Scattered(x.W, l.KernelW, strideW, padW, l.Dilation, l.OutputPadding);
                return h < 1 || w < 1 ? Problem(ProblemKind.NonPositiveOutput) : new Verdict(null, -1, x, Dims.Map(l.Units, h, w));
            }

            var dilation = isConv ? l.Dilation : 1;
            var axes = oneD
                ? new[] { Slide(x.W, l.KernelW, strideW, padW, dilation, mode, rounding) }
                : new[] { Slide(x.H, l.KernelH, strideH, padH, dilation, mode, rounding), Slide(x.W, l.KernelW, strideW, padW, dilation, mode, rounding) };
            if (axes.Any(a => a.Count == 0)) return Problem(ProblemKind.NonPositiveOutput);
            if (axes.Any(a => !a.Exact)) return Problem(ProblemKind.NonIntegerOutput);
            var channels = isConv ? l.Units : x.C;
            return new Verdict(null, -1, x, oneD ? Dims.Sequence(channels, axes[0].Count) : Dims.Map(channels, axes[0].Count, axes[1].Count));
        }

        /// <summary>
        /// Windows along one axis of <paramref name="size"/>: how many, and whether the strict rule holds (the
        /// last window ends exactly at the end of the padded axis). Count 0: no window fits.
        /// </summary>
        private static (int Count, bool Exact) Slide(int size, int kernel, int stride, int padding, int dilation, PadMode mode, RoundingMode rounding)
        {
            if (mode == PadMode.Same)
            {
                // One output per step of S that starts inside the input; padding is added to make it so.
                var outputs = 0;
                for (var start = 0; start < size; start += stride) outputs++;
                return (outputs, true);
            }
            var padded = size + 2 * padding;
            var span = dilation * (kernel - 1) + 1; // input cells from a window's first tap to its last
            int fitting = 0, end = 0;
            for (var start = 0; start + span <= padded; start += stride)
            {
                fitting++;
                end = start + span;
            }
            if (fitting == 0) return (0, false);
            if (rounding == RoundingMode.Ceil)
            {
                // PyTorch's ceil_mode: windows go on until every cell is covered (the last may hang over the end),
                // and a window that starts in the right padding is dropped.
                var kept = 0;
                for (var start = 0; start == 0 || start - stride + span < padded; start += stride)
                {
                    if (start < padding + size) kept++;
                }
                return (kept, true);
            }
            return rounding == RoundingMode.Floor ? (fitting, true) : (fitting, end == padded);
        }

        /// <summary>
        /// A transposed convolution: input cell i reaches output cells i·S + t·D for every tap t; the full
        /// output spans from 0 to the farthest of them, then loses P cells at each end and gains OutputPadding.
        /// </summary>
        private static int Scattered(int size, int kernel, int stride, int padding, int dilation, int outputPadding)
        {
            var farthest = 0;
            for (var i = 0; i < size; i++)
            {
                for (var t = 0; t < kernel; t++) farthest = Math.Max(farthest, i * stride + t * dilation);
            }
            return farthest + 1 - 2 * padding + outputPadding;
        }
    }
}
