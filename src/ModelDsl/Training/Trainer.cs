using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelDsl;

/// <summary>
/// Trains a model with mini-batch gradient descent: each step gathers a batch into a preallocated
/// buffer, zeroes the gradients, runs forward in training mode, the loss and its gradient, backward,
/// and one optimizer step. Buffers grow to the largest batch seen and are reused, so a step allocates
/// nothing after the first one of that size.
/// </summary>
/// <remarks>Not thread-safe, like the model it drives.</remarks>
public sealed partial class Trainer
{
    private float[] _input = [];            // (N, C, H, W), the gathered batch
    private float[] _scratch = [];          // (C, H, W), for augmentations
    private Rng _augmentRng = new(0xA06);
    private int[] _labels = [];             // (N)
    private float[] _outputGradient = [];   // (N, classes), ∂loss/∂output
    private int[] _order = [];              // the indices of a batch in Evaluate/Predict

    /// <summary>Binds a model, an optimizer and a loss (default: <see cref="Loss.SoftmaxCrossEntropy"/>).</summary>
    public Trainer(Model model, Optimizer optimizer, ILoss? loss = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? ModelDsl.Loss.SoftmaxCrossEntropy;
    }

    /// <summary>The model trained.</summary>
    public Model Model { get; }

    /// <summary>The optimizer that updates the parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss minimized.</summary>
    public ILoss Loss { get; }

