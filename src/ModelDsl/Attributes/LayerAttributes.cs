namespace ModelDsl;

// Dimension legend: N batch, C channels, H×W height×width, K filters, F kernel, S stride, P padding.
// Each attribute below declares one layer on a `partial Layer` property. An activation attribute
// placed beside a layer attribute (`[Dense(120), Tanh]`) is fused into that layer; on its own it is
// a layer of its own.

/// <summary>How a convolution or pooling window treats the border.</summary>
public enum PaddingMode
{
    /// <summary><see cref="Conv2DAttribute.Padding"/> rows/columns of zeros on every side (default 0).</summary>
    Explicit = 0,
    /// <summary>No padding: P = 0. The output size must still be an integer.</summary>
    Valid = 1,
    /// <summary>Output size ⌈W / S⌉; the padding needed is split, the extra row/column going bottom/right.</summary>
    Same = 2,
}

/// <summary>Base class of every layer attribute; carries the options every layer shares.</summary>
public abstract class LayerAttribute : Attribute
{
}

/// <summary>
/// 2-D convolution over (N, C, H, W) with K filters of F×F: output (N, K, H', W') with
/// H' = (H − F + 2P) / S + 1, which must be an integer. Weight (K, C, F, F), bias (K), as in PyTorch.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class Conv2DAttribute(int filters) : LayerAttribute
{
    /// <summary>K, the number of filters (output channels).</summary>
    public int Filters { get; } = filters;
    /// <summary>F, the kernel's height and width.</summary>
    public int Kernel { get; set; } = 1;
    /// <summary>S, the step between windows.</summary>
    public int Stride { get; set; } = 1;
    /// <summary>P, zero rows/columns added on every side (with <see cref="PaddingMode.Explicit"/>).</summary>
    public int Padding { get; set; }
    /// <summary><see cref="PaddingMode.Explicit"/> (use <see cref="Padding"/>), <see cref="PaddingMode.Valid"/> or <see cref="PaddingMode.Same"/>.</summary>
    public PaddingMode PaddingMode { get; set; }
    /// <summary>Whether the layer adds a learned bias per filter.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>Max pooling with an F×F window: each output is the largest input in its window.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MaxPool2DAttribute(int size) : LayerAttribute
{
    /// <summary>F, the window's height and width.</summary>
    public int Size { get; } = size;
    /// <summary>S, the step between windows; 0 (the default) means S = F.</summary>
    public int Stride { get; set; }
    /// <summary>P, padding on every side (padded cells never win the max).</summary>
    public int Padding { get; set; }
    /// <summary><see cref="PaddingMode.Explicit"/>, <see cref="PaddingMode.Valid"/> or <see cref="PaddingMode.Same"/>.</summary>
    public PaddingMode PaddingMode { get; set; }
}

/// <summary>Average pooling with an F×F window (padded cells count as zeros in the average).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class AvgPool2DAttribute(int size) : LayerAttribute
{
    /// <summary>F, the window's height and width.</summary>
    public int Size { get; } = size;
    /// <summary>S, the step between windows; 0 (the default) means S = F.</summary>
    public int Stride { get; set; }
    /// <summary>P, padding on every side.</summary>
    public int Padding { get; set; }
    /// <summary><see cref="PaddingMode.Explicit"/>, <see cref="PaddingMode.Valid"/> or <see cref="PaddingMode.Same"/>.</summary>
    public PaddingMode PaddingMode { get; set; }
}

/// <summary>Reshapes (N, C, H, W) to (N, C·H·W). Implied before a <see cref="DenseAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>Fully connected layer: y = x·Wᵀ + b. Weight (out, in), bias (out), as PyTorch's Linear.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class DenseAttribute(int units) : LayerAttribute
{
    /// <summary>The number of outputs.</summary>
    public int Units { get; } = units;
    /// <summary>Whether the layer adds a learned bias per output.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>Inverted dropout: in training each value is zeroed with probability p and the rest scaled by 1/(1 − p); identity in inference.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class DropoutAttribute(double p) : LayerAttribute
{
    /// <summary>p, the probability of dropping a value; 0 ≤ p &lt; 1.</summary>
    public double P { get; } = p;
}

/// <summary>Base class of the activation attributes. Beside a layer attribute it is fused into that layer.</summary>
public abstract class ActivationAttribute : LayerAttribute
{
}

/// <summary>max(0, x).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ReLUAttribute : ActivationAttribute { }

/// <summary>tanh(x).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class TanhAttribute : ActivationAttribute { }

/// <summary>1 / (1 + e^(−x)).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SigmoidAttribute : ActivationAttribute { }

/// <summary>Softmax over the channels C of each sample (at each position for (N, C, H, W), as PyTorch's dim = 1).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SoftmaxAttribute : ActivationAttribute { }
