namespace ModelDsl;

// Dimension legend: N batch, C channels, H×W height×width, K filters, F kernel, S stride, P padding.
// Each attribute below declares one layer on a `partial Layer` property. An activation attribute
// placed beside a layer attribute (`[Dense(120), Tanh]`) is fused into that layer; on its own it is
// a layer of its own.

/// <summary>How a convolution or pooling window treats the border.</summary>
public enum PaddingMode
{
    /// <summary><see cref="ConvolutionAttribute.Padding"/> rows/columns of zeros on every side (default 0).</summary>
    Explicit = 0,
    /// <summary>No padding: P = 0. The output size must still be an integer.</summary>
    Valid = 1,
    /// <summary>Output size ⌈W / S⌉; the padding needed is split, the extra row/column going bottom/right.</summary>
    Same = 2,
}

/// <summary>How a window that does not fit exactly is rounded (DESIGN §3).</summary>
public enum Rounding
{
    /// <summary>The default: (W − F + 2P)/S + 1 must be an integer, otherwise a compile error (MDL0001).</summary>
    Strict = 0,
    /// <summary>Round down, as PyTorch and Keras do: the last rows/columns that do not fill a window are not read.</summary>
    Floor = 1,
    /// <summary>Round up, as PyTorch's ceil_mode: one more window that hangs over the bottom/right border (it must start inside the input or its left/top padding).</summary>
    Ceil = 2,
}

/// <summary>Base class of every layer attribute; carries the options every layer shares.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer whose output this layer reads, by name (<c>From = nameof(C1)</c>); by default the layer
    /// declared just before. Only earlier layers can be named, so the network is acyclic by construction.
    /// </summary>
    public string? From { get; set; }

    /// <summary>
    /// Inside a <see cref="Block"/>: a condition over the block's parameters (and <c>In</c>, the block's
    /// input channels), e.g. <c>"Stride != 1 || In != Width"</c>. When it is false the layer is left out
    /// and whoever reads it reads its input instead (a projection shortcut that is only sometimes needed).
    /// </summary>
    public string? When { get; set; }
}

/// <summary>Options shared by layers that slide a window: rounding of non-exact sizes.</summary>
public abstract class WindowAttribute : LayerAttribute
{
    /// <summary>How a size that is not an integer is rounded; <see cref="Rounding.Strict"/> (an error) unless the model or this layer opts in.</summary>
    public Rounding Rounding { get; set; }
}

/// <summary>
/// 2-D convolution over (N, C, H, W) with K filters of F×F: output (N, K, H', W') with
/// H' = (H − F + 2P) / S + 1, which must be an integer. Weight (K, C, F, F), bias (K), as in PyTorch.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class Conv2DAttribute(int filters) : ConvolutionAttribute(filters)
{
}

/// <summary>
/// 1-D convolution over (N, C, L) with K filters of width F: output (N, K, L′), L′ = (L − D·(F − 1) − 1 + 2P)/S + 1.
/// Weight (K, C/G, F), bias (K), as PyTorch's Conv1d. Declare the model's input as <c>Input = [C, L]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class Conv1DAttribute(int filters) : ConvolutionAttribute(filters)
{
}

/// <summary>
/// 2-D transposed convolution ("deconvolution", PyTorch's ConvTranspose2d): output size
/// (W − 1)·S − 2P + D·(F − 1) + <see cref="OutputPadding"/> + 1. Weight (C, K/G, F, F), bias (K).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ConvTranspose2DAttribute(int filters) : ConvolutionAttribute(filters)
{
    /// <summary>Extra rows/columns added at the bottom/right of the output (less than S or D).</summary>
    public int OutputPadding { get; set; }
}

