using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelDsl;

/// <summary>
/// Stochastic gradient descent with the update rule of PyTorch's <c>torch.optim.SGD</c> (no dampening):
/// g = ∇θ + λ·θ; with momentum μ, v = μ·v + g and θ −= η·v, or with Nesterov θ −= η·(g + μ·v);
/// without momentum θ −= η·g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[] _velocity = [];

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η, the step size.</param>
    /// <param name="momentum">μ in [0, 1); 0 turns momentum off.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">λ, the L2 penalty added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative, not finite, or μ ≥ 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> without momentum.</exception>
    public Sgd(float learningRate, float momentum = 0, bool nesterov = false, float weightDecay = 0)
        : base(learningRate)
    {
        Momentum = CheckHyperparameter(momentum, nameof(momentum));
        if (momentum >= 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be below 1, or the velocity never decays.");
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        Nesterov = nesterov;
        WeightDecay = CheckHyperparameter(weightDecay, nameof(weightDecay));
    }

    /// <summary>μ, the momentum factor.</summary>
    public float Momentum { get; }

    /// <summary>Whether the step uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>λ, the L2 weight decay.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, double Value)> Hyperparameters() =>
        [("momentum", Momentum), ("nesterov", Nesterov ? 1 : 0), ("weight_decay", WeightDecay)];

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, float[] Values)> StateTensors() =>
        Momentum == 0 ? [] : [("sgd.momentum", _velocity)];

    /// <inheritdoc/>
    protected override void ResetState(int length)
    {
        if (Momentum == 0) return;
        if (_velocity.Length < length) _velocity = new float[length];
        else _velocity.AsSpan(0, length).Clear();
    }

    private protected override bool UpdatesEachValueAlone => true;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        var lr = LearningRate;
        var wd = WeightDecay;
        if (Momentum == 0)
        {
            Plain(parameters, gradients, lr, wd);
            return;
        }
        // θ −= η·(a·g + b·v): heavy ball is (a, b) = (0, 1), Nesterov is (1, μ).
        var mu = Momentum;
        var (a, b) = Nesterov ? (1f, mu) : (0f, 1f);
        WithMomentum(parameters, gradients, _velocity.AsSpan(offset, parameters.Length), lr, wd, mu, a, b);
    }

    private static void Plain(Span<float> theta, ReadOnlySpan<float> grad, float lr, float wd)
    {
        var vTheta = MemoryMarshal.Cast<float, Vector<float>>(theta);
        var vGrad = MemoryMarshal.Cast<float, Vector<float>>(grad);
        for (var i = 0; i < vTheta.Length; i++)
            vTheta[i] -= lr * (vGrad[i] + wd * vTheta[i]);
        for (var i = vTheta.Length * Vector<float>.Count; i < theta.Length; i++)
            theta[i] -= lr * (grad[i] + wd * theta[i]);
    }

    private static void WithMomentum(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity,
        float lr, float wd, float mu, float a, float b)
    {
        var vTheta = MemoryMarshal.Cast<float, Vector<float>>(theta);
        var vGrad = MemoryMarshal.Cast<float, Vector<float>>(grad);
        var vVelocity = MemoryMarshal.Cast<float, Vector<float>>(velocity);
        for (var i = 0; i < vTheta.Length; i++)
        {
            var g = vGrad[i] + wd * vTheta[i];
            var v = mu * vVelocity[i] + g;
            vVelocity[i] = v;
            vTheta[i] -= lr * (a * g + b * v);
        }
        for (var i = vTheta.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            var g = grad[i] + wd * theta[i];
            var v = mu * velocity[i] + g;
            velocity[i] = v;
            theta[i] -= lr * (a * g + b * v);
        }
    }
}
