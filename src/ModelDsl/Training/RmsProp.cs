using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelDsl;

/// <summary>
/// RMSProp (Hinton's lecture 6e) with PyTorch's update rule: g = ∇θ + λ·θ; s = α·s + (1 − α)·g²;
/// without momentum θ −= η·g / (√s + ε); with momentum μ, b = μ·b + g / (√s + ε) and θ −= η·b.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[] _square = [];
    private float[] _buffer = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η (PyTorch's default 0.01).</param>
    /// <param name="alpha">α in [0, 1), the decay of the mean square.</param>
    /// <param name="eps">ε.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="weightDecay">λ.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative, not finite, or α or μ ≥ 1.</exception>
    public RmsProp(float learningRate = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float momentum = 0, float weightDecay = 0)
        : base(learningRate)
    {
        Alpha = CheckHyperparameter(alpha, nameof(alpha));
        if (alpha >= 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be below 1.");
        Eps = CheckHyperparameter(eps, nameof(eps));
        Momentum = CheckHyperparameter(momentum, nameof(momentum));
        if (momentum >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be below 1.");
        WeightDecay = CheckHyperparameter(weightDecay, nameof(weightDecay));
    }

    /// <summary>α.</summary>
    public float Alpha { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double Value)> Hyperparameters() =>
        [("alpha", Alpha), ("eps", Eps), ("momentum", Momentum), ("weight_decay", WeightDecay)];

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, float[] Values)> StateTensors() =>
        Momentum == 0 ? [("rmsprop.square_avg", _square)] : [("rmsprop.square_avg", _square), ("rmsprop.momentum", _buffer)];

    /// <inheritdoc/>
    protected override void ResetState(int length)
    {
        if (_square.Length < length)
        {
            _square = new float[length];
            _buffer = new float[length];
        }
        else
        {
            _square.AsSpan(0, length).Clear();
            _buffer.AsSpan(0, length).Clear();
        }
    }

    private protected override bool UpdatesEachValueAlone => true;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        var (lr, alpha, eps, mu, wd) = (LearningRate, Alpha, Eps, Momentum, WeightDecay);
        var s = _square.AsSpan(offset, parameters.Length);
        var b = _buffer.AsSpan(offset, parameters.Length);
        var vTheta = MemoryMarshal.Cast<float, Vector<float>>(parameters);
        var vGrad = MemoryMarshal.Cast<float, Vector<float>>(gradients);
        var vS = MemoryMarshal.Cast<float, Vector<float>>(s);
        var vB = MemoryMarshal.Cast<float, Vector<float>>(b);
        var vEps = new Vector<float>(eps);
        for (var i = 0; i < vTheta.Length; i++)
        {
            var g = vGrad[i] + wd * vTheta[i];
            var si = alpha * vS[i] + (1 - alpha) * g * g;
            vS[i] = si;
            var step = g / (Vector.SquareRoot(si) + vEps);
            if (mu > 0)
            {
                step = mu * vB[i] + step;
                vB[i] = step;
            }
            vTheta[i] -= lr * step;
        }
        for (var i = vTheta.Length * Vector<float>.Count; i < parameters.Length; i++)
        {
            var g = gradients[i] + wd * parameters[i];
            var si = alpha * s[i] + (1 - alpha) * g * g;
            s[i] = si;
            var step = g / (MathF.Sqrt(si) + eps);
            if (mu > 0)
            {
                step = mu * b[i] + step;
                b[i] = step;
            }
            parameters[i] -= lr * step;
        }
    }
}