/// <summary>The arguments every convolution shares. Per-axis values (<c>KernelH</c>, …) override the square ones when written.</summary>
public abstract class ConvolutionAttribute(int filters) : WindowAttribute
{
    /// <summary>K, the number of filters (output channels).</summary>
    public int Filters { get; } = filters;
    /// <summary>Inside a <see cref="Block"/>: K as an expression over the block's parameters, e.g. <c>"Width * 4"</c>.</summary>
    public string? FiltersOf { get; set; }
    /// <summary>Inside a <see cref="Block"/>: F as an expression over the block's parameters.</summary>
    public string? KernelOf { get; set; }
    /// <summary>Inside a <see cref="Block"/>: S as an expression over the block's parameters.</summary>
    public string? StrideOf { get; set; }
    /// <summary>Inside a <see cref="Block"/>: P as an expression over the block's parameters, e.g. <c>"Kernel / 2"</c>.</summary>
    public string? PaddingOf { get; set; }
    /// <summary>Inside a <see cref="Block"/>: G as an expression over the block's parameters (<c>"In"</c> makes a depthwise convolution).</summary>
    public string? GroupsOf { get; set; }
    /// <summary>F, the kernel's height and width.</summary>
    public int Kernel { get; set; } = 1;
    /// <summary>The kernel's height, when it differs from its width.</summary>
    public int KernelH { get; set; }
    /// <summary>The kernel's width, when it differs from its height.</summary>
    public int KernelW { get; set; }
    /// <summary>S, the step between windows.</summary>
    public int Stride { get; set; } = 1;
    /// <summary>The vertical stride, when it differs from the horizontal one.</summary>
    public int StrideH { get; set; }
    /// <summary>The horizontal stride, when it differs from the vertical one.</summary>
    public int StrideW { get; set; }
    /// <summary>P, zero rows/columns added on every side (with <see cref="PaddingMode.Explicit"/>).</summary>
    public int Padding { get; set; }
    /// <summary>Zero rows above and below, when they differ from the columns.</summary>
    public int PaddingH { get; set; }
    /// <summary>Zero columns left and right, when they differ from the rows.</summary>
    public int PaddingW { get; set; }
    /// <summary><see cref="PaddingMode.Explicit"/> (use <see cref="Padding"/>), <see cref="PaddingMode.Valid"/> or <see cref="PaddingMode.Same"/>.</summary>
    public PaddingMode PaddingMode { get; set; }
    /// <summary>D, the spacing between kernel taps (1 = dense; 2 skips every other pixel).</summary>
    public int Dilation { get; set; } = 1;
    /// <summary>G: channels split into G groups convolved separately; G must divide C and K. G = C = K is depthwise.</summary>
    public int Groups { get; set; } = 1;
    /// <summary>Whether the layer adds a learned bias per filter.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>Max pooling with an F×F window: each output is the largest input in its window.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MaxPool2DAttribute(int size) : WindowAttribute
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
public sealed class AvgPool2DAttribute(int size) : WindowAttribute
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

/// <summary>Max pooling over (N, C, L) with windows of F.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MaxPool1DAttribute(int size) : WindowAttribute
{
    /// <summary>F, the window's width.</summary>
    public int Size { get; } = size;
    /// <summary>S; 0 (the default) means S = F.</summary>
    public int Stride { get; set; }
    /// <summary>P, padding on both ends (padded cells never win the max).</summary>
    public int Padding { get; set; }
}

/// <summary>Average pooling over (N, C, L) with windows of F.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class AvgPool1DAttribute(int size) : WindowAttribute
{
    /// <summary>F, the window's width.</summary>
    public int Size { get; } = size;
    /// <summary>S; 0 (the default) means S = F.</summary>
    public int Stride { get; set; }
    /// <summary>P, padding on both ends.</summary>
    public int Padding { get; set; }
}

/// <summary>Global average pooling: the mean of each channel over all positions, (N, C, …) → (N, C).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute { }

/// <summary>Global max pooling: the largest value of each channel, (N, C, …) → (N, C).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class GlobalMaxPoolAttribute : LayerAttribute { }

/// <summary>
/// Max unpooling (Zeiler &amp; Fergus's "switches"): puts each value back where the named max-pool found its
/// maximum, zeros elsewhere; the output has the shape of that max-pool's input.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MaxUnpool2DAttribute(string pool) : LayerAttribute
{
    /// <summary>The <see cref="MaxPool2DAttribute"/> layer whose switches to use (<c>nameof(Pool1)</c>).</summary>
    public string Pool { get; } = pool;
}

/// <summary>
/// Batch normalization (Ioffe &amp; Szegedy 2015) per channel C: batch statistics in training, running
/// statistics in inference. Weight and bias (C) when <see cref="Affine"/>; running_mean, running_var (C) are
/// buffers, not trained. Works on (N, C), (N, C, L) and (N, C, H, W), as PyTorch's BatchNorm1d/2d.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Weight of the new batch in the running statistics: running = (1 − m)·running + m·batch.</summary>
    public double Momentum { get; set; } = 0.1;
    /// <summary>Whether a scale and shift per channel are learned.</summary>
    public bool Affine { get; set; } = true;
}

