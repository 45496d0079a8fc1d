namespace ModelDsl;

/// <summary>
/// A reusable block (residual unit, bottleneck, inception module, SE block, inverted residual …),
/// declared once as a <c>partial class</c> deriving from <see cref="Block"/> and used in models as an
/// attribute. Its public settable <c>int</c> properties are its parameters; its layers are declared like a
/// model's and read parameters through the <c>…Of</c> expressions of their attributes.
/// </summary>
/// <example><code>
/// public sealed partial class BasicBlock : Block
/// {
///     public int Width { get; set; }
///     [FirstRepeatOnly] public int Stride { get; set; } = 1;
///
///     [Conv2D(0, FiltersOf = "Width", Kernel = 3, StrideOf = "Stride", Padding = 1, Bias = false)] partial Layer Conv1 { get; }
///     [BatchNorm, ReLU]                                                                              partial Layer Bn1 { get; }
///     [Conv2D(0, FiltersOf = "Width", Kernel = 3, Padding = 1, Bias = false)]                        partial Layer Conv2 { get; }
///     [BatchNorm]                                                                                    partial Layer Bn2 { get; }
///     [Conv2D(0, FiltersOf = "Width", StrideOf = "Stride", Bias = false, From = Input, When = "Stride != 1 || In != Width")] partial Layer Downsample { get; }
///     [BatchNorm(When = "Stride != 1 || In != Width")]                                               partial Layer DownsampleBn { get; }
///     [Add(nameof(Bn2), nameof(DownsampleBn)), ReLU]                                                  partial Layer Out { get; }
/// }
///
/// // In a model: two copies, Layer2.0 (stride 2) and Layer2.1 (stride 1).
/// [BasicBlock(Width = 128, Stride = 2, Repeat = 2)] public partial Layer Layer2 { get; }
/// </code></example>
/// <remarks>
/// The generator inlines a block's layers into each model that uses it, under the name of the using
/// property (<c>Layer2.0.Conv1.weight</c>); later layers of the model read the block's last layer by the
/// property's name. In expressions: integers, the block's parameters, <c>In</c> (input channels),
/// <c>+ − * / %</c>, comparisons, <c>&amp;&amp; || !</c> and parentheses.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public abstract class Block : LayerAttribute
{
    /// <summary>The name by which a layer of a block reads the block's input: <c>From = Input</c>.</summary>
    public const string Input = "@input";

    /// <summary>How many copies of the block follow one another (named <c>Name.0</c>, <c>Name.1</c>, …).</summary>
    public int Repeat { get; set; } = 1;
}

/// <summary>
/// On a block parameter: only the first copy of a repeated block takes the value written at the use;
/// the others keep the parameter's default (a stage's first block strides, the rest do not).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class FirstRepeatOnlyAttribute : Attribute
{
}
