namespace ModelDsl;

/// <summary>
/// A copy of an optimizer's state for one model, taken by <see cref="Optimizer.ExportState"/> and put back by
/// <see cref="Optimizer.ImportState"/>: the optimizer's kind, its scalars (learning rate, hyperparameters,
/// counters such as Adam's step count) and its per-parameter tensors (momentum, moments), each as long as the
/// model's flat <see cref="Model.Parameters"/> and indexed like it. Frozen parameters and per-layer learning-rate
/// scales need nothing of their own: the state of a value the optimizer never updated stays zero.
/// </summary>
/// <remarks>
/// Scalar names: <c>learning_rate</c> for every optimizer; <c>momentum</c>, <c>nesterov</c> (0 or 1) and
/// <c>weight_decay</c> for <see cref="Sgd"/>; <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>weight_decay</c> and the
/// counter <c>step</c> for <see cref="Adam"/> and <see cref="AdamW"/>; <c>alpha</c>, <c>eps</c>, <c>momentum</c> and
/// <c>weight_decay</c> for <see cref="RmsProp"/>. Tensor names: <c>sgd.momentum</c> (with momentum),
/// <c>adam.m</c> and <c>adam.v</c>, <c>rmsprop.square_avg</c> and <c>rmsprop.momentum</c> (with momentum).
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>Creates a state (normally <see cref="Optimizer.ExportState"/> does).</summary>
    /// <param name="kind">The optimizer's type name (<c>Sgd</c>, <c>Adam</c>, <c>AdamW</c>, <c>RmsProp</c>).</param>
    /// <param name="scalars">Learning rate, hyperparameters and counters by name.</param>
    /// <param name="tensors">Per-parameter state by name, each as long as the model's parameters.</param>
    public OptimizerState(string kind, IReadOnlyDictionary<string, double> scalars, IReadOnlyDictionary<string, float[]> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(scalars);
        ArgumentNullException.ThrowIfNull(tensors);
        Kind = kind;
        Scalars = scalars;
        Tensors = tensors;
    }

    /// <summary>The optimizer's type name; <see cref="Optimizer.ImportState"/> accepts only the same kind.</summary>
    public string Kind { get; }

    /// <summary>Learning rate, hyperparameters and counters by name (see the remarks of <see cref="OptimizerState"/>).</summary>
    public IReadOnlyDictionary<string, double> Scalars { get; }

    /// <summary>Per-parameter state by name, indexed like <see cref="Model.Parameters"/>.</summary>
    public IReadOnlyDictionary<string, float[]> Tensors { get; }

    /// <summary>The learning rate the optimizer had.</summary>
    public double LearningRate => Scalars.TryGetValue(Optimizer.LearningRateKey, out var rate) ? rate : double.NaN;
}
