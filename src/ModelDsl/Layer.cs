namespace ModelDsl;

/// <summary>
/// The static description of one layer, known at compile time: what it is, the shapes it maps, and
/// what it costs. Produced by the generator from the shape engine's results.
/// </summary>
/// <param name="Name">The property's name (used by summaries, checkpoints and diagnostics).</param>
/// <param name="Kind">The layer type, e.g. <c>Conv2D</c>.</param>
/// <param name="Description">Its hyperparameters, e.g. <c>Conv2D(1→6, F=5, S=1, P=2) + Tanh</c>.</param>
/// <param name="Input">The shape of one input sample.</param>
/// <param name="Output">The shape of one output sample.</param>
/// <param name="Parameters">Learned values.</param>
/// <param name="Flops">Floating-point operations of the forward pass per sample (a multiply-add counts 2).</param>
/// <param name="ActivationBytes">Bytes of output activation per sample.</param>
/// <param name="ReceptiveField">How many input pixels (per axis) one output value sees.</param>
public sealed record LayerInfo(
    string Name, string Kind, string Description, Shape Input, Shape Output,
    long Parameters, long Flops, long ActivationBytes, int ReceptiveField);

/// <summary>
/// A layer of a model instance: its static <see cref="Info"/> and its parameters as named views.
/// The generator implements each <c>partial Layer</c> property of a model with one of these.
/// </summary>
public sealed class Layer
{
    internal Layer(LayerInfo info, Parameter? weight, Parameter? bias)
    {
        Info = info;
        Weight = weight;
        Bias = bias;
    }

    /// <summary>What the layer is, its shapes and costs.</summary>
    public LayerInfo Info { get; }

    /// <summary>The layer's name.</summary>
    public string Name => Info.Name;

    /// <summary>The shape of one input sample.</summary>
    public Shape Input => Info.Input;

    /// <summary>The shape of one output sample.</summary>
    public Shape Output => Info.Output;

    /// <summary>The weight (PyTorch layout), or null when the layer has none.</summary>
    public Parameter? Weight { get; }

    /// <summary>The bias, or null when the layer has none.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Info.Name}: {Info.Description} {Info.Input} → {Info.Output}";
}

/// <summary>A model's compile-time summary: per-layer rows, totals, and the rendered table.</summary>
/// <param name="ModelName">The model class.</param>
/// <param name="Input">The shape of one input sample.</param>
/// <param name="Layers">One row per layer, in data-flow order.</param>
/// <param name="Text">The rendered table (also in the class's XML documentation).</param>
public sealed record ModelSummary(string ModelName, Shape Input, IReadOnlyList<LayerInfo> Layers, string Text)
{
    /// <summary>All learned values (trainable parameters; batch-norm running statistics are buffers and not counted, as in PyTorch).</summary>
    public long TotalParameters => Layers.Sum(l => l.Parameters);

    /// <summary>Forward FLOPs per sample.</summary>
    public long TotalFlops => Layers.Sum(l => l.Flops);

    /// <summary>Bytes of activations per sample.</summary>
    public long TotalActivationBytes => Layers.Sum(l => l.ActivationBytes);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
