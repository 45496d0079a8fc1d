using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelDsl;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with PyTorch's update rule, and AdamW (Loshchilov &amp; Hutter 2019) when the
/// weight decay is decoupled. Per step t: g = ∇θ (+ λ·θ for Adam's L2 decay); m = β₁·m + (1 − β₁)·g;
/// v = β₂·v + (1 − β₂)·g²; θ −= η·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε). AdamW instead first shrinks
/// θ −= η·λ·θ and leaves g alone.
/// </summary>
public class Adam : Optimizer
{
    private float[] _m = [];
    private float[] _v = [];
    private long _step;

    /// <summary>Creates Adam with L2 weight decay added to the gradient (PyTorch's <c>torch.optim.Adam</c>).</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁ in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β₂ in [0, 1), the decay of the second moment.</param>
    /// <param name="eps">ε, added to the root of the second moment.</param>
    /// <param name="weightDecay">λ.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative, not finite, or a β ≥ 1.</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0)
        : this(learningRate, beta1, beta2, eps, weightDecay, decoupled: false)
    {
    }

    /// <summary>For <see cref="AdamW"/>: the same moments, with the decay decoupled or not.</summary>
    protected Adam(float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
        : base(learningRate)
    {
        Beta1 = Below1(CheckHyperparameter(beta1, nameof(beta1)), nameof(beta1));
        Beta2 = Below1(CheckHyperparameter(beta2, nameof(beta2)), nameof(beta2));
        Eps = CheckHyperparameter(eps, nameof(eps));
        WeightDecay = CheckHyperparameter(weightDecay, nameof(weightDecay));
        Decoupled = decoupled;
    }

    private static float Below1(float value, string name) =>
        value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be below 1, or the moment never forgets.");

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the decay shrinks θ directly (AdamW) instead of joining the gradient (Adam).</summary>
    public bool Decoupled { get; }

    /// <summary>Steps taken since the state was last reset (t).</summary>
    public long StepCount => _step;

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double Value)> Hyperparameters() =>
        [("beta1", Beta1), ("beta2", Beta2), ("eps", Eps), ("weight_decay", WeightDecay)];

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double Value)> Counters() => [("step", _step)];

    /// <inheritdoc/>
    protected override void RestoreCounters(IReadOnlyDictionary<string, double> scalars) => _step = (long)scalars["step"];

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, float[] Values)> StateTensors() => [("adam.m", _m), ("adam.v", _v)];

    /// <inheritdoc/>
    protected override void ResetState(int length)
    {
        if (_m.Length < length)
        {
            _m = new float[length];
            _v = new float[length];
        }
        else
        {
            _m.AsSpan(0, length).Clear();
            _v.AsSpan(0, length).Clear();
        }
        _step = 0;
    }

    /// <inheritdoc/>
    protected override void BeginStep() => _step++;

    // Adam and AdamW only: a subclass may override Update with a rule that needs its whole run.
    private protected override bool UpdatesEachValueAlone => GetType() == typeof(Adam) || GetType() == typeof(AdamW);

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        var lr = LearningRate;
        var b1 = Beta1;
        var b2 = Beta2;
        // The bias corrections folded into the step: θ −= a·m / (√v + e), a = η/(1 − β₁ᵗ)·√(1 − β₂ᵗ), e = ε·√(1 − β₂ᵗ).
        var c1 = 1 - Math.Pow(b1, _step);
        var c2 = Math.Sqrt(1 - Math.Pow(b2, _step));
        var a = (float)(lr / c1 * c2);
        var e = (float)(Eps * c2);
        var shrink = Decoupled ? 1 - lr * WeightDecay : 1f;
        var l2 = Decoupled ? 0f : WeightDecay;

        var m = _m.AsSpan(offset, parameters.Length);
        var v = _v.AsSpan(offset, parameters.Length);
        var vTheta = MemoryMarshal.Cast<float, Vector<float>>(parameters);
        var vGrad = MemoryMarshal.Cast<float, Vector<float>>(gradients);
        var vM = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vV = MemoryMarshal.Cast<float, Vector<float>>(v);
        for (var i = 0; i < vTheta.Length; i++)
        {
            var theta = vTheta[i] * shrink;
            var g = vGrad[i] + l2 * vTheta[i];
            var mi = b1 * vM[i] + (1 - b1) * g;
            var vi = b2 * vV[i] + (1 - b2) * g * g;
            vM[i] = mi;
            vV[i] = vi;
            vTheta[i] = theta - a * mi / (Vector.SquareRoot(vi) + new Vector<float>(e));
        }
        for (var i = vTheta.Length * Vector<float>.Count; i < parameters.Length; i++)
        {
            var theta = parameters[i] * shrink;
            var g = gradients[i] + l2 * parameters[i];
            var mi = b1 * m[i] + (1 - b1) * g;
            var vi = b2 * v[i] + (1 - b2) * g * g;
            m[i] = mi;
            v[i] = vi;
            parameters[i] = theta - a * mi / (MathF.Sqrt(vi) + e);
        }
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter 2019), PyTorch's <c>torch.optim.AdamW</c>: Adam with decoupled weight decay θ −= η·λ·θ (default λ = 0.01).</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW.</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">λ, applied to θ directly.</param>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate, beta1, beta2, eps, weightDecay, decoupled: true)
    {
    }
}
