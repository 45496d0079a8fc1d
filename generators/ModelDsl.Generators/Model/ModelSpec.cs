namespace ModelDsl.Generators.Model
{
    // Dimension legend: N batch, C channels, H×W height×width, K filters, F kernel, S stride, P padding.

    /// <summary>Reserved names a layer can read besides the model's layers.</summary>
    internal static class ReservedNames
    {
        /// <summary>The model's input, as the input of a block used first.</summary>
        public const string ModelInput = "@model";

        /// <summary>A block's input, as its layers name it (<c>ModelDsl.Block.Input</c>).</summary>
        public const string BlockInput = "@input";
    }

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
        Conv1D,
        ConvTranspose2D,
        MaxPool1D,
        AvgPool1D,
        GlobalAvgPool,
        GlobalMaxPool,
        MaxUnpool2D,
        BatchNorm,
        LayerNorm,
        InstanceNorm,
        GroupNorm,
        LocalResponseNorm,
        Add,
        Concat,
        Multiply,
        /// <summary>A block layer whose <c>When</c> is false: its readers read its input.</summary>
        Identity,
    }

    /// <summary>An activation, fused into a layer or standing alone.</summary>
    internal enum ActivationKind
    {
        None,
        ReLU,
        Tanh,
        Sigmoid,
        Softmax,
        LeakyReLU,
        ReLU6,
        SiLU,
        HardSwish,
    }

    /// <summary>Mirrors <c>ModelDsl.PaddingMode</c> (same values).</summary>
    internal enum PadMode
    {
        Explicit = 0,
        Valid = 1,
        Same = 2,
    }

    /// <summary>Mirrors <c>ModelDsl.Rounding</c> (same values); <see cref="Inherit"/> when a layer does not say.</summary>
    internal enum RoundingMode
    {
        Strict = 0,
        Floor = 1,
        Ceil = 2,
        Inherit = -1,
    }

    /// <summary>
    /// One layer as declared: the attribute's arguments, nothing inferred. Numbers are kept as written
    /// (possibly invalid); the shape engine judges them. Per-axis values are resolved by the parser
    /// (KernelH is the written KernelH, else Kernel).
    /// </summary>
    internal sealed record LayerSpec(
        string Name,
        string Modifiers,
        bool IsPartial,
        LayerKind Kind,
        string Attribute,
        int Units,
        int KernelH,
        int KernelW,
        int StrideH,
        int StrideW,
        int PadH,
        int PadW,
        PadMode PadMode,
        int Dilation,
        int Groups,
        int OutputPadding,
        RoundingMode Rounding,
        bool Bias,
        double Rate,
        ActivationKind Activation,
        double Slope,
        double Eps,
        double Momentum,
        bool Affine,
        double Alpha,
        double Beta,
        double K,
        EquatableArray<string> Inputs,
        string Reference,
        bool Malformed,
        EquatableArray<string> ExtraLayerAttributes)
    {
        /// <summary>The user's property this layer implements (the layer's own name, or a block use's name on the block's last layer); empty for the other layers of a block.</summary>
        public string Property { get; init; } = "";

        /// <summary>The position, among the model's layer properties, of the property this layer comes from (for locating diagnostics).</summary>
        public int Origin { get; init; }

        /// <summary><c>Name=expression</c> pairs from the attribute's <c>…Of</c> arguments and <c>When</c>, evaluated by the shape engine.</summary>
        public EquatableArray<string> Expressions { get; init; } = EquatableArray<string>.Empty;

        /// <summary><c>Name=value</c> pairs: the parameters of the block copy this layer belongs to.</summary>
        public EquatableArray<string> Bindings { get; init; } = EquatableArray<string>.Empty;

        /// <summary>For a block layer: the layer feeding its block copy (<c>In</c> is its channel count); <c>@model</c> for the model's input.</summary>
        public string BlockInput { get; init; } = "";

        /// <summary>A dense layer's written number of input features (0: inferred), checked by the shape engine.</summary>
        public int DeclaredIn { get; init; }

        /// <summary>Whether the layer was inlined from a block.</summary>
        public bool FromBlock => BlockInput.Length > 0;

        /// <summary>A layer with every argument at its attribute's default; parser and tests start here and set what is written.</summary>
        public static LayerSpec Create(string name, LayerKind kind, string attribute) => new(
            name, "", true, kind, attribute,
            Units: 0, KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, PadH: 0, PadW: 0, PadMode.Explicit,
            Dilation: 1, Groups: 1, OutputPadding: 0, RoundingMode.Inherit,
            Bias: true, Rate: 0, ActivationKind.None, Slope: 0.01,
            Eps: 1e-5, Momentum: 0.1, Affine: true, Alpha: 1e-4, Beta: 0.75, K: 1,
            EquatableArray<string>.Empty, "", false, EquatableArray<string>.Empty);

        /// <summary>F when square (the common case), for messages.</summary>
        public int Kernel => KernelH;

        /// <summary>S when square.</summary>
        public int Stride => StrideH;

        /// <summary>P when square.</summary>
        public int Padding => PadH;
    }

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
    /// <param name="Input">The declared input shape, [C, H, W], [C, L] or [features]; empty when missing.</param>
    /// <param name="InputMalformed">The Input argument did not bind.</param>
    /// <param name="Layers">The layers, in data-flow (declaration) order.</param>
    /// <param name="Rounding">How window layers round non-exact sizes unless they say otherwise.</param>
    internal sealed record ModelSpec(
        string Namespace,
        string ClassName,
        string HintName,
        EquatableArray<string> ContainingTypes,
        bool HasForeignBase,
        EquatableArray<int> Input,
        bool InputMalformed,
        EquatableArray<LayerSpec> Layers,
        RoundingMode Rounding = RoundingMode.Strict);
}

namespace ModelDsl.Generators.Model
{
    /// <summary>
    /// A block class (deriving from <c>ModelDsl.Block</c>): only what its own generated part needs, the
    /// partial layer properties to implement. Its layers are inlined into the models that use it.
    /// </summary>
    /// <param name="Properties">Each implementable property as <c>modifiers|name</c>.</param>
    internal sealed record BlockSpec(
        string Namespace,
        string ClassName,
        string HintName,
        EquatableArray<string> ContainingTypes,
        EquatableArray<string> Properties);
}
