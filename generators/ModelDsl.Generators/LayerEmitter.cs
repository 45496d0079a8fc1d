using System.Linq;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>
    /// Writes one layer: its shape struct, then its forward and backward side by side. Forward reads
    /// its input slots and writes its output slot (and what backward needs); backward reads its output
    /// gradient and writes (or, when another reader got there first, adds) its inputs' gradients.
    /// </summary>
    internal sealed class LayerEmitter
    {
        private const string K = "global::ModelDsl.Kernels.";

        private readonly SourceWriter _w;
        private readonly Step _step;
        private readonly Plan _plan;
        private readonly ShapedLayer _layer;
        private readonly LayerSpec _spec;

        private LayerEmitter(SourceWriter w, Step step, Plan plan)
        {
            _w = w;
            _step = step;
            _plan = plan;
            _layer = step.Layer;
            _spec = step.Layer.Spec;
        }

        public static void Emit(SourceWriter w, Step step, Plan plan) => new LayerEmitter(w, step, plan).Emit();

        /// <summary>The layer's name in generated identifiers (an inlined block layer's dots become underscores).</summary>
        private string Name => ShapeEngine.Identifier(_spec.Name);
        private string ShapeStruct => Name + "Shape";
        private Dims X => _layer.In;
        private Dims Y => _layer.Out;
        private bool HasFusedActivation => _spec.Kind != LayerKind.Activation && _spec.Activation != ActivationKind.None;

        /// <summary>
        /// A convolution whose ReLU the kernel applies as it stores y (no separate pass): the activation is
        /// ReLU and no pre-activation value is kept (ReLU's backward reads y).
        /// </summary>
        private bool ConvAppliesReLU => _spec.Kind is LayerKind.Conv2D or LayerKind.Conv1D
            && _spec.Activation == ActivationKind.ReLU && _step.PreActivationSlot < 0;

        private string W => _step.Weight is null ? "default" : $"Weights({_step.Weight.Const}, {_step.Weight.Const}_Length)";
        private string B => _step.Bias is null ? "default" : $"Weights({_step.Bias.Const}, {_step.Bias.Const}_Length)";
        private string DW => _step.Weight is null ? "default" : $"Grads({_step.Weight.Const}, {_step.Weight.Const}_Length)";
        private string DB => _step.Bias is null ? "default" : $"Grads({_step.Bias.Const}, {_step.Bias.Const}_Length)";
        private string RunningMean => $"BufferValues({_step.RunningMean!.Const}, {_step.RunningMean.Const}_Length)";
        private string RunningVar => $"BufferValues({_step.RunningVar!.Const}, {_step.RunningVar.Const}_Length)";
        private string In(int i = 0) => $"Slot({Num.I(_step.InSlots[i])}, n)";
        private string Saved => $"Slot({Num.I(_step.SavedSlot)}, n)";
        private string Saved2 => $"Slot({Num.I(_step.SavedSlot2)}, n)";
        private string Argmax => $"IntSlot({Num.I(_step.ArgmaxSlot)}, n)";
        private string Positions => Num.I(X.Positions);

        private void Emit()
        {
            _w.Line("// " + Describe.Comment(_layer));
            if (_step.Passthrough && !_step.HasBackward) return;
            EmitShapeStruct();
            if (!_step.Passthrough) EmitForward();
            if (_step.HasBackward)
            {
                if (!_step.Passthrough) _w.Line();
                EmitBackward();
            }
        }

        // ---- forward ---------------------------------------------------------------------------

        private void EmitForward()
        {
            _w.Open($"private void {Name}_Forward(int n, bool training)");
            for (var i = 0; i < _step.InSlots.Length; i++)
            {
                _w.Line($"var x{(i == 0 ? "" : Num.I(i))} = {In(i)}; // {(_layer.Inputs[i] < 0 ? "the input" : _plan.Steps[_layer.Inputs[i]].Layer.Spec.Name)}: {(i == 0 ? X : Input(i))}");
            }
            // With a fused SiLU/HardSwish the layer's own result z is kept for backward; otherwise y is written in place.
            var target = _step.PreActivationSlot >= 0 ? "z" : "y";
            if (_step.PreActivationSlot >= 0) _w.Line($"var z = Slot({Num.I(_step.PreActivationSlot)}, n); // {Y}, before {_spec.Activation}");
            _w.Line($"var y = Slot({Num.I(_step.OutSlot)}, n); // {Y}");
            switch (_spec.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Conv1D:
                    if (_step.FoldsNorm is { } norm)
                    {
                        var relu = norm.Layer.Spec.Activation == ActivationKind.ReLU;
                        _w.Open("if (!training)");
                        _w.Line($"// {norm.Layer.Spec.Name} folded into the filters{(relu ? ", with its ReLU," : "")} as they are packed: its output written here");
                        _w.Line($"{K}Conv2D.ForwardNormalized<{ShapeStruct}>(x, {W}, {B}, {BatchNormParameters(norm)}, Slot({Num.I(norm.OutSlot)}, n), n, relu: {(relu ? "true" : "false")});");
                        _w.Line("return;");
                        _w.Close();
                    }
                    if (ConvAppliesReLU) _w.Line($"{K}Conv2D.Forward<{ShapeStruct}>(x, {W}, {B}, y, n, relu: true); // with the ReLU, as y is stored");
                    else _w.Line($"{K}Conv2D.Forward<{ShapeStruct}>(x, {W}, {B}, {target}, n);");
                    break;
                case LayerKind.ConvTranspose2D:
                    _w.Line($"{K}ConvTranspose2D.Forward<{ShapeStruct}>(x, {W}, {B}, {target}, n);");
                    break;
                case LayerKind.Dense:
                    _w.Line($"{K}Dense.Forward<{ShapeStruct}>(x, {W}, {B}, {target}, n);");
                    break;
                case LayerKind.MaxPool2D:
                case LayerKind.MaxPool1D:
                    _w.Line($"{K}MaxPool2D.Forward<{ShapeStruct}>(x, {target}, {Argmax}, n); // argmax saved for backward");
                    break;
                case LayerKind.AvgPool2D:
                case LayerKind.AvgPool1D:
                    _w.Line($"{K}AvgPool2D.Forward<{ShapeStruct}>(x, {target}, n);");
                    break;
                case LayerKind.GlobalAvgPool:
                    _w.Line($"{K}GlobalPool.AvgForward(x, {target}, n, {Num.I(X.C)}, {Positions});");
                    break;
                case LayerKind.GlobalMaxPool:
                    _w.Line($"{K}GlobalPool.MaxForward(x, {target}, {Argmax}, n, {Num.I(X.C)}, {Positions}); // argmax saved for backward");
                    break;
                case LayerKind.MaxUnpool2D:
                {
                    var pool = PoolStep();
                    _w.Line($"{K}MaxUnpool2D.Forward<{ShapeEngine.Identifier(pool.Layer.Spec.Name)}Shape>(x, IntSlot({Num.I(pool.ArgmaxSlot)}, n), {target}, n); // {pool.Layer.Spec.Name}'s switches");
                    break;
                }
                case LayerKind.Dropout:
                    _w.Line($"if (training) {K}Dropout.Forward(x, {target}, {Saved}, {Num.F(_spec.Rate)}, ref DropoutRng); // mask saved for backward");
                    _w.Line($"else x.CopyTo({target});");
                    break;
                case LayerKind.Flatten:
                    _w.Line($"x.CopyTo({target});");
                    break;
                case LayerKind.BatchNorm:
                {
                    var train = $"{K}BatchNorm.ForwardTraining(x, {W}, {B}, {RunningMean}, {RunningVar}, {target}, {Saved}, {Saved2}, n, {Num.I(X.C)}, {Positions}, {Num.F(_spec.Momentum)}, {Num.F(_spec.Eps)}); // batch mean and rstd saved";
                    if (_step.AppliedBy is not null)
                    {
                        _w.Line("if (training) " + train);
                        _w.Line($"// In inference {_step.AppliedBy.Layer.Spec.Name} applies this batch norm, in one pass with its sum.");
                    }
                    else if (_step.FoldedInto is not null)
                    {
                        _w.Line($"if (!training) return; // {_step.FoldedInto.Layer.Spec.Name} applies this batch norm{(_spec.Activation == ActivationKind.ReLU ? " and its ReLU" : "")} in inference, folded into its filters");
                        _w.Line(train);
                    }
                    else if (_spec.Activation == ActivationKind.ReLU)
                    {
                        _w.Open("if (!training)");
                        _w.Line($"{K}BatchNorm.ForwardInference(x, {W}, {B}, {RunningMean}, {RunningVar}, y, n, {Num.I(X.C)}, {Positions}, {Num.F(_spec.Eps)}, relu: true); // with the ReLU, one pass");
                        _w.Line("return;");
                        _w.Close();
                        _w.Line(train);
                    }
                    else
                    {
                        _w.Line("if (training) " + train);
                        _w.Line($"else {K}BatchNorm.ForwardInference(x, {W}, {B}, {RunningMean}, {RunningVar}, {target}, n, {Num.I(X.C)}, {Positions}, {Num.F(_spec.Eps)});");
                    }
                    break;
                }
                case LayerKind.LayerNorm:
                    _w.Line($"{K}LayerNorm.Forward(x, {W}, {B}, {target}, {Saved}, {Saved2}, n, {Num.I(X.Size)}, {Num.F(_spec.Eps)}); // mean and rstd per sample saved");
                    break;
                case LayerKind.InstanceNorm:
                case LayerKind.GroupNorm:
                    _w.Line($"{K}GroupNorm.Forward(x, {W}, {B}, {target}, {Saved}, {Saved2}, n, {Num.I(X.C)}, {Positions}, {Num.I(Groups)}, {Num.F(_spec.Eps)}); // mean and rstd per group saved");
                    break;
                case LayerKind.LocalResponseNorm:
                    _w.Line($"{K}LocalResponseNorm.Forward(x, {target}, {Saved}, n, {Num.I(X.C)}, {Positions}, {Num.I(_spec.Units)}, {Num.F(_spec.Alpha)}, {Num.F(_spec.Beta)}, {Num.F(_spec.K)}); // scale saved");
                    break;
                case LayerKind.Add:
                    if (_step.InferenceNorms.Length > 0) InferenceSum();
                    _w.Line($"{K}Merge.Add(x, x1, {target});");
                    for (var i = 2; i < _step.InSlots.Length; i++) _w.Line($"{K}Merge.Add({target}, x{Num.I(i)}, {target});");
                    break;
                case LayerKind.Concat:
                {
                    var offset = 0L;
                    for (var i = 0; i < _step.InSlots.Length; i++)
                    {
                        var part = Input(i).Size;
                        _w.Line($"{K}Merge.ConcatForward(x{(i == 0 ? "" : Num.I(i))}, {target}, n, {Num.I(part)}, {Num.I(Y.Size)}, {Num.I(offset)});");
                        offset += part;
                    }
                    break;
                }
                case LayerKind.Multiply:
                    _w.Line($"{K}Merge.ScaleForward(x, x1, {target}, n, {Num.I(X.C)}, {Positions});");
                    break;
                case LayerKind.Activation:
                    ActivationForward(_spec.Activation, "x", "y", Y);
                    break;
            }
            if (HasFusedActivation && !ConvAppliesReLU) ActivationForward(_spec.Activation, target, "y", Y);
            _w.Close();
        }

        /// <summary>
        /// The inference path of a residual sum that applies the batch norms feeding it: one pass over their
        /// inputs (a normalized input first), with the ReLU when the sum has one.
        /// </summary>
        private void InferenceSum()
        {
            var norms = _step.InferenceNorms;
            var order = norms[0] is null ? new[] { 1, 0 } : new[] { 0, 1 };
            string Source(int i) => norms[i] is null ? In(i) : $"Slot({Num.I(norms[i]!.InSlots[0])}, n)";
            string Parameters(int i) => norms[i] is null ? "default" : BatchNormParameters(norms[i]!);
            var applied = string.Join(" and ", norms.Where(b => b is not null).Select(b => b!.Layer.Spec.Name));
            var relu = _spec.Activation == ActivationKind.ReLU;
            _w.Open("if (!training)");
            _w.Line($"// {applied} applied here{(relu ? ", with the sum and the ReLU," : " with the sum")} in one pass");
            _w.Line($"{K}BatchNorm.InferenceSum({Source(order[0])}, {Parameters(order[0])}, {Source(order[1])}, {Parameters(order[1])}, y, n, {Num.I(Y.C)}, {Num.I(Y.Positions)}, relu: {(relu ? "true" : "false")});");
            _w.Line("return;");
            _w.Close();
        }

        /// <summary>A batch norm step's inference parameters as a <c>BatchNormParameters</c> expression.</summary>
        private static string BatchNormParameters(Step bn)
        {
            string Values(string accessor, ParameterPlan? p) => p is null ? "default" : $"{accessor}({p.Const}, {p.Const}_Length)";
            return $"new {K}BatchNormParameters({Values("Weights", bn.Weight)}, {Values("Weights", bn.Bias)}, {Values("BufferValues", bn.RunningMean)}, {Values("BufferValues", bn.RunningVar)}, {Num.F(bn.Layer.Spec.Eps)})";
        }

        private Dims Input(int i) => _layer.Inputs[i] < 0 ? _plan.Input : _plan.Steps[_layer.Inputs[i]].Layer.Out;

        private int Groups => _spec.Kind == LayerKind.InstanceNorm ? X.C : _spec.Groups;

        private Step PoolStep() => _plan.Steps.First(s => s.Layer.Spec.Name == _spec.Reference);

        // ---- backward --------------------------------------------------------------------------

        private void EmitBackward()
        {
            _w.Open($"private void {Name}_Backward(int n)");
            _w.Line($"var dy = GradientSlot({Num.I(_step.GradSlot)}, n); // {Y}");
            if (HasFusedActivation)
            {
                var saved = _step.PreActivationSlot >= 0 ? $"Slot({Num.I(_step.PreActivationSlot)}, n)" : $"Slot({Num.I(_step.OutSlot)}, n)";
                ActivationBackward(_spec.Activation, saved, "dy", Y);
            }
            switch (_spec.Kind)
            {
                case LayerKind.Conv2D:
                case LayerKind.Conv1D:
                    Gradient(0, optional: true, dx => $"{K}Conv2D.Backward<{ShapeStruct}>({In()}, {W}, dy, {dx}, {DW}, {DB}, n);");
                    break;
                case LayerKind.ConvTranspose2D:
                    Gradient(0, optional: true, dx => $"{K}ConvTranspose2D.Backward<{ShapeStruct}>({In()}, {W}, dy, {dx}, {DW}, {DB}, n);");
                    break;
                case LayerKind.Dense:
                    Gradient(0, optional: true, dx => $"{K}Dense.Backward<{ShapeStruct}>({In()}, {W}, dy, {dx}, {DW}, {DB}, n);");
                    break;
                case LayerKind.MaxPool2D:
                case LayerKind.MaxPool1D:
                    Gradient(0, optional: false, dx => $"{K}MaxPool2D.Backward<{ShapeStruct}>(dy, {Argmax}, {dx}, n);");
                    break;
                case LayerKind.AvgPool2D:
                case LayerKind.AvgPool1D:
                    Gradient(0, optional: false, dx => $"{K}AvgPool2D.Backward<{ShapeStruct}>(dy, {dx}, n);");
                    break;
                case LayerKind.GlobalAvgPool:
                    Gradient(0, optional: false, dx => $"{K}GlobalPool.AvgBackward(dy, {dx}, n, {Num.I(X.C)}, {Positions});");
                    break;
                case LayerKind.GlobalMaxPool:
                    Gradient(0, optional: false, dx => $"{K}GlobalPool.MaxBackward(dy, {Argmax}, {dx}, n, {Num.I(X.C)}, {Positions});");
                    break;
                case LayerKind.MaxUnpool2D:
                {
                    var pool = PoolStep();
                    Gradient(0, optional: false, dx => $"{K}MaxUnpool2D.Backward<{ShapeEngine.Identifier(pool.Layer.Spec.Name)}Shape>(dy, IntSlot({Num.I(pool.ArgmaxSlot)}, n), {dx}, n);");
                    break;
                }
                case LayerKind.Dropout:
                    Gradient(0, optional: false, dx => $"{K}Dropout.Backward({Saved}, dy, {dx});");
                    break;
                case LayerKind.Flatten:
                case LayerKind.Identity:
                    Gradient(0, optional: false, dx => $"{K}Merge.Copy(dy, {dx});", accumulateDirectly: true);
                    break;
                case LayerKind.BatchNorm:
                    Gradient(0, optional: false, dx => $"{K}BatchNorm.Backward({In()}, {W}, {Saved}, {Saved2}, dy, {dx}, {DW}, {DB}, n, {Num.I(X.C)}, {Positions});", paramsOnly: true);
                    break;
                case LayerKind.LayerNorm:
                    Gradient(0, optional: false, dx => $"{K}LayerNorm.Backward({In()}, {W}, {Saved}, {Saved2}, dy, {dx}, {DW}, {DB}, n, {Num.I(X.Size)});", paramsOnly: true);
                    break;
                case LayerKind.InstanceNorm:
                case LayerKind.GroupNorm:
                    Gradient(0, optional: false, dx => $"{K}GroupNorm.Backward({In()}, {W}, {Saved}, {Saved2}, dy, {dx}, {DW}, {DB}, n, {Num.I(X.C)}, {Positions}, {Num.I(Groups)});", paramsOnly: true);
                    break;
                case LayerKind.LocalResponseNorm:
                    Gradient(0, optional: false, dx => $"{K}LocalResponseNorm.Backward({In()}, {Saved}, dy, {dx}, n, {Num.I(X.C)}, {Positions}, {Num.I(_spec.Units)}, {Num.F(_spec.Alpha)}, {Num.F(_spec.Beta)});");
                    break;
                case LayerKind.Add:
                    for (var i = 0; i < _step.Targets.Length; i++) Gradient(i, optional: false, dx => $"{K}Merge.Copy(dy, {dx});", accumulateDirectly: true);
                    break;
                case LayerKind.Concat:
                {
                    var offset = 0L;
                    for (var i = 0; i < _step.Targets.Length; i++)
                    {
                        var part = Input(i).Size;
                        var at = offset;
                        Gradient(i, optional: false, dx => $"{K}Merge.ConcatBackward(dy, {dx}, n, {Num.I(part)}, {Num.I(Y.Size)}, {Num.I(at)});");
                        offset += part;
                    }
                    break;
                }
                case LayerKind.Multiply:
                    Gradient(0, optional: false, dx => $"{K}Merge.ScaleBackward({In(0)}, {In(1)}, dy, {dx}, default, n, {Num.I(X.C)}, {Positions});");
                    Gradient(1, optional: false, ds => $"{K}Merge.ScaleBackward({In(0)}, {In(1)}, dy, default, {ds}, n, {Num.I(X.C)}, {Positions});");
                    break;
                case LayerKind.Activation:
                    Gradient(0, optional: false, dx => ActivationBackwardLine(_spec.Activation, $"Slot({Num.I(_step.OutSlot)}, n)", In(), "dy", dx, Y));
                    break;
            }
            _w.Close();
        }

        /// <summary>
        /// Writes the gradient of input <paramref name="i"/> with <paramref name="call"/>. The target is the
        /// producer's gradient slot when this layer is the first to write it (backward order), otherwise
        /// the scratch slot, then added in. A kernel that can skip dx gets <c>default</c> when no gradient
        /// is needed; one that cannot (<paramref name="paramsOnly"/>: it still owes parameter gradients)
        /// writes into scratch.
        /// </summary>
        private void Gradient(int i, bool optional, System.Func<string, string> call, bool paramsOnly = false, bool accumulateDirectly = false)
        {
            var target = _step.Targets[i];
            var size = Input(i).Size;
            if (!target.Needed)
            {
                if (optional) _w.Line(call("default") + " // no input gradient: nothing before needs one");
                else if (paramsOnly) _w.Line(call($"GradientSlot({Num.I(_plan.ScratchSlot)}, n, {Num.I(size)})") + " // input gradient unused");
                return;
            }
            var slot = $"GradientSlot({Num.I(target.Slot)}, n)";
            if (!target.Accumulate)
            {
                _w.Line(call(slot));
            }
            else if (accumulateDirectly)
            {
                _w.Line($"{K}Merge.Accumulate(dy, {slot}); // another reader wrote it first: add");
            }
            else
            {
                _w.Line("{");
                var scratch = $"GradientSlot({Num.I(_plan.ScratchSlot)}, n, {Num.I(size)})";
                _w.Line($"    var g = {scratch}; // another reader wrote it first: compute here, then add");
                _w.Line("    " + call("g"));
                _w.Line($"    {K}Merge.Accumulate(g, {slot});");
                _w.Line("}");
            }
        }

        // ---- shapes and activations ------------------------------------------------------------

        /// <summary>The per-layer struct whose static members carry the shape to the generic kernels as constants.</summary>
        private void EmitShapeStruct()
        {
            var kind = _spec.Kind;
            string? iface = kind switch
            {
                LayerKind.Conv2D or LayerKind.Conv1D => "IConv2DShape",
                LayerKind.ConvTranspose2D => "IConvTranspose2DShape",
                LayerKind.MaxPool2D or LayerKind.AvgPool2D or LayerKind.MaxPool1D or LayerKind.AvgPool1D => "IPool2DShape",
                LayerKind.Dense => "IDenseShape",
                _ => null,
            };
            if (iface is null) return;
            _w.Open($"private struct {ShapeStruct} : {K}{iface}");
            if (kind == LayerKind.Dense)
            {
                _w.Line($"public static int In => {Num.I(X.Size)};");
                _w.Line($"public static int Out => {Num.I(Y.C)};");
            }
            else
            {
                var conv = kind is LayerKind.Conv2D or LayerKind.Conv1D or LayerKind.ConvTranspose2D;
                _w.Line($"public static int C => {Num.I(X.C)};");
                _w.Line($"public static int H => {Num.I(X.H)};");
                _w.Line($"public static int W => {Num.I(X.W)};");
                if (conv) _w.Line($"public static int K => {Num.I(Y.C)};");
                _w.Line($"public static int KH => {Num.I(_layer.KernelH)};");
                _w.Line($"public static int KW => {Num.I(_layer.KernelW)};");
                _w.Line($"public static int SH => {Num.I(_layer.StrideH)};");
                _w.Line($"public static int SW => {Num.I(_layer.StrideW)};");
                _w.Line($"public static int PadTop => {Num.I(_layer.PadTop)};");
                _w.Line($"public static int PadLeft => {Num.I(_layer.PadLeft)};");
                _w.Line($"public static int OH => {Num.I(Y.H)};");
                _w.Line($"public static int OW => {Num.I(Y.W)};");
                if (conv && _layer.DilationH != 1) _w.Line($"public static int DH => {Num.I(_layer.DilationH)};");
                if (conv && _layer.DilationW != 1) _w.Line($"public static int DW => {Num.I(_layer.DilationW)};");
                if (conv && _layer.Groups != 1) _w.Line($"public static int G => {Num.I(_layer.Groups)};");
            }
            _w.Close();
            _w.Line();
        }

        private void ActivationForward(ActivationKind activation, string source, string target, Dims shape)
        {
            var line = activation switch
            {
                ActivationKind.Softmax => $"{K}Softmax.Forward({source}, {target}, n, {Num.I(shape.C)}, {Num.I(shape.Positions)}); // over C",
                ActivationKind.LeakyReLU => $"{K}MoreActivations.LeakyReLU({source}, {target}, {Num.F(_spec.Slope)});",
                ActivationKind.ReLU6 or ActivationKind.SiLU or ActivationKind.HardSwish => $"{K}MoreActivations.{activation}({source}, {target});",
                _ => $"{K}Activations.{activation}({source}, {target});",
            };
            _w.Line(line);
        }

        /// <summary>A fused activation's backward, in place on dy.</summary>
        private void ActivationBackward(ActivationKind activation, string saved, string dy, Dims shape) =>
            _w.Line(ActivationBackwardLine(activation, saved, saved, dy, dy, shape));

        /// <summary>dx from dy: from the saved output y, or from the saved input x for SiLU and HardSwish.</summary>
        private string ActivationBackwardLine(ActivationKind activation, string y, string x, string dy, string dx, Dims shape) => activation switch
        {
            ActivationKind.Softmax => $"{K}Softmax.Backward({y}, {dy}, {dx}, n, {Num.I(shape.C)}, {Num.I(shape.Positions)}); // dx ← y ⊙ (dy − Σ_c dy ⊙ y)",
            ActivationKind.LeakyReLU => $"{K}MoreActivations.LeakyReLUBackward({y}, {dy}, {dx}, {Num.F(_spec.Slope)}); // dx ← dy · f′(y)",
            ActivationKind.ReLU6 => $"{K}MoreActivations.ReLU6Backward({y}, {dy}, {dx}); // dx ← dy · f′(y)",
            ActivationKind.SiLU or ActivationKind.HardSwish => $"{K}MoreActivations.{activation}Backward({x}, {dy}, {dx}); // dx ← dy · f′(x)",
            _ => $"{K}Activations.{activation}Backward({y}, {dy}, {dx}); // dx ← dy · f′(y)",
        };
    }
}
