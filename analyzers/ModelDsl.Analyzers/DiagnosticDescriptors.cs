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
        public const string RoundingDropsInputId = "MDL0007";
        public const string BiasBeforeBatchNormId = "MDL0008";
        public const string AsymmetricSamePaddingId = "MDL0009";
        public const string ReceptiveFieldSmallerThanInputId = "MDL0010";
        public const string SoftmaxLastLayerId = "MDL0011";
        public const string DropoutLastLayerId = "MDL0012";

        public const string ShapesCategory = "ModelDsl.Shapes";
        public const string DesignCategory = "ModelDsl.Design";

        /// <summary>The diagnostic property listing paddings that make the output exact, comma-separated (MDL0001).</summary>
        public const string FixPaddingsProperty = "FixPaddings";

        /// <summary>The diagnostic property telling whether <c>PaddingMode.Same</c> is a fix: <c>true</c> or <c>false</c>.</summary>
        public const string FixSameProperty = "FixSame";

        /// <summary>The diagnostic property naming the 1×1 projection that fixes a residual mismatch (MDL0006): <c>input|filters|stride</c>, or empty.</summary>
        public const string ProjectionProperty = "Projection";

        /// <summary>The diagnostic property telling whether the location is the convolution's own attribute, where <c>Bias = false</c> can be written: <c>true</c> or <c>false</c> (MDL0008).</summary>
        public const string FixBiasProperty = "FixBias";

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

        public static readonly DiagnosticDescriptor RoundingDropsInput = Create(
            RoundingDropsInputId, DiagnosticSeverity.Warning, ShapesCategory,
            "Rounding leaves input rows or columns that no window reads",
            "With Rounding = Floor (or Ceil) a window layer whose windows do not fit exactly drops the last window. " +
            "When that window would have read real input rows or columns that no other window reads, their information is lost. " +
            "Skipping only padding loses nothing and is not reported.");

        public static readonly DiagnosticDescriptor BiasBeforeBatchNorm = Create(
            BiasBeforeBatchNormId, DiagnosticSeverity.Warning, DesignCategory,
            "Convolution bias before batch norm is redundant",
            "Batch normalization subtracts each channel's mean, so a constant per-channel bias added just before it cancels out: " +
            "its parameters get no useful gradient. Set Bias = false on the convolution; the batch norm's shift β plays its role.");

        public static readonly DiagnosticDescriptor AsymmetricSamePadding = Create(
            AsymmetricSamePaddingId, DiagnosticSeverity.Warning, ShapesCategory,
            "Even kernel with PaddingMode.Same pads unevenly",
            "Same padding keeps ⌈W/S⌉ positions; a convolution with an even kernel needs an odd total padding, so one side (the bottom or right) gets one more row or column " +
            "than the other and the output is shifted by half a step against the input.");

        public static readonly DiagnosticDescriptor ReceptiveFieldSmallerThanInput = Create(
            ReceptiveFieldSmallerThanInputId, DiagnosticSeverity.Info, DesignCategory,
            "Pooled features see less than the whole input",
            "A global pool at the head averages (or takes the maximum of) features whose receptive field is smaller than the input, " +
            "so no part of the model relates regions of the input farther apart than that receptive field.");

        public static readonly DiagnosticDescriptor SoftmaxLastLayer = Create(
            SoftmaxLastLayerId, DiagnosticSeverity.Warning, DesignCategory,
            "Softmax as the model's last layer",
            "The training loss, Loss.SoftmaxCrossEntropy, takes logits and applies softmax itself (stably). A Softmax layer at the end " +
            "makes it train on probabilities squashed twice, which slows or stalls learning.");

        public static readonly DiagnosticDescriptor DropoutLastLayer = Create(
            DropoutLastLayerId, DiagnosticSeverity.Warning, DesignCategory,
            "Dropout as the model's last layer",
            "Dropout after the last layer zeroes outputs the loss sees while training and does nothing at inference; " +
            "it regularizes nothing that a dropout before the last Dense layer would not.");

        private static DiagnosticDescriptor Error(string id, string title, string description) =>
            Create(id, DiagnosticSeverity.Error, ShapesCategory, title, description);

        private static DiagnosticDescriptor Create(string id, DiagnosticSeverity severity, string category, string title, string description) => new(
            id,
            title,
            messageFormat: "{0}",
            category: category,
            defaultSeverity: severity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: HelpLinkBase + id + ".md");
    }
}
