namespace ModelDsl;

/// <summary>
/// Everything the runtime needs to host a generated model, fixed at compile time: shapes, the
/// parameters' places in the flat buffer, and the per-sample sizes of the buffers that forward and
/// backward use. The generator emits one per model class.
/// </summary>
/// <param name="Summary">Layers, shapes, costs.</param>
/// <param name="ParameterInfos">Every trained parameter, in buffer order.</param>
/// <param name="Slots">Per-sample sizes of the float buffers: slot 0 is the input, then the values forward
/// saves for backward (layer outputs, dropout masks, normalization statistics).</param>
/// <param name="IntSlots">Per-sample sizes of the int buffers (max-pool argmax).</param>
/// <param name="OutputSlot">The slot holding the model's output.</param>
/// <param name="GradientSlots">Per-sample sizes of the buffers backward passes gradients through: one per
/// layer output that needs one, and a scratch buffer for summing the gradients of a tensor read by several layers.</param>
/// <param name="OutputGradientSlot">The gradient slot that receives ∂loss/∂output.</param>
public sealed record ModelLayout(
    ModelSummary Summary,
    IReadOnlyList<ParameterInfo> ParameterInfos,
    IReadOnlyList<int> Slots,
    IReadOnlyList<int> IntSlots,
    int OutputSlot,
    IReadOnlyList<int> GradientSlots,
    int OutputGradientSlot)
{
    /// <summary>The float slot holding each layer's output, in summary order (for finding where values went wrong).</summary>
    public IReadOnlyList<int> LayerSlots { get; init; } = [];

    /// <summary>
    /// The layers (summary indices) whose output is not written in inference: batch norms that the residual sum
    /// reading them applies in its own pass.
    /// </summary>
    public IReadOnlyList<int> InferenceFusedLayers { get; init; } = [];

    /// <summary>State that is not trained but saved with the model (batch-norm running statistics), in buffer order.</summary>
    public IReadOnlyList<ParameterInfo> BufferInfos { get; init; } = [];

    /// <summary>Every layer's forward and backward as data, in data-flow order (what backends other than the generated CPU code run).</summary>
    public IReadOnlyList<LayerStep> Steps { get; init; } = [];

    /// <summary>Gradient slots of outputs nothing reads: zero before backward.</summary>
    public IReadOnlyList<int> UnreadGradientSlots { get; init; } = [];

    /// <summary>The shape of one input sample.</summary>
    public Shape Input => Summary.Input;

    /// <summary>The shape of one output sample.</summary>
    public Shape Output => Summary.Layers.Count == 0 ? Summary.Input : Summary.Layers[^1].Output;

    /// <summary>The number of learned values.</summary>
    public int ParameterCount => ParameterInfos.Count == 0 ? 0 : ParameterInfos[^1].Offset + ParameterInfos[^1].Length;

    /// <summary>The number of buffer values.</summary>
    public int BufferCount => BufferInfos.Count == 0 ? 0 : BufferInfos[^1].Offset + BufferInfos[^1].Length;
}
