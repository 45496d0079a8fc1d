namespace ModelDsl;

/// <summary>
/// Lowers the learning rate when the validation loss stops improving (PyTorch's ReduceLROnPlateau in "min"
/// mode): after <see cref="Patience"/> epochs without a decrease larger than <see cref="MinDelta"/>, the rate
/// is multiplied by <see cref="Factor"/> (never below <see cref="MinRate"/>) and the count starts again.
/// With a <see cref="Schedule"/>, the schedule's base rate is what is lowered.
/// </summary>
public sealed class ReduceOnPlateau
{
    private double _best = double.PositiveInfinity;
    private int _since;

    /// <summary>Creates the rule.</summary>
    /// <param name="factor">The multiplier, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement before a reduction, at least 1.</param>
    /// <param name="minDelta">How much lower the loss must be to count as an improvement.</param>
    /// <param name="minRate">The rate is never lowered below this.</param>
    public ReduceOnPlateau(double factor = 0.1, int patience = 10, double minDelta = 1e-4, float minRate = 0)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be ≥ 0.");
        if (!(minRate >= 0)) throw new ArgumentOutOfRangeException(nameof(minRate), minRate, "minRate must be ≥ 0.");
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        MinRate = minRate;
    }

    /// <summary>The multiplier applied at a plateau.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The smallest decrease that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The lowest rate it sets.</summary>
    public float MinRate { get; }

    /// <summary>How many times the rate has been lowered.</summary>
    public int Reductions { get; private set; }

    internal void Start()
    {
        _best = double.PositiveInfinity;
        _since = 0;
        Reductions = 0;
    }

    /// <summary>The counters a checkpoint keeps: the best loss so far, epochs since it, reductions made.</summary>
    internal (double Best, int Since, int Reductions) State
    {
        get => (_best, _since, Reductions);
        set => (_best, _since, Reductions) = value;
    }

    /// <summary>Given the epoch's validation loss, returns the rate to use from now on.</summary>
    internal float Next(float rate, double validationLoss)
    {
        if (validationLoss < _best - MinDelta)
        {
            _best = validationLoss;
            _since = 0;
            return rate;
        }
        if (++_since < Patience) return rate;
        _since = 0;
        Reductions++;
        return Math.Max(MinRate, (float)(rate * Factor));
    }
}
