namespace ModelDsl;

/// <summary>
/// Marks a <c>partial class</c> as a network declaration. Every <c>partial Layer</c> property with a
/// layer attribute becomes a layer, in declaration order (order = data flow). The ModelDsl generator
/// implements the class at build time; the analyzers report impossible shapes as compile errors.
/// </summary>
/// <example><code>
/// [Model(Input = [1, 28, 28])]
/// public partial class LeNet5 { [Conv2D(6, Kernel = 5, Padding = 2), Tanh] partial Layer C1 { get; } ... }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>
    /// The shape of one sample, without the batch: <c>[C, H, W]</c> for images (C channels, H×W pixels)
    /// or <c>[features]</c> for vectors. The batch size N is chosen at run time.
    /// </summary>
    public int[] Input { get; set; } = [];

    /// <summary>
    /// How every window layer rounds a size that is not an integer, unless the layer says otherwise:
    /// <see cref="Rounding.Strict"/> (the default, a compile error), or <see cref="Rounding.Floor"/>/<see cref="Rounding.Ceil"/>
    /// for models that rely on PyTorch's rounding.
    /// </summary>
    public Rounding Rounding { get; set; }
}