/// <summary>Layer normalization over all C·H·W values of each sample, with a learned scale and shift per value (PyTorch's LayerNorm([C, H, W])).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; set; } = 1e-5;
}

/// <summary>Instance normalization: each channel of each sample normalized over its H·W values (no learned scale unless <see cref="Affine"/>, as PyTorch).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class InstanceNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Whether a scale and shift per channel are learned.</summary>
    public bool Affine { get; set; }
}

/// <summary>Group normalization (Wu &amp; He 2018): channels in G groups, each sample's group normalized; scale and shift per channel.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class GroupNormAttribute(int groups) : LayerAttribute
{
    /// <summary>G, which must divide C.</summary>
    public int Groups { get; } = groups;
    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; set; } = 1e-5;
}

/// <summary>Local response normalization across channels (AlexNet): x / (k + α/n·Σx²)^β over n neighbouring channels; PyTorch's defaults.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class LocalResponseNormAttribute(int size) : LayerAttribute
{
    /// <summary>n, the number of neighbouring channels summed.</summary>
    public int Size { get; } = size;
    /// <summary>α.</summary>
    public double Alpha { get; set; } = 1e-4;
    /// <summary>β.</summary>
    public double Beta { get; set; } = 0.75;
    /// <summary>k.</summary>
    public double K { get; set; } = 1;
}

/// <summary>Element-wise sum of earlier layers' outputs of one shape (a residual connection).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class AddAttribute(params string[] inputs) : LayerAttribute
{
    /// <summary>The layers summed (<c>nameof(...)</c>), two or more.</summary>
    public string[] Inputs { get; } = inputs;
}

/// <summary>Concatenation along the channels C of earlier layers' outputs with equal H×W (Inception, DenseNet).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ConcatAttribute(params string[] inputs) : LayerAttribute
{
    /// <summary>The layers concatenated, in order (<c>nameof(...)</c>), two or more.</summary>
    public string[] Inputs { get; } = inputs;
}

/// <summary>Scales each channel of a feature map by a per-channel value (squeeze-and-excitation): y[n, c, ·] = x[n, c, ·]·s[n, c].</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MultiplyAttribute(string input, string scale) : LayerAttribute
{
    /// <summary>The feature map (N, C, …).</summary>
    public string Input { get; } = input;
    /// <summary>The per-channel scale (N, C).</summary>
    public string Scale { get; } = scale;
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
    /// <summary>Inside a <see cref="Block"/>: the number of outputs as an expression over the block's parameters, e.g. <c>"In / 16"</c>.</summary>
    public string? UnitsOf { get; set; }
    /// <summary>The number of input features, when written (as in PyTorch's <c>Linear(in, out)</c>): checked against the shape that reaches the layer. 0 (the default) infers it.</summary>
    public int In { get; set; }
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

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class LeakyReLUAttribute : ActivationAttribute
{
    /// <summary>The slope for negative x (PyTorch's default 0.01).</summary>
    public double Slope { get; set; } = 0.01;
}

/// <summary>min(max(0, x), 6) (MobileNet).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ReLU6Attribute : ActivationAttribute { }

/// <summary>x·σ(x), also called Swish (EfficientNet).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SiLUAttribute : ActivationAttribute { }

/// <summary>x·σ(x): another name for <see cref="SiLUAttribute"/> (Ramachandran et al. 2017).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SwishAttribute : ActivationAttribute { }

/// <summary>x·ReLU6(x + 3)/6 (MobileNetV3).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class HardSwishAttribute : ActivationAttribute { }

/// <summary>Softmax over the channels C of each sample (at each position for (N, C, H, W), as PyTorch's dim = 1).</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SoftmaxAttribute : ActivationAttribute { }
