namespace ModelDsl;

/// <summary>
/// Stops training when the validation loss has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs, and (with <see cref="RestoreBest"/>) puts back the parameters and
/// buffers of the best epoch when training ends.
/// </summary>
public sealed class EarlyStopping
{
    private float[] _bestParameters = [];
    private float[] _bestBuffers = [];
    private double _best;
    private int _since;

    /// <summary>Creates the rule.</summary>
    /// <param name="patience">Epochs without improvement tolerated, at least 1.</param>
    /// <param name="minDelta">How much lower the loss must be to count as an improvement.</param>
    /// <param name="restoreBest">Whether to put back the best epoch's parameters at the end.</param>
    public EarlyStopping(int patience = 3, double minDelta = 0, bool restoreBest = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be ≥ 0.");
        Patience = patience;
        MinDelta = minDelta;
        RestoreBest = restoreBest;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The smallest decrease that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether the best epoch's parameters are put back at the end.</summary>
    public bool RestoreBest { get; }

    /// <summary>The epoch with the lowest validation loss so far.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>Whether the last run stopped early.</summary>
    public bool Stopped { get; private set; }

    internal void Start(Model model)
    {
        _best = double.PositiveInfinity;
        _since = 0;
        BestEpoch = null;
        Stopped = false;
        if (RestoreBest)
        {
            _bestParameters = new float[model.Parameters.Length];
            _bestBuffers = new float[model.Buffers.Length];
        }
    }

    /// <summary>The counters a checkpoint keeps: the best loss so far, epochs since it, the best epoch.</summary>
    internal (double Best, int Since, int? BestEpoch) State
    {
        get => (_best, _since, BestEpoch);
        set => (_best, _since, BestEpoch) = value;
    }

    /// <summary>The parameters and buffers of the best epoch (empty without <see cref="RestoreBest"/>; valid once <see cref="BestEpoch"/> is set).</summary>
    internal (float[] Parameters, float[] Buffers) Best => (_bestParameters, _bestBuffers);

    internal bool ShouldStop(Model model, int epoch, double validationLoss)
    {
        if (validationLoss < _best - MinDelta)
        {
            _best = validationLoss;
            _since = 0;
            BestEpoch = epoch;
            if (RestoreBest)
            {
                model.Parameters.CopyTo(_bestParameters);
                model.Buffers.CopyTo(_bestBuffers);
            }
            return false;
        }
        _since++;
        Stopped = _since >= Patience;
        return Stopped;
    }

    /// <summary>Puts back the best epoch's parameters and buffers (with <see cref="RestoreBest"/>); whether it did.</summary>
    internal bool Finish(Model model)
    {
        if (!RestoreBest || BestEpoch is null) return false;
        _bestParameters.CopyTo(model.Parameters);
        _bestBuffers.CopyTo(model.Buffers);
        return true;
    }
}
