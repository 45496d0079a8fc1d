using System.Diagnostics;
using System.Globalization;

namespace ModelDsl;

/// <summary>
/// Trains a model with mini-batch gradient descent: each step gathers a batch into a preallocated
/// buffer (augmenting it), zeroes the gradients, runs forward in training mode, the loss and its gradient,
/// backward, and one optimizer step. In <see cref="Fit"/> the next batch is gathered and augmented on a
/// background thread while the current one trains (<see cref="Prefetch"/>). Buffers grow to the largest
/// batch seen and are reused, so a step allocates nothing after the first one of that size.
/// </summary>
/// <remarks>Not thread-safe, like the model it drives.</remarks>
public sealed partial class Trainer
{
    private readonly BatchPipeline _pipeline = new();   // Fit's batches
    private readonly BatchBuffer _batch = new();         // TrainBatch's, Evaluate's and Predict's batches
    private readonly TrainingDevice _device;             // where forward, backward and the updates run
    private int[] _order = [];              // the indices of a batch in Evaluate/Predict
    private int _augmentSeed;               // TrainBatch's augmentation seed
    private long _augmentPosition;          // samples TrainBatch has augmented since it was seeded

    /// <summary>Binds a model, an optimizer and a loss (default: <see cref="Loss.SoftmaxCrossEntropy"/>).</summary>
    public Trainer(Model model, Optimizer optimizer, ILoss? loss = null)
        : this(new HostTrainingDevice(model ?? throw new ArgumentNullException(nameof(model))), optimizer, loss)
    {
    }

    /// <summary>Binds a device's model, an optimizer and a loss; refuses what the device cannot do.</summary>
    /// <exception cref="NotSupportedException">The device cannot train with this optimizer or loss; the message names it.</exception>
    internal Trainer(TrainingDevice device, Optimizer optimizer, ILoss? loss = null)
    {
        _device = device;
        Model = device.Model;
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? ModelDsl.Loss.SoftmaxCrossEntropy;
        ThrowIfUnsupported(checkpointing: false);
    }

    /// <summary>
    /// The model trained. On a device (<c>ModelDsl.Gpu</c>'s <c>GpuModel.CreateTrainer</c>) it is the CPU copy:
    /// its parameters and buffers are the device's at the end of every epoch of <see cref="Fit"/> (before
    /// <see cref="ITrainingCallback.OnEpochEnd"/>, early stopping and the plateau rule look at them) and when Fit returns;
    /// not after <see cref="TrainBatch"/> or a Fit that threw (<c>GpuModel.CopyToHost</c> fetches them then).
    /// </summary>
    public Model Model { get; }

    /// <summary>Where the steps run: "CPU (generated C#)", or the accelerator's name and kind for a device model.</summary>
    public string Device => _device.Name;

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

    /// <summary>Throws when the device cannot train with this trainer's settings (the CPU path can train with any).</summary>
    private void ThrowIfUnsupported(bool checkpointing)
    {
        if (_device.Unsupported(new TrainingSetup(Optimizer, Loss, _l1, _l2, _clipNorm, checkpointing)) is { } reason)
            throw new NotSupportedException(reason);
    }

    /// <summary>Run by <see cref="Fit"/> at its fixed points (start, each epoch, each step, end), in list order.</summary>
    public List<ITrainingCallback> Callbacks { get; } = [];

    private bool _stopRequested;

    /// <summary>
    /// Asks the running <see cref="Fit"/> to stop after the current step: the epoch is reported with the
    /// batches done so far (and evaluated), then the run ends as if it were the last epoch. Meant for callbacks.
    /// </summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// Applied to every training sample as its batch is gathered (never in evaluation); null for none.
    /// <see cref="Fit"/> reads it at the start of each epoch, after <see cref="ITrainingCallback.OnEpochStart"/>.
    /// The sample at position p of epoch e's order is augmented with <see cref="Augmentation.SampleRandom"/>(seed, e, p),
    /// seed being Fit's; <see cref="TrainBatch"/> uses epoch 0 (see <see cref="SeedAugmentation"/>).
    /// </summary>
    public Augmentation? Augmentation { get; set; }

    /// <summary>
    /// Sets the seed of <see cref="TrainBatch"/>'s augmentations (0 until set) and restarts its count of samples:
    /// TrainBatch calls act as one long epoch 0, the i-th sample augmented since this call (from 0) drawing from
    /// <see cref="Augmentation.SampleRandom"/>(<paramref name="seed"/>, 0, i). <see cref="Fit"/> does not use
    /// this: its augmentations follow its own seed, epoch and sample positions.
    /// </summary>
    public void SeedAugmentation(int seed) => (_augmentSeed, _augmentPosition) = (seed, 0);

