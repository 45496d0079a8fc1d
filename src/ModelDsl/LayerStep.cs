namespace ModelDsl;

/// <summary>What a <see cref="LayerStep"/> computes (the layer attribute it comes from).</summary>
public enum LayerOp
{
    /// <summary>2-D convolution (with stride, padding, dilation, groups).</summary>
    Conv2D,
    /// <summary>2-D max pooling.</summary>
    MaxPool2D,
    /// <summary>2-D average pooling.</summary>
    AvgPool2D,
    /// <summary>Flattening (a view, or a copy when an activation is fused).</summary>
    Flatten,
    /// <summary>Fully connected layer.</summary>
    Dense,
    /// <summary>Inverted dropout.</summary>
    Dropout,
    /// <summary>A standalone activation.</summary>
    Activation,
    /// <summary>1-D convolution.</summary>
    Conv1D,
    /// <summary>2-D transposed convolution.</summary>
    ConvTranspose2D,
    /// <summary>1-D max pooling.</summary>
    MaxPool1D,
    /// <summary>1-D average pooling.</summary>
    AvgPool1D,
    /// <summary>Mean over each channel's positions.</summary>
    GlobalAvgPool,
    /// <summary>Maximum over each channel's positions.</summary>
    GlobalMaxPool,
    /// <summary>Max unpooling with a pooling layer's switches.</summary>
    MaxUnpool2D,
    /// <summary>Batch normalization.</summary>
    BatchNorm,
    /// <summary>Layer normalization.</summary>
    LayerNorm,
    /// <summary>Instance normalization.</summary>
    InstanceNorm,
    /// <summary>Group normalization.</summary>
    GroupNorm,
    /// <summary>Local response normalization.</summary>
    LocalResponseNorm,
    /// <summary>Element-wise sum of the inputs (residual).</summary>
    Add,
    /// <summary>Concatenation along channels.</summary>
    Concat,
    /// <summary>x (N, C, H, W) scaled by a per-channel vector (N, C) (squeeze-and-excitation).</summary>
    Multiply,
    /// <summary>A block layer switched off: its readers read its input.</summary>
    Identity,
}

/// <summary>An activation, fused into a layer or standing alone (<see cref="LayerOp.Activation"/>).</summary>
public enum LayerActivation
{
    /// <summary>None.</summary>
    None,
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>1/(1 + e^−x).</summary>
    Sigmoid,
    /// <summary>Softmax over channels.</summary>
    Softmax,
    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    LeakyReLU,
    /// <summary>min(max(0, x), 6).</summary>
    ReLU6,
    /// <summary>x·sigmoid(x).</summary>
    SiLU,
    /// <summary>x·ReLU6(x + 3)/6.</summary>
    HardSwish,
}

/// <summary>
/// One layer of a generated model's forward and backward, as data: which slots it reads and writes
/// (the same slots the generated CPU code uses, see <see cref="ModelLayout"/>), where its parameters
/// sit in the flat buffers, and its static shape. The generator emits one per layer, in data-flow
/// order; backends other than the generated CPU code (the ILGPU backend) run a model from these.
/// </summary>
/// <remarks>Dimension legend: N batch, C channels, H×W height×width, K filters, F kernel, S stride, P padding, D dilation, G groups.</remarks>
public sealed class LayerStep
{
    /// <summary>The layer's name (<c>C1</c>, <c>Layer1.0.Conv1</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the layer computes.</summary>
    public required LayerOp Op { get; init; }

    /// <summary>The activation applied to the layer's result (the activation itself for <see cref="LayerOp.Activation"/>).</summary>
    public LayerActivation Activation { get; init; }

    /// <summary>The shape of one sample of the first input.</summary>
    public required Shape Input { get; init; }

    /// <summary>The shape of one output sample.</summary>
    public required Shape Output { get; init; }

    /// <summary>The float slots holding the inputs, in the layer's input order.</summary>
    public required IReadOnlyList<int> InSlots { get; init; }

    /// <summary>The values per sample of each input (a concatenation's parts).</summary>
    public required IReadOnlyList<int> InSizes { get; init; }

    /// <summary>The float slot holding y (the first input's slot when <see cref="Passthrough"/>).</summary>
    public int OutSlot { get; init; }

    /// <summary>The layer's own result before a fused SiLU/HardSwish, or −1.</summary>
    public int PreActivationSlot { get; init; } = -1;

    /// <summary>
    /// The int slot of a max-pool's argmax (written by its forward), or for <see cref="LayerOp.MaxUnpool2D"/> the
    /// argmax slot of the max-pool whose switches it reads; −1 otherwise.
    /// </summary>
    public int ArgmaxSlot { get; init; } = -1;

    /// <summary>Dropout's mask, normalization's mean, local response normalization's scale: the first saved float slot, or −1.</summary>
    public int SavedSlot { get; init; } = -1;

    /// <summary>Normalization's rstd, or −1.</summary>
    public int SavedSlot2 { get; init; } = -1;

    /// <summary>y is x viewed differently; nothing to compute.</summary>
    public bool Passthrough { get; init; }

    /// <summary>The gradient slot holding dy, or −1 when backward has nothing to do here.</summary>
    public int GradientSlot { get; init; } = -1;

    /// <summary>Per input: the producer's gradient slot dx goes to, or −1 when no gradient is needed.</summary>
    public required IReadOnlyList<int> TargetSlots { get; init; }

    /// <summary>Per input: another reader wrote the target first (backward order), so this layer adds to it.</summary>
    public required IReadOnlyList<bool> Accumulate { get; init; }

    /// <summary>Whether backward computes anything: parameters to train or an input that needs a gradient.</summary>
    public bool HasBackward { get; init; }

    /// <summary>The weight's offset in the flat parameters, or −1.</summary>
    public int WeightOffset { get; init; } = -1;

    /// <summary>The bias's offset in the flat parameters, or −1.</summary>
    public int BiasOffset { get; init; } = -1;

    /// <summary>The running mean's offset in the flat buffers, or −1.</summary>
    public int RunningMeanOffset { get; init; } = -1;

    /// <summary>The running variance's offset in the flat buffers, or −1.</summary>
    public int RunningVarOffset { get; init; } = -1;

    /// <summary>Window height F_h (convolution, pooling).</summary>
    public int KernelH { get; init; } = 1;

    /// <summary>Window width F_w.</summary>
    public int KernelW { get; init; } = 1;

    /// <summary>Vertical stride.</summary>
    public int StrideH { get; init; } = 1;

    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; init; } = 1;

    /// <summary>Zero rows above the input.</summary>
    public int PadTop { get; init; }

    /// <summary>Zero columns left of the input.</summary>
    public int PadLeft { get; init; }

    /// <summary>Vertical dilation.</summary>
    public int DilationH { get; init; } = 1;

    /// <summary>Horizontal dilation.</summary>
    public int DilationW { get; init; } = 1;

    /// <summary>Groups G.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Dropout's drop probability p.</summary>
    public float Rate { get; init; }

    /// <summary>LeakyReLU's negative slope.</summary>
    public float Slope { get; init; }

    /// <summary>Normalization's eps.</summary>
    public float Eps { get; init; }

    /// <summary>Batch normalization's running-statistics momentum.</summary>
    public float Momentum { get; init; }

    /// <summary>Local response normalization's window n: the channels summed around each channel.</summary>
    public int Size { get; init; }

    /// <summary>Local response normalization's α.</summary>
    public float Alpha { get; init; }

    /// <summary>Local response normalization's β.</summary>
    public float Beta { get; init; }

    /// <summary>Local response normalization's k.</summary>
    public float K { get; init; }
}
