using System.Globalization;

namespace ModelDsl;

/// <summary>
/// A named, shaped view of part of a model's flat parameter buffer, named and laid out as in PyTorch
/// (<c>C1.weight</c> is (K, C, F, F), <c>F5.weight</c> is (out, in), <c>C1.bias</c> is (K)).
/// </summary>
public sealed class Parameter
{
    internal Parameter(Model owner, ParameterInfo info, bool isBuffer)
    {
        Owner = owner;
        Info = info;
        IsBuffer = isBuffer;
    }

    /// <summary>Whether this is a buffer (saved state, not trained: batch-norm running statistics) rather than a parameter.</summary>
    public bool IsBuffer { get; }

    /// <summary>The model this parameter belongs to.</summary>
    public Model Owner { get; }

    /// <summary>Where and how the parameter lives in the flat buffer.</summary>
    public ParameterInfo Info { get; }

    /// <summary>The PyTorch-style name, e.g. <c>C1.weight</c>.</summary>
    public string Name => Info.Name;

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<int> Dimensions => Info.Dimensions;

    /// <summary>The number of values.</summary>
    public int Length => Info.Length;

    /// <summary>The values, a view of <see cref="Model.Parameters"/> (or of <see cref="Model.Buffers"/> for a buffer).</summary>
    public Span<float> Values => (IsBuffer ? Owner.BufferArray : Owner.ParameterArray).AsSpan(Info.Offset, Info.Length);

    /// <summary>The values as memory (for writers that cannot hold a span).</summary>
    internal ReadOnlyMemory<float> Memory => (IsBuffer ? Owner.BufferArray : Owner.ParameterArray).AsMemory(Info.Offset, Info.Length);

    /// <summary>The gradient, a view of <see cref="Model.Gradients"/>; empty for a buffer.</summary>
    public Span<float> Gradient => IsBuffer ? Span<float>.Empty : Owner.GradientArray.AsSpan(Info.Offset, Info.Length);

    /// <inheritdoc/>
    public override string ToString() => Info.ToString();
}

/// <summary>The static description of a parameter: name, place in the flat buffer, dimensions and initializer.</summary>
/// <param name="Name">PyTorch-style name (<c>layer.weight</c>, <c>layer.bias</c>).</param>
/// <param name="Offset">First index in the flat buffer.</param>
/// <param name="Dimensions">Dimensions, outermost first.</param>
/// <param name="Init">How <see cref="Model.Initialize"/> fills it.</param>
/// <param name="FanIn">Inputs feeding one output (C·F·F for a convolution, in for a dense layer).</param>
/// <param name="FanOut">Outputs fed by one input (K·F·F for a convolution, out for a dense layer).</param>
public sealed record ParameterInfo(string Name, int Offset, int[] Dimensions, Initializer Init, int FanIn, int FanOut)
{
    /// <summary>The number of values: the product of the dimensions.</summary>
    public int Length
    {
        get
        {
            var length = 1;
            foreach (var d in Dimensions) length *= d;
            return length;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({string.Join(", ", Dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)))})";
}

/// <summary>How a parameter is initialized. Scales follow the cited conventions.</summary>
public enum Initializer
{
    /// <summary>All zeros (biases, normalization shifts, running means).</summary>
    Zeros,
    /// <summary>All ones (normalization scales, running variances).</summary>
    Ones,
    /// <summary>Glorot/Xavier uniform: U(−a, a), a = √(6 / (fan_in + fan_out)) (Glorot &amp; Bengio 2010). For tanh, sigmoid and linear outputs.</summary>
    GlorotUniform,
    /// <summary>He/Kaiming uniform: U(−a, a), a = √(6 / fan_in) (He et al. 2015). For ReLU.</summary>
    HeUniform,
}
