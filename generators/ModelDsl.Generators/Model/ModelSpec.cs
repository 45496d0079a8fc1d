namespace ModelDsl.Generators.Model
{
    // Dimension legend: N batch, C channels, H×W height×width, K filters, F kernel, S stride, P padding.

    /// <summary>What a layer attribute declares.</summary>
    internal enum LayerKind
    {
        Conv2D,
        MaxPool2D,
        AvgPool2D,
        Flatten,
        Dense,
        Dropout,
        Activation,
    }

    /// <summary>An activation, fused into a layer or standing alone.</summary>
    internal enum ActivationKind
    {
        None,
        ReLU,
        Tanh,
        Sigmoid,
        Softmax,
    }

    /// <summary>Mirrors <c>ModelDsl.PaddingMode</c> (same values).</summary>
    internal enum PadMode
    {
        Explicit = 0,
        Valid = 1,
        Same = 2,
    }

    /// <summary>
    /// One layer as declared: the attribute's arguments, nothing inferred. Numbers are kept as written
    /// (possibly invalid); the shape engine judges them.
    /// </summary>
    /// <param name="Name">The property's name.</param>
    /// <param name="Modifiers">The property's modifiers as written, e.g. <c>public</c>, repeated on the implementation.</param>
    /// <param name="IsPartial">Whether the property is a partial definition the generator must implement.</param>
    /// <param name="Kind">The layer attribute's kind.</param>
    /// <param name="Attribute">The attribute's short name (<c>Conv2D</c>), for messages.</param>
    /// <param name="Units">K (filters) for Conv2D, units for Dense, 0 otherwise.</param>
    /// <param name="Kernel">F for Conv2D, the window size for pooling.</param>
    /// <param name="Stride">S; 0 for pooling means "same as the window".</param>
    /// <param name="Padding">P as written (Explicit mode).</param>
    /// <param name="PadMode">Explicit, Valid or Same.</param>
    /// <param name="Bias">Whether a bias is learned.</param>
    /// <param name="Rate">Dropout p.</param>
    /// <param name="Activation">The standalone activation (Kind = Activation) or the fused one.</param>
    /// <param name="Malformed">The attribute did not bind (the compiler reports why); the model is not generated.</param>
    /// <param name="ExtraLayerAttributes">Names of further layer attributes on the same property (only one is allowed).</param>
    internal sealed record LayerSpec(
        string Name,
        string Modifiers,
        bool IsPartial,
        LayerKind Kind,
        string Attribute,
        int Units,
        int Kernel,
        int Stride,
        int Padding,
        PadMode PadMode,
        bool Bias,
        double Rate,
        ActivationKind Activation,
        bool Malformed,
        EquatableArray<string> ExtraLayerAttributes);

    /// <summary>
    /// A model class as declared. Only strings, numbers, enums and <see cref="EquatableArray{T}"/>, so
    /// that two parses of an unchanged declaration are equal and the generator's later stages stay cached.
    /// </summary>
    /// <remarks>
    /// Equality contract: value equality over every member (records + <see cref="EquatableArray{T}"/>);
    /// no symbol, syntax node, location or compilation may be held here.
    /// </remarks>
    /// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
    /// <param name="ClassName">The class's name as written (with type parameters, if any).</param>
    /// <param name="HintName">A file-name-safe, unique name for the generated file.</param>
    /// <param name="ContainingTypes">Declarations of enclosing types, outermost first (<c>partial class Outer</c>).</param>
    /// <param name="HasForeignBase">The class derives from something other than object or ModelDsl.Model.</param>
    /// <param name="Input">The declared input shape, [C, H, W] or [features]; empty when missing.</param>
    /// <param name="InputMalformed">The Input argument did not bind.</param>
    /// <param name="Layers">The layers, in data-flow (declaration) order.</param>
    internal sealed record ModelSpec(
        string Namespace,
        string ClassName,
        string HintName,
        EquatableArray<string> ContainingTypes,
        bool HasForeignBase,
        EquatableArray<int> Input,
        bool InputMalformed,
        EquatableArray<LayerSpec> Layers);
}