    /// <summary>
    /// Whether <see cref="Fit"/> gathers and augments the next batch on a background thread while the current
    /// one trains (default on). Either way the batches, and so the trained weights, are bit-identical; off
    /// produces each batch on the training thread, which can be faster when every core is busy computing.
    /// Read when Fit starts; the thread lives only as long as that Fit call.
    /// </summary>
    public bool Prefetch { get; set; } = true;

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/> in batches of
    /// <paramref name="batchSize"/> (the last one may be smaller), shuffled each epoch from
    /// <paramref name="seed"/>, evaluating on <paramref name="validation"/> after each epoch.
    /// </summary>
    /// <param name="train">The training samples.</param>
    /// <param name="epochs">Passes over the data, at least 1.</param>
    /// <param name="batchSize">Samples per step, at least 1.</param>
    /// <param name="validation">Evaluated after each epoch when given.</param>
    /// <param name="seed">Fixes the order of the samples in every epoch and, with the epoch and each sample's position in that order, its augmentation (<see cref="Augmentation.SampleRandom"/>).</param>
    /// <param name="onEpoch">Called with each epoch's report as soon as it is done.</param>
    /// <param name="plateau">Lowers the learning rate (or the schedule's base rate) when the validation loss stalls (needs <paramref name="validation"/>).</param>
    /// <param name="earlyStopping">Stops when the validation loss has not improved for its patience (needs <paramref name="validation"/>), and can put back the best epoch's parameters.</param>
    /// <param name="schedule">Sets the learning rate before every step to the optimizer's learning rate at the start × the schedule's factor; null leaves it alone.</param>
    /// <param name="checkpointing">Writes training checkpoints during the run and resumes from one (see <see cref="Checkpointing"/>); null for neither.</param>
    /// <exception cref="ArgumentException">A dataset's samples or classes do not fit the model, or a checkpoint resumed from does not fit this run (the message names what differs).</exception>
    /// <exception cref="InvalidDataException">The checkpoint resumed from is truncated or corrupt.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the gradients stopped being finite; the message names the epoch and batch, and that batch did not update the parameters.</exception>
    /// <exception cref="InvalidOperationException">Fit is already running on this trainer (called from one of its callbacks).</exception>
    /// <remarks>Whatever an augmentation or a callback throws while batches are made or steps run ends the run and is rethrown as it was.</remarks>
    public FitResult Fit(Dataset train, int epochs, int batchSize, Dataset? validation = null, int seed = 0,
        Action<EpochReport>? onEpoch = null, Schedule? schedule = null, EarlyStopping? earlyStopping = null,
        ReduceOnPlateau? plateau = null, Checkpointing? checkpointing = null)
    {
        _pipeline.ThrowIfRunning();
        ThrowIfUnsupported(checkpointing is not null);
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
        var baseRate = Optimizer.LearningRate;
        var batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        var totalSteps = (long)epochs * batchesPerEpoch;
        long step = 0;
        _stopRequested = false;
        var run = new FitRun(checkpointing, epochs, train.Count, batchSize, seed, schedule is not null, validation is not null, plateau, earlyStopping);
        var resume = Resume(run, reports, ref step, ref baseRate, ref rng, order);
        var plan = new FitPlan(epochs, batchesPerEpoch, train.Count, batchSize, resume.Epoch);
        for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnFitStart(this, plan);
        using var batches = _pipeline.Begin(train, order, batchSize, seed, Prefetch); // ends the producer thread however Fit ends
        for (var epoch = resume.Epoch; epoch <= epochs; epoch++)
        {
            var start = Stopwatch.GetTimestamp();
            rng.Shuffle(order.AsSpan());
            for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnEpochStart(this, epoch);
            batches.StartEpoch(epoch, Augmentation);
            var (lossSum, correct, seen, before) = epoch == resume.Epoch ? resume.Sums : default; // a resumed epoch goes on from its sums
            var done = epoch == resume.Epoch ? resume.BatchesDone : 0;                             // and after the batches it had done
            if (done < batchesPerEpoch) batches.Request(done);
            for (var batch = done + 1; batch <= batchesPerEpoch && !_stopRequested; batch++)
            {
                var inputs = batches.Take();
                if (batch < batchesPerEpoch) batches.Request(batch); // the next one (from 0), made while this one trains
                if (schedule is not null)
                {
                    Optimizer.LearningRate = (float)(baseRate * schedule.Factor(step, totalSteps));
                }
                step++;
                done = batch;
                var result = Step(inputs, epoch, batch);
                lossSum += result.Loss * result.Count;
                correct += result.Correct;
                seen += result.Count;
                var progress = new BatchProgress(epoch, batch, batchesPerEpoch, step, result.Loss, result.Correct,
                    result.Count, Optimizer.LearningRate);
                for (var c = 0; c < Callbacks.Count; c++) Callbacks[c].OnBatchEnd(this, progress);
                if (checkpointing is not null && checkpointing.WritesAfterStep(step))
                    WriteCheckpoint(run, step, epoch, batch, finished: false, baseRate, new EpochSums(lossSum, correct, seen, before + Stopwatch.GetElapsedTime(start)), reports);
            }
            batches.EndEpoch(); // a batch made ahead of a stop request is dropped
            if (seen == 0) break; // stopped before the epoch's first step
            _device.CopyToHost(); // the CPU model holds the epoch's weights for the callbacks, early stopping and reports
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
                    WriteCheckpoint(run, step, epoch, done, finished: false, baseRate, new EpochSums(lossSum, correct, seen, trainTime), reports[..^1]);
                break;
            }
            if (plateau is not null)
            {
                if (schedule is null) Optimizer.LearningRate = plateau.Next(Optimizer.LearningRate, check!.Value.Loss);
                else baseRate = plateau.Next(baseRate, check!.Value.Loss);
            }
            var stop = earlyStopping is not null && earlyStopping.ShouldStop(Model, epoch, check!.Value.Loss);
            if (checkpointing is { EveryEpoch: true, Path: not null }) WriteCheckpoint(run, step, epoch, done, finished: true, baseRate, default, reports);
            if (stop) break;
        }
        _device.CopyToHost();
        if (earlyStopping?.Finish(Model) == true) _device.CopyFromHost(); // the best epoch's weights, on both sides
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
    /// With an <see cref="Augmentation"/>, the samples are augmented in the order of
    /// <paramref name="indices"/>, continuing the count of samples that <see cref="SeedAugmentation"/> restarts.
    /// </summary>
    /// <returns>The loss and correct predictions of the batch, as the parameters were before the step.</returns>
    /// <exception cref="ArgumentException">The dataset does not fit the model, or an index is out of range.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the gradients are not finite; the parameters were not updated.</exception>
    public BatchResult TrainBatch(Dataset data, ReadOnlySpan<int> indices)
    {
        ThrowIfUnsupported(checkpointing: false);
        CheckFits(data, nameof(data));
        if (indices.IsEmpty) throw new ArgumentException("A batch needs at least one sample index.", nameof(indices));
        _batch.Gather(data, indices);
        if (Augmentation is { } augmentation)
        {
            _batch.Augment(augmentation, data.SampleShape, _augmentSeed, 0, _augmentPosition);
            _augmentPosition += indices.Length;
        }
        return Step(_batch, 0, 0);
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
            var result = Loss.Compute(output, _batch.Labels, default);
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
        if (_order.Length < n) _order = new int[n];
        for (var i = 0; i < n; i++) _order[i] = first + i;
        _batch.Gather(data, _order.AsSpan(0, n));
        return _device.Infer(_batch.Input, n);
    }

    /// <summary>Trains on a gathered (and augmented) batch: forward, loss, backward, penalties, clipping, update.</summary>
    private BatchResult Step(BatchBuffer batchBuffer, int epoch, int batch)
    {
        var n = batchBuffer.Count;
        var result = _device.ForwardBackward(batchBuffer.Input, batchBuffer.Labels, n, Loss);
        if (!double.IsFinite(result.Loss))
        {
            var layer = _device.FirstNonFiniteLayer();
            throw Diverged($"the {Loss.Name} loss is {result.Loss.ToString(CultureInfo.InvariantCulture)}" +
                (layer is null ? "" : $" (the first layer whose output is not finite: '{layer}')"), epoch, batch);
        }
        if (!_device.GradientsFinite())
            throw Diverged("a gradient is not finite", epoch, batch);
        if (_l1 != 0 || _l2 != 0) _device.AddPenalties(_l1, _l2);
        if (_clipNorm != 0) LastGradientNorm = _device.ClipGradients(_clipNorm); // the norm costs a pass over every gradient: only when clipping
        _device.Step(Optimizer);
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
}
