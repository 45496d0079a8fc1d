using Microsoft.CodeAnalysis;

namespace ModelDsl.Analyzers
{
    /// <summary>Every diagnostic ModelDsl reports; ids are stable and each has a page under <c>docs/diagnostics/</c>.</summary>
    public static class DiagnosticDescriptors
    {
        public const string NonIntegerOutputId = "MDL0001";
        public const string NonPositiveOutputId = "MDL0002";
        public const string InvalidHyperparameterId = "MDL0003";
        public const string UnknownReferenceId = "MDL0004";
        public const string LaterReferenceId = "MDL0005";
        public const string MergeMismatchId = "MDL0006";

        public const string ShapesCategory = "ModelDsl.Shapes";

        /// <summary>The diagnostic property listing paddings that make the output exact, comma-separated (MDL0001).</summary>
        public const string FixPaddingsProperty = "FixPaddings";

        /// <summary>The diagnostic property telling whether <c>PaddingMode.Same</c> is a fix: <c>true</c> or <c>false</c>.</summary>
        public const string FixSameProperty = "FixSame";

        private const string HelpLinkBase = "https://github.com/modeldsl/modeldsl/blob/main/docs/diagnostics/";

        public static readonly DiagnosticDescriptor NonIntegerOutput = Error(
            NonIntegerOutputId,
            "Convolution or pooling output size is not an integer",
            "With input size W, window F, padding P and stride S, a convolution or pooling layer produces (W − F + 2P)/S + 1 rows and columns. " +
            "When S does not divide W − F + 2P, the last window would hang over the border; ModelDsl does not silently drop rows or columns.");

        public static readonly DiagnosticDescriptor NonPositiveOutput = Error(
            NonPositiveOutputId,
            "Convolution or pooling window is larger than its padded input",
            "A window of F×F must fit inside the padded input: W − F + 2P must be at least 0, or the layer has no output at all.");

        public static readonly DiagnosticDescriptor InvalidHyperparameter = Error(
            InvalidHyperparameterId,
            "Hyperparameter out of range or model declaration invalid",
            "Filters, kernel and units must be at least 1, stride at least 1, padding at least 0, dropout p in [0, 1); " +
            "a model declares Input = [C, H, W] or [features] and no base class of its own, and each layer is one 'partial Layer Name { get; }' property with one layer attribute.");

        public static readonly DiagnosticDescriptor UnknownReference = Error(
            UnknownReferenceId,
            "Layer reads a name that is not a layer of the model",
            "From, Add, Concat, Multiply and MaxUnpool2D name earlier layers of the same model; write the names with nameof(...) so that renames follow and typos are caught.");

        public static readonly DiagnosticDescriptor LaterReference = Error(
            LaterReferenceId,
            "Layer reads itself or a layer declared after it",
            "Layers run in declaration order (order = data flow), so a layer can read only layers declared before it; this also rules out cycles.");

        public static readonly DiagnosticDescriptor MergeMismatch = Error(
            MergeMismatchId,
            "Merged tensors do not fit together",
            "Add needs inputs of one shape, Concat inputs with equal H×W, Multiply a per-channel scale with the map's channel count, MaxUnpool2D the output shape of its max-pool. " +
            "When a residual branch changes channels or stride, project the shortcut with a 1×1 convolution of that stride.");

        private static DiagnosticDescriptor Error(string id, string title, string description) => new(
            id,
            title,
            messageFormat: "{0}",
            category: ShapesCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: HelpLinkBase + id + ".md");
    }
}
