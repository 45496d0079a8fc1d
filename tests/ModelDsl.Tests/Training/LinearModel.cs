namespace ModelDsl.Tests.Training;

/// <summary>
/// A hand-written linear classifier y = W·x + b over any input shape, independent of the kernels:
/// x (N, D), W (K, D), b (K), y (N, K) with D = C·H·W.
/// </summary>
internal sealed class LinearModel : Model
{
    private readonly int _features;
    private readonly int _classes;

    public LinearModel(Shape input, int classes, int seed = 1) : base(CreateLayout(input, classes), seed)
    {
        _features = input.Size;
        _classes = classes;
    }

    private static ModelLayout CreateLayout(Shape input, int classes)
    {
        var d = input.Size;
        var output = Shape.Flat(classes);
        var fc = new LayerInfo("fc", "Dense", $"Dense({d}→{classes})", input, output,
            (long)classes * d + classes, 2L * classes * d, 4L * classes, 1);
        return new ModelLayout(
            new ModelSummary(nameof(LinearModel), input, [fc], "fc"),
            [
                new ParameterInfo("fc.weight", 0, [classes, d], Initializer.GlorotUniform, d, classes),
                new ParameterInfo("fc.bias", classes * d, [classes], Initializer.Zeros, d, classes),
            ],
            Slots: [d, classes],
            IntSlots: [],
            OutputSlot: 1,
            GradientSlots: [classes],
            OutputGradientSlot: 0);
    }

    protected override void ForwardCore(int n, bool training)
    {
        var (d, k) = (_features, _classes);
        var x = Slot(0, n);              // (N, D)
        var y = Slot(1, n);              // (N, K)
        var w = Weights(0, k * d);       // (K, D)
        var b = Weights(k * d, k);       // (K)
        for (var i = 0; i < n; i++)
        for (var o = 0; o < k; o++)
        {
            var sum = b[o];
            for (var j = 0; j < d; j++) sum += w[o * d + j] * x[i * d + j];
            y[i * k + o] = sum;
        }
    }

    protected override void BackwardCore(int n)
    {
        var (d, k) = (_features, _classes);
        var x = Slot(0, n);                   // (N, D)
        var dy = GradientSlot(0, n);          // (N, K)
        var dw = Grads(0, k * d);             // (K, D), accumulated
        var db = Grads(k * d, k);             // (K), accumulated
        for (var i = 0; i < n; i++)
        for (var o = 0; o < k; o++)
        {
            var g = dy[i * k + o];
            db[o] += g;
            for (var j = 0; j < d; j++) dw[o * d + j] += g * x[i * d + j];
        }
    }
}