    /// <summary>λ₁ of an L1 penalty λ₁·Σ|θ| on the trainable parameters: adds λ₁·sign(θ) to their gradients before each step (0: none).</summary>
    public float L1
    {
        get => _l1;
        set => _l1 = float.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "L1 must be a finite number ≥ 0.");
    }

    /// <summary>λ₂ of an L2 penalty (λ₂/2)·Σθ² on the trainable parameters: adds λ₂·θ to their gradients before each step (0: none; the optimizers' weight decay does the same).</summary>
    public float L2
    {
        get => _l2;
        set => _l2 = float.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "L2 must be a finite number ≥ 0.");
    }

    private float _l1;
    private float _l2;
    private float _clipNorm;

    /// <summary>
    /// When positive, the gradient (all trainable parameters as one vector) is scaled down before each step
    /// so that its L2 norm is at most this value, as PyTorch's <c>clip_grad_norm_</c>; 0 turns clipping off.
    /// </summary>
    public float ClipNorm
    {
        get => _clipNorm;
        set => _clipNorm = float.IsFinite(value) && value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "ClipNorm must be a finite number ≥ 0.");
    }

    /// <summary>The L2 norm of the trainable gradient at the last step, before clipping (measured only while <see cref="ClipNorm"/> is on).</summary>
    public double LastGradientNorm { get; private set; }

    private void ClipGradient()
    {
        if (_clipNorm == 0) return; // the norm costs a pass over every gradient: only when clipping
        var grad = Model.Gradients;
        var ranges = Model.TrainableRanges;
        double squares = 0;
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            foreach (var g in grad.Slice(offset, length)) squares += (double)g * g;
        }
        LastGradientNorm = Math.Sqrt(squares);
        if (LastGradientNorm <= _clipNorm) return;
        var factor = (float)(_clipNorm / (LastGradientNorm + 1e-6));
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            foreach (ref var g in grad.Slice(offset, length)) g *= factor;
        }
    }

    private void AddPenalties()
    {
        if (_l1 == 0 && _l2 == 0) return;
        var theta = Model.Parameters;
        var grad = Model.Gradients;
        var ranges = Model.TrainableRanges;
        for (var r = 0; r < ranges.Count; r++)
        {
            var (offset, length) = ranges[r];
            for (var i = offset; i < offset + length; i++) grad[i] += _l1 * MathF.Sign(theta[i]) + _l2 * theta[i];
        }
    }

    /// <summary>Run by <see cref="Fit"/> at its fixed points (start, each epoch, each step, end), in list order.</summary>
    public List<ITrainingCallback> Callbacks { get; } = [];

    private bool _stopRequested;

    /// <summary>
    /// Asks the running <see cref="Fit"/> to stop after the current step: the epoch is reported with the
    /// batches done so far (and evaluated), then the run ends as if it were the last epoch. Meant for callbacks.
    /// </summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Applied to every training sample as its batch is gathered (never in evaluation); null for none.</summary>
    public Augmentation? Augmentation { get; set; }

    /// <summary>Restarts the augmentations' random sequence (for reproducible runs).</summary>
    public void SeedAugmentation(int seed) => _augmentRng = new Rng(((ulong)(uint)seed << 16) ^ 0xA06);

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/> in batches of
    /// <paramref name="batchSize"/> (the last one may be smaller), shuffled each epoch from
    /// <paramref name="seed"/>, evaluating on <paramref name="validation"/> after each epoch.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="epochs">Passes over the data, at least 1.</param>
    /// <param name="batchSize">Samples per step, at least 1.</param>
    /// <param name="validation">Evaluated after each epoch when given.</param>
    /// <param name="seed">Fixes the order of the samples in every epoch.</param>
    /// <param name="onEpoch">Called with each epoch's report as soon as it is done.</param>
    /// <param name="plateau">Lowers the learning rate (or the schedule's base rate) when the validation loss stalls (needs <paramref name="validation"/>).</param>
    /// <param name="earlyStopping">Stops when the validation loss has not improved for its patience (needs <paramref name="validation"/>), and can put back the best epoch's parameters.</param>
    /// <param name="schedule">Sets the learning rate before every step to the optimizer's learning rate at the start × the schedule's factor; null leaves it alone.</param>
    /// <param name="checkpointing">Writes training checkpoints during the run and resumes from one (see <see cref="Checkpointing"/>); null for neither.</param>
    /// <exception cref="ArgumentException">A dataset's samples or classes do not fit the model, or a checkpoint resumed from does not fit this run (the message names what differs).</exception>
    /// <exception cref="InvalidDataException">The checkpoint resumed from is truncated or corrupt.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the gradients stopped being finite; the message names the epoch and batch, and that batch did not update the parameters.</exception>
    public FitResult Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null, int seed = 0,
        Action<EpochReport>? onEpoch = null, Schedule? schedule = null, EarlyStopping? earlyStopping = null,
        ReduceOnPlateau? plateau = null, Checkpointing? checkpointing = null)
    {
        CheckFits(train, nameof(train));
        if (validation is not null) CheckFits(validation, nameof(validation));
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (earlyStopping is not null && validation is null)
            throw new ArgumentException("Early stopping watches the validation loss: pass a validation set (Dataset.Split makes one).", nameof(earlyStopping));
        earlyStopping?.Start(Model);
        if (plateau is not null && validation is null)
            throw new ArgumentException("Reducing on a plateau watches the validation loss: pass a validation set.", nameof(plateau));
        plateau?.Start();

        var order = new int[train.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var rng = new Rng((ulong)(uint)seed ^ 0x7E41_4E00_0000_0000UL);
        var reports = new List<EpochReport>(epochs);
        SeedAugmentation(seed);
        var baseRate = Optimizer.LearningRate;
        var batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var totalSteps = (long)epochs * batchesPerEpoch;
        long step = 0;
        _stopRequested = false;
        var run = new FitRun(checkpointing, epochs, train.Count, batchSize, seed, schedule is not null, validation is not null, plateau, earlyStopping);
        var resume = Resume(run, reports, ref step, ref baseRate, ref rng, order);
        var plan = new FitPlan(epochs, batchesPerEpoch, train.Count, batchSize, resume.Epoch);
        for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnFitStart(this, plan);
        for (var epoch = resume.Epoch; epoch <= epochs; epoch++)
        {
            var start = Stopwatch.GetTimestamp();
            rng.Shuffle(order.AsSpan());
            for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnEpochStart(this, epoch);
            var (lossSum, correct, seen, before) = epoch == resume.Epoch ? resume.Sums : default; // a resumed epoch goes on from its sums
            var batch = epoch == resume.Epoch ? resume.BatchesDone : 0;
            for (var first = batch * batchSize; first < order.Length && !_stopRequested; first += batchSize)
            {
                batch++;
                var indices = order.AsSpan(first, Math.Min(batchSize, order.Length - first));
                if (schedule is not null)
                {
                    Optimizer.LearningRate = (float)(baseRate * schedule.Factor(step, totalSteps));
                }
                step++;
                var result = Step(train, indices, epoch, batch);
                lossSum += result.Loss * result.Count;
                correct += result.Correct;
                seen += result.Count;
                var progress = new BatchProgress(epoch, batch, batchesPerEpoch, step, result.Loss, result.Correct,
                    result.Count, Optimizer.LearningRate);
                for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnBatchEnd(this, progress);
                if (checkpointing is not null && checkpointing.WritesAfterStep(step))
                    WriteCheckpoint(run, step, epoch, batch, finished: false, baseRate, new EpochSums(lossSum, correct, seen, before + Stopwatch.GetElapsedTime(start)), reports);
            }
            if (seen == 0) break; // stopped before the epoch's first step
            var trainTime = before + Stopwatch.GetElapsedTime(start);
            Evaluation? check = validation is null ? null : Evaluate(validation, batchSize);
            var report = new EpochReport(epoch, lossSum / seen, (double)correct / seen,
                check?.Loss, check?.Accuracy, seen / Math.Max(trainTime.TotalSeconds, 1e-9),
                before + Stopwatch.GetElapsedTime(start));
            reports.Add(report);
            onEpoch?.Invoke(report);
            for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnEpochEnd(this, report);
            if (_stopRequested)
            {
                // A stopped run can be resumed from where it stopped: the epoch's end is done again then, in full.
                if (checkpointing?.Path is not null && !checkpointing.WritesAfterStep(step))
                    WriteCheckpoint(run, step, epoch, batch, finished: false, baseRate, new EpochSums(lossSum, correct, seen, trainTime), reports[..^1]);
                break;
            }
            if (plateau is not null)
            {
                if (schedule is null) Optimizer.LearningRate = plateau.Next(Optimizer.LearningRate, check!.Value.Loss);
                else baseRate = plateau.Next(baseRate, check!.Value.Loss);
            }
            var stop = earlyStopping is not null && earlyStopping.ShouldStop(Model, epoch, check!.Value.Loss);
            if (checkpointing is { EveryEpoch: true, Path: not null }) WriteCheckpoint(run, step, epoch, batch, finished: true, baseRate, default, reports);
            if (stop) break;
        }
        earlyStopping?.Finish(Model);
        var fit = new FitResult(reports)
        {
            BestEpoch = earlyStopping?.BestEpoch,
            StoppedEarly = (earlyStopping?.Stopped ?? false) || _stopRequested,
        };
        _stopRequested = false;
        for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnFitEnd(this, fit);
        return fit;
    }

    /// <summary>
    /// One training step on samples <paramref name="indices"/> of <paramref name="data"/>: forward,
    /// loss, backward and an optimizer step. Allocates nothing once a batch this large has been seen.
    /// </summary>
    /// <returns>The loss and correct predictions of the batch, as the parameters were before the step.</returns>
    /// <exception cref="ArgumentException">The dataset does not fit the model, or an index is out of range.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the gradients are not finite; the parameters were not updated.</exception>
    public BatchResult TrainBatch(Dataset data, ReadOnlySpan<int> indices)
    {
        CheckFits(data, nameof(data));
        return Step(data, indices, 0, 0);
    }

    /// <summary>The mean loss and the accuracy of the model on <paramref name="data"/>, in inference mode; the parameters are not changed.</summary>
    /// <exception cref="ArgumentException">The dataset does not fit the model.</exception>
    public Evaluation Evaluate(Dataset data, int batchSize = 256)
    {
        CheckFits(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        double lossSum = 0;
        long correct = 0;
        for (var first = 0; first < data.Count; first += batchSize)
        {
            var n = Math.Min(batchSize, data.Count - first);
            var output = ForwardRange(data, first, n);
            var result = Loss.Compute(output, _labels.AsSpan(0, n), default);
            lossSum += result.Loss * n;
            correct += result.Correct;
        }
        return data.Count == 0
            ? new Evaluation(0, 0, 0)
            : new Evaluation(lossSum / data.Count, (double)correct / data.Count, data.Count);
    }

    /// <summary>The predicted class (the argmax of the output) of every sample of <paramref name="data"/>, in inference mode.</summary>
    /// <exception cref="ArgumentException">The samples' shape is not the model's input shape.</exception>
    public int[] Predict(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckShape(data.SampleShape, nameof(data));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var classes = Model.OutputShape.Size;
        var predictions = new int[data.Count];
        for (var first = 0; first < data.Count; first += batchSize)
        {
            var n = Math.Min(batchSize, data.Count - first);
            var output = ForwardRange(data, first, n);
            for (var i = 0; i < n; i++)
                predictions[first + i] = ModelDsl.Loss.ArgMax(output.Slice(i * classes, classes));
        }
        return predictions;
    }

    private ReadOnlySpan<float> ForwardRange(Dataset data, int first, int n)
    {
        Grow(n);
        for (var i = 0; i < n; i++) _order[i] = first + i;
        Gather(data, _order.AsSpan(0, n));
        return Model.Forward(_input.AsSpan(0, n * data.SampleShape.Size), n, training: false);
    }

    private BatchResult Step(Dataset data, ReadOnlySpan<int> indices, int epoch, int batch)
    {
        var n = indices.Length;
        if (n == 0) throw new ArgumentException("A batch needs at least one sample index.", nameof(indices));
        Grow(n);
        Gather(data, indices);
        if (Augmentation is { } augmentation)
        {
            var shape = data.SampleShape;
            if (_scratch.Length < shape.Size) _scratch = new float[shape.Size];
            for (var i = 0; i < n; i++)
            {
                augmentation.Apply(_input.AsSpan(i * shape.Size, shape.Size), shape, ref _augmentRng, _scratch);
            }
        }
        var labels = _labels.AsSpan(0, n);
        var gradient = _outputGradient.AsSpan(0, n * Model.OutputShape.Size);

        Model.ZeroGrad();
        var output = Model.Forward(_input.AsSpan(0, n * data.SampleShape.Size), n, training: true);
        var result = Loss.Compute(output, labels, gradient);
        if (!double.IsFinite(result.Loss))
        {
            var layer = Model.FirstNonFiniteLayer();
            throw Diverged($"the {Loss.Name} loss is {result.Loss.ToString(CultureInfo.InvariantCulture)}" +
                (layer is null ? "" : $" (the first layer whose output is not finite: '{layer}')"), epoch, batch);
        }
        Model.Backward(gradient);
        if (!AllFinite(Model.Gradients))
            throw Diverged("a gradient is not finite", epoch, batch);
        AddPenalties();
        ClipGradient();
        Optimizer.Step(Model);
        return new BatchResult(result.Loss, result.Correct, n);
    }

    private TrainingDivergedException Diverged(string what, int epoch, int batch)
    {
        var where = epoch == 0 ? "In this batch" : string.Create(CultureInfo.InvariantCulture, $"At epoch {epoch}, batch {batch}");
        return new TrainingDivergedException(
            string.Create(CultureInfo.InvariantCulture,
                $"{where} {what}, so training stopped; that batch did not update the parameters. " +
                $"Check the data for NaN or infinite values, or lower the learning rate (now {Optimizer.LearningRate})."),
            epoch, batch);
    }

    private void Grow(int n)
    {
        if (_labels.Length >= n) return;
        _input = new float[checked(n * Model.InputShape.Size)];
        _labels = new int[n];
        _order = new int[n];
        _outputGradient = new float[checked(n * Model.OutputShape.Size)];
    }

    private void Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        var size = data.SampleShape.Size;
        var features = data.Features;
        var labels = data.Labels;
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if ((uint)index >= (uint)data.Count)
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"Sample index {index} at position {i} of the batch is outside the dataset's {data.Count} samples."),
                    nameof(indices));
            features.Slice(index * size, size).CopyTo(_input.AsSpan(i * size, size));
            _labels[i] = labels[index];
        }
    }

    private void CheckFits(Dataset data, string argument)
    {
        ArgumentNullException.ThrowIfNull(data, argument);
        CheckShape(data.SampleShape, argument);
        var outputs = Model.OutputShape.Size;
        if (data.ClassCount > outputs)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The dataset has {data.ClassCount} classes but {Model.GetType().Name} outputs {Model.OutputShape}, room for {outputs}."),
                argument);
    }

    private void CheckShape(Shape shape, string argument)
    {
        var expected = Model.InputShape;
        if (shape.C != expected.C || shape.H != expected.H || shape.W != expected.W)
            throw new ArgumentException(
                $"The dataset's samples are {shape} but {Model.GetType().Name} expects inputs {expected}.", argument);
    }

    /// <summary>Whether every value is finite: x − x is 0 for a finite x and NaN for ±∞ or NaN.</summary>
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var sum = Vector<float>.Zero;
        foreach (var v in vectors) sum += v - v;
        if (!Vector.EqualsAll(sum, Vector<float>.Zero)) return false;
        for (var i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }
}
