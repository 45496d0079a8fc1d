using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelDsl;

/// <summary>The counters of a <see cref="ReduceOnPlateau"/> at a checkpoint.</summary>
/// <param name="BestLoss">The lowest validation loss seen (∞ before the first).</param>
/// <param name="EpochsSinceBest">Epochs since the rate was last lowered or the loss improved.</param>
/// <param name="Reductions">How many times the rate was lowered.</param>
public readonly record struct PlateauCounters(double BestLoss, int EpochsSinceBest, int Reductions);

/// <summary>The counters of an <see cref="EarlyStopping"/> at a checkpoint.</summary>
/// <param name="BestLoss">The lowest validation loss seen (∞ before the first).</param>
/// <param name="EpochsSinceBest">Epochs since it.</param>
/// <param name="BestEpoch">The epoch it was seen at; null before the first.</param>
public readonly record struct EarlyStoppingCounters(double BestLoss, int EpochsSinceBest, int? BestEpoch);

/// <summary>Where an accelerator's dropout masks are: each training forward of a dropout layer draws one call's mask from a counter-based hash of the seed and the call.</summary>
/// <param name="Seed">The device model's dropout seed (<c>ModelDsl.Gpu</c>'s <c>GpuModel.DropoutSeed</c>).</param>
/// <param name="Calls">The masks drawn so far; the next one is call <paramref name="Calls"/>.</param>
public readonly record struct DeviceDropoutStream(uint Seed, uint Calls);

/// <summary>
/// Everything a <see cref="Trainer.Fit"/> run needs to continue exactly where it was, in one safetensors file
/// (PyTorch's <c>safetensors.torch.load_file</c> reads it): the model's parameters and buffers under their usual
/// names, so <see cref="SafeTensors.Load"/> loads just the weights from it; the optimizer's per-parameter state
/// under <c>optimizer.</c> (<c>optimizer.adam.m</c>, each as long as the flat parameter buffer); early stopping's
/// best weights under <c>early_stopping.</c> with the model's names and shapes; and, as <c>__metadata__</c> strings,
/// the position (step, epoch, batch), the run's shape (seed, samples, batch size, epochs), learning rates,
/// random generator states (and a device's dropout stream), the unfinished epoch's sums, the epoch reports so far, the optimizer's scalars
/// (<c>optimizer.kind</c>, <c>optimizer.step</c> …) and the plateau and early-stopping counters.
/// </summary>
/// <remarks>Written atomically like <see cref="SafeTensors.Save"/>: a crash leaves the previous checkpoint or the new one, whole.</remarks>
public sealed class TrainingCheckpoint
{
    /// <summary>The prefix of the optimizer's tensors in the file.</summary>
    public const string OptimizerPrefix = "optimizer.";

    /// <summary>The prefix of early stopping's best parameters and buffers in the file.</summary>
    public const string EarlyStoppingPrefix = "early_stopping.";

    private const string FormatKey = "modeldsl.checkpoint";
    private const string FormatValue = "training/1";
    private const string RngPrefix = "rng.";
    private const string TrainerPrefix = "trainer.";
    private const string DeviceDropoutSeedKey = "device_dropout.seed";
    private const string DeviceDropoutCallsKey = "device_dropout.calls";

    /// <summary>Made by <see cref="Trainer.Fit"/> (to write) and <see cref="Read"/>.</summary>
    internal TrainingCheckpoint()
    {
    }

    /// <summary>The generated model class the checkpoint was written from.</summary>
    public string ModelType { get; internal init; } = "";

    /// <summary>Optimizer steps done since the run began.</summary>
    public long Step { get; internal init; }

    /// <summary>The epoch the run was in (from 1).</summary>
    public int Epoch { get; internal init; }

    /// <summary>Batches of <see cref="Epoch"/> done.</summary>
    public int BatchesDone { get; internal init; }

    /// <summary>Whether <see cref="Epoch"/>'s end (evaluation, report, plateau and early stopping) was done too.</summary>
    public bool EpochFinished { get; internal init; }

    /// <summary>The epochs the run asked for.</summary>
    public int Epochs { get; internal init; }

    /// <summary>Training samples per epoch.</summary>
    public int TrainCount { get; internal init; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; internal init; }

    /// <summary>The seed of the run (sample order, augmentation).</summary>
    public int Seed { get; internal init; }

    /// <summary>The schedule's base rate (the optimizer's rate at the start, as lowered on plateaus).</summary>
    public double BaseLearningRate { get; internal init; }

    /// <summary>Whether the run used a learning-rate schedule.</summary>
    public bool HasSchedule { get; internal init; }

    /// <summary>Whether the run evaluated a validation set after each epoch.</summary>
    public bool HasValidation { get; internal init; }

    /// <summary>The trainer's settings that shape each step (loss, L1, L2, gradient clipping, augmentation on or off), as text.</summary>
    public IReadOnlyDictionary<string, string> TrainerSettings { get; internal init; } = new Dictionary<string, string>();

    /// <summary>Random generator states by name (<c>dropout</c>: the model's masks), as <see cref="Rng.State"/>.</summary>
    public IReadOnlyDictionary<string, UInt128> RngStates { get; internal init; } = new Dictionary<string, UInt128>();

    /// <summary>
    /// The device's dropout stream when the run trained on an accelerator (its masks come from it, not from
    /// <see cref="RngStates"/>); null for a run on the CPU.
    /// </summary>
    public DeviceDropoutStream? DeviceDropout { get; internal init; }

    /// <summary>The sum of the training losses of the unfinished epoch's samples (each batch's mean × its size).</summary>
    public double PartialLossSum { get; internal init; }

    /// <summary>Samples of the unfinished epoch predicted right.</summary>
    public long PartialCorrect { get; internal init; }

    /// <summary>Samples of the unfinished epoch seen.</summary>
    public int PartialSeen { get; internal init; }

    /// <summary>Training time of the unfinished epoch so far.</summary>
    public TimeSpan PartialElapsed { get; internal init; }

    /// <summary>The reports of the epochs finished.</summary>
    public IReadOnlyList<EpochReport> Reports { get; internal init; } = [];

    /// <summary>The optimizer's state (its learning rate is the one the last step used, or the rate a plateau set).</summary>
    public OptimizerState Optimizer { get; internal init; } = new("none", new Dictionary<string, double>(), new Dictionary<string, float[]>());

    /// <summary>The plateau rule's counters; null when the run had none.</summary>
    public PlateauCounters? Plateau { get; internal init; }

    /// <summary>Early stopping's counters; null when the run had none.</summary>
    public EarlyStoppingCounters? EarlyStopping { get; internal init; }

    /// <summary>The file read (null for a checkpoint about to be written).</summary>
    public string? Path { get; private init; }

    /// <summary>The model's tensors as read; empty for a checkpoint about to be written (it takes them from the model).</summary>
    internal IReadOnlyDictionary<string, SafeTensors.Tensor> ModelTensors { get; private init; } = new Dictionary<string, SafeTensors.Tensor>();

    /// <summary>Early stopping's best parameters and buffers as read, by model tensor name; empty when none.</summary>
    internal IReadOnlyDictionary<string, SafeTensors.Tensor> BestTensors { get; private init; } = new Dictionary<string, SafeTensors.Tensor>();

    /// <summary>
    /// Writes this checkpoint with <paramref name="model"/>'s parameters and buffers and, when it holds a best
    /// epoch, <paramref name="earlyStopping"/>'s best weights, to <paramref name="path"/> atomically.
    /// </summary>
    internal void Write(string path, Model model, EarlyStopping? earlyStopping)
    {
        CheckNames(model);
        var tensors = SafeTensors.ModelTensors(model).ToList();
        foreach (var (name, values) in Optimizer.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
            tensors.Add(new SafeTensors.Entry(OptimizerPrefix + name, [values.Length], values));
        if (earlyStopping is { RestoreBest: true, BestEpoch: not null })
        {
            var (parameters, buffers) = earlyStopping.Best;
            foreach (var p in model.ParameterList.Concat(model.BufferList))
            {
                var source = p.IsBuffer ? buffers : parameters;
                tensors.Add(new SafeTensors.Entry(EarlyStoppingPrefix + p.Name, p.Dimensions, source.AsMemory(p.Info.Offset, p.Length)));
            }
        }
        SafeTensors.Write(path, tensors, "ModelDsl " + model.GetType().Name, Metadata());
    }

    /// <summary>Throws when a tensor of <paramref name="model"/> starts with a state prefix: it would be taken for training state.</summary>
    /// <exception cref="ArgumentException">A layer's name is the first part of a state prefix.</exception>
    internal static void CheckNames(Model model)
    {
        foreach (var p in model.ParameterList.Concat(model.BufferList))
        {
            foreach (var prefix in (string[])[OptimizerPrefix, EarlyStoppingPrefix])
            {
                if (p.Name.StartsWith(prefix, StringComparison.Ordinal))
                    throw new ArgumentException(
                        $"{model.GetType().Name}'s tensor '{p.Name}' starts with '{prefix}', where a training checkpoint keeps training state; rename the layer '{prefix.TrimEnd('.')}' to checkpoint this model.",
                        nameof(model));
            }
        }
    }

    private Dictionary<string, string> Metadata()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [SafeTensors.StatePrefixesKey] = OptimizerPrefix + "," + EarlyStoppingPrefix,
            ["model"] = ModelType,
            ["step"] = Text(Step),
            ["epoch"] = Text(Epoch),
            ["batch"] = Text(BatchesDone),
            ["epoch_finished"] = Text(EpochFinished),
            ["epochs"] = Text(Epochs),
            ["train_count"] = Text(TrainCount),
            ["batch_size"] = Text(BatchSize),
            ["seed"] = Text(Seed),
            ["learning_rate"] = Text(Optimizer.LearningRate),
            ["base_learning_rate"] = Text(BaseLearningRate),
            ["schedule"] = Text(HasSchedule),
            ["validation"] = Text(HasValidation),
            ["partial.loss_sum"] = Text(PartialLossSum),
            ["partial.correct"] = Text(PartialCorrect),
            ["partial.seen"] = Text(PartialSeen),
            ["partial.elapsed_ticks"] = Text(PartialElapsed.Ticks),
            ["reports"] = ReportsJson(Reports),
            [OptimizerPrefix + "kind"] = Optimizer.Kind,
        };
        foreach (var (name, state) in RngStates) m[RngPrefix + name] = state.ToString("X32", CultureInfo.InvariantCulture);
        if (DeviceDropout is { } stream)
        {
            m[DeviceDropoutSeedKey] = Text(stream.Seed);
            m[DeviceDropoutCallsKey] = Text(stream.Calls);
        }
        foreach (var (name, value) in TrainerSettings) m[TrainerPrefix + name] = value;
        foreach (var (name, value) in Optimizer.Scalars) m[OptimizerPrefix + name] = Text(value);
        if (Plateau is { } plateau)
        {
            m["plateau.best"] = Text(plateau.BestLoss);
            m["plateau.since"] = Text(plateau.EpochsSinceBest);
            m["plateau.reductions"] = Text(plateau.Reductions);
        }
        if (EarlyStopping is { } stopping)
        {
            m["early_stopping.best"] = Text(stopping.BestLoss);
            m["early_stopping.since"] = Text(stopping.EpochsSinceBest);
            m["early_stopping.best_epoch"] = stopping.BestEpoch is { } best ? Text(best) : "";
        }
        return m;
    }

    /// <summary>
    /// Reads and checks a training checkpoint written by <see cref="Trainer.Fit"/>: the safetensors layout, every
    /// metadata entry it needs and every tensor's size. The model, optimizer and run it fits are checked when a
    /// run resumes from it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, or not a training checkpoint; the message names the file and what is wrong.</exception>
    public static TrainingCheckpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var contents = SafeTensors.Read(path);
        var meta = new MetadataReader(path, contents.Metadata);
        if (!contents.Metadata.TryGetValue(FormatKey, out var format))
            throw new InvalidDataException($"{path}: not a training checkpoint (no '{FormatKey}' in its metadata); SafeTensors.Load reads its weights.");
        if (format != FormatValue)
            throw new InvalidDataException($"{path}: a training checkpoint of format '{format}'; this version reads '{FormatValue}'.");

        var optimizerScalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var rngStates = new Dictionary<string, UInt128>(StringComparer.Ordinal);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in contents.Metadata)
        {
            if (key.StartsWith(TrainerPrefix, StringComparison.Ordinal)) settings[key[TrainerPrefix.Length..]] = value;
            else if (key.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && key != OptimizerPrefix + "kind")
                optimizerScalars[key[OptimizerPrefix.Length..]] = meta.Double(key);
            else if (key.StartsWith(RngPrefix, StringComparison.Ordinal))
                rngStates[key[RngPrefix.Length..]] = meta.Rng(key);
        }
        var optimizerTensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var best = new Dictionary<string, SafeTensors.Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in contents.Tensors)
        {
            if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optimizerTensors[name[OptimizerPrefix.Length..]] = tensor.Data;
            else if (name.StartsWith(EarlyStoppingPrefix, StringComparison.Ordinal)) best[name[EarlyStoppingPrefix.Length..]] = tensor;
        }

        return new TrainingCheckpoint
        {
            Path = path,
            ModelType = meta.String("model"),
            Step = meta.Long("step"),
            Epoch = meta.Int("epoch"),
            BatchesDone = meta.Int("batch"),
            EpochFinished = meta.Bool("epoch_finished"),
            Epochs = meta.Int("epochs"),
            TrainCount = meta.Int("train_count"),
            BatchSize = meta.Int("batch_size"),
            Seed = meta.Int("seed", allowNegative: true),
            BaseLearningRate = meta.Double("base_learning_rate"),
            HasSchedule = meta.Bool("schedule"),
            HasValidation = meta.Bool("validation"),
            TrainerSettings = settings,
            RngStates = rngStates,
            DeviceDropout = contents.Metadata.ContainsKey(DeviceDropoutSeedKey)
                ? new DeviceDropoutStream(meta.UInt(DeviceDropoutSeedKey), meta.UInt(DeviceDropoutCallsKey))
                : null,
            PartialLossSum = meta.Double("partial.loss_sum"),
            PartialCorrect = meta.Long("partial.correct"),
            PartialSeen = meta.Int("partial.seen"),
            PartialElapsed = TimeSpan.FromTicks(meta.Long("partial.elapsed_ticks")),
            Reports = meta.Reports("reports"),
            Optimizer = new OptimizerState(meta.String(OptimizerPrefix + "kind"), optimizerScalars, optimizerTensors),
            Plateau = contents.Metadata.ContainsKey("plateau.best")
                ? new PlateauCounters(meta.Double("plateau.best"), meta.Int("plateau.since"), meta.Int("plateau.reductions"))
                : null,
            EarlyStopping = contents.Metadata.ContainsKey("early_stopping.best")
                ? new EarlyStoppingCounters(meta.Double("early_stopping.best"), meta.Int("early_stopping.since"),
                    meta.String("early_stopping.best_epoch") == "" ? null : meta.Int("early_stopping.best_epoch"))
                : null,
            ModelTensors = SafeTensors.ModelTensorsOf(contents),
            BestTensors = best,
        };
    }

    /// <summary>The dropout generator's entry in <see cref="RngStates"/>.</summary>
    internal const string DropoutRng = "dropout";

    /// <summary>
    /// Checks that the checkpoint fits <paramref name="model"/> (its class, every tensor's name and shape),
    /// <paramref name="optimizer"/> (<see cref="ModelDsl.Optimizer.CheckState"/>) and <paramref name="earlyStopping"/>
    /// (its best weights); changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Something differs; the message names the file and what.</exception>
    internal void CheckFits(Model model, Optimizer optimizer, EarlyStopping? earlyStopping)
    {
        var type = model.GetType().Name;
        if (ModelType != type)
            throw new ArgumentException($"{Path}: the checkpoint was written from a {ModelType}, but the model is a {type}.", nameof(model));
        CheckTensors(ModelTensors, model, "", "");
        if (!RngStates.ContainsKey(DropoutRng))
            throw new ArgumentException($"{Path}: the checkpoint has no '{RngPrefix}{DropoutRng}' state.", nameof(model));
        try
        {
            optimizer.CheckState(model, Optimizer);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{Path}: {e.Message}", nameof(optimizer), e);
        }
        if (earlyStopping is { RestoreBest: true } && EarlyStopping is { BestEpoch: not null })
            CheckTensors(BestTensors, model, EarlyStoppingPrefix, "early stopping's best ");
    }

    private void CheckTensors(IReadOnlyDictionary<string, SafeTensors.Tensor> file, Model model, string prefix, string what)
    {
        var type = model.GetType().Name;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in model.ParameterList.Concat(model.BufferList))
        {
            names.Add(p.Name);
            if (!file.TryGetValue(p.Name, out var tensor))
                throw new ArgumentException($"{Path}: the checkpoint has no {what}tensor '{prefix}{p.Name}' of {type}.", nameof(model));
            if (!tensor.Shape.SequenceEqual(p.Dimensions))
                throw new ArgumentException(
                    $"{Path}: {what}tensor '{prefix}{p.Name}' is ({string.Join(", ", tensor.Shape)}) in the checkpoint but ({string.Join(", ", p.Dimensions)}) in {type}.", nameof(model));
        }
        var extra = file.Keys.Where(name => !names.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new ArgumentException($"{Path}: the checkpoint has {what}tensor '{prefix}{extra[0]}'{(extra.Count > 1 ? $" and {extra.Count - 1} more" : "")} that {type} does not.", nameof(model));
    }

    /// <summary>
    /// Checks that a <see cref="Trainer.Fit"/> call continues the checkpoint's run: the same number of training
    /// samples, batch size and seed; the same epochs when a schedule spreads over them; the same use of a
    /// validation set, a schedule, a plateau rule and early stopping; the same trainer settings; and that something is left to train.
    /// </summary>
    /// <exception cref="ArgumentException">Something differs; the message names the file and what.</exception>
    internal void CheckRun(int trainCount, int batchSize, int seed, int epochs, bool schedule, bool validation, bool plateau, int? earlyStoppingPatience,
        IReadOnlyDictionary<string, string> trainerSettings)
    {
        void Same<T>(string what, T saved, T now, string argument)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, now))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Path}: the checkpoint's run has {what} {saved} but this one {now}."), argument);
        }

        void Used(string what, bool saved, bool now, string argument)
        {
            if (saved != now)
                throw new ArgumentException($"{Path}: the checkpoint's run {(saved ? "used" : "did not use")} {what} but this one {(now ? "does" : "does not")}.", argument);
        }

        Same("training samples", TrainCount, trainCount, "train");
        Same("batch size", BatchSize, batchSize, nameof(batchSize));
        Same("seed", Seed, seed, nameof(seed));
        Used("a validation set", HasValidation, validation, nameof(validation));
        Used("a schedule", HasSchedule, schedule, nameof(schedule));
        Used("a plateau rule", Plateau is not null, plateau, nameof(plateau));
        Used("early stopping", EarlyStopping is not null, earlyStoppingPatience is not null, "earlyStopping");
        if (schedule) Same("epochs (the schedule spans them)", Epochs, epochs, nameof(epochs));
        foreach (var name in trainerSettings.Keys.Union(TrainerSettings.Keys).Order(StringComparer.Ordinal))
        {
            var saved = TrainerSettings.TryGetValue(name, out var a) ? a : "(none)";
            var now = trainerSettings.TryGetValue(name, out var b) ? b : "(none)";
            if (saved != now)
                throw new ArgumentException($"{Path}: the checkpoint's run has trainer {name} {saved} but this one {now}.", "trainer");
        }
        var batches = (TrainCount + BatchSize - 1) / BatchSize;
        if (Epoch < 1 || BatchesDone > batches || Step != (long)(Epoch - 1) * batches + BatchesDone)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{Path}: the checkpoint's position (step {Step}, epoch {Epoch}, batch {BatchesDone}) is not one of a run of {batches} batches per epoch."));
        if (EpochFinished && EarlyStopping is { } stopping && stopping.EpochsSinceBest >= earlyStoppingPatience)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Path}: the checkpoint's run stopped early after epoch {Epoch} ({stopping.EpochsSinceBest} epochs without improvement); nothing is left to train."), "earlyStopping");
        if (Epoch > epochs || (Epoch == epochs && EpochFinished))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Path}: the checkpoint's run is at epoch {Epoch}{(EpochFinished ? " (finished)" : "")}; this one asks for {epochs} epochs, so nothing is left to train."), nameof(epochs));
    }

    /// <summary>
    /// Checks that the dropout masks of a run resumed where <paramref name="deviceStream"/> says (null: on the CPU)
    /// go on as the checkpoint's run drew them: a model without dropout resumes anywhere; with dropout, a CPU run
    /// resumes on the CPU and a device run on a device model of the same dropout seed. Changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The masks would differ; the message names the file, both sides and what to do.</exception>
    internal void CheckDropout(Model model, DeviceDropoutStream? deviceStream)
    {
        if (!model.Layout.Steps.Any(s => s.Op == LayerOp.Dropout)) return; // no masks: the stream does not matter
        var layer = model.Layout.Steps.First(s => s.Op == LayerOp.Dropout).Name;
        switch (DeviceDropout, deviceStream)
        {
            case (null, not null):
                throw new ArgumentException(
                    $"{Path}: the checkpoint was written by a run on the CPU, whose dropout masks ('{layer}') come from the CPU model's generator (rng.{DropoutRng}); " +
                    "a device draws its masks from its own stream, so the run would not go on with the same masks. Resume it on the CPU (new Trainer(model, ...)).", "checkpointing");
            case ({ } written, null):
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"{Path}: the checkpoint was written by a run on a device, whose dropout masks ('{layer}') come from the device's stream (seed {written.Seed}); ") +
                    "the CPU model draws its masks from its own generator, so the run would not go on with the same masks. Resume it on a device (gpuModel.CreateTrainer(...)).", "checkpointing");
            case ({ } saved, { } now) when saved.Seed != now.Seed:
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"{Path}: the checkpoint's run drew its dropout masks with device seed {saved.Seed} but this device model's seed is {now.Seed}; move the model with ToAccelerator(accelerator, dropoutSeed: {saved.Seed})."),
                    "checkpointing");
        }
    }

    /// <summary>
    /// Puts the checkpoint's weights, optimizer state, dropout generator and counters into the objects of a
    /// resumed run on the CPU, after <see cref="CheckFits"/>. <paramref name="earlyStopping"/> must have been started.
    /// </summary>
    internal void Restore(Model model, Optimizer optimizer, EarlyStopping? earlyStopping, ReduceOnPlateau? plateau) =>
        Restore(model, optimizer, state => optimizer.ImportState(model, state), earlyStopping, plateau);

    /// <summary>
    /// Puts the checkpoint's weights, optimizer state, dropout generator and counters into the objects of a
    /// resumed run, after <see cref="CheckFits"/>: the weights into <paramref name="model"/>, the optimizer state
    /// through <paramref name="importOptimizer"/> (where the steps run). <paramref name="earlyStopping"/> must have been started.
    /// </summary>
    internal void Restore(Model model, Optimizer optimizer, Action<OptimizerState> importOptimizer, EarlyStopping? earlyStopping, ReduceOnPlateau? plateau)
    {
        CheckFits(model, optimizer, earlyStopping);
        foreach (var p in model.ParameterList.Concat(model.BufferList)) ModelTensors[p.Name].Data.CopyTo(p.Values);
        importOptimizer(Optimizer);
        model.DropoutRngState = RngStates[DropoutRng];
        if (plateau is not null && Plateau is { } counters) plateau.State = (counters.BestLoss, counters.EpochsSinceBest, counters.Reductions);
        if (earlyStopping is not null && EarlyStopping is { } stopping)
        {
            earlyStopping.State = (stopping.BestLoss, stopping.EpochsSinceBest, stopping.BestEpoch);
            if (earlyStopping.RestoreBest && stopping.BestEpoch is not null)
            {
                var (parameters, buffers) = earlyStopping.Best;
                foreach (var p in model.ParameterList.Concat(model.BufferList))
                    BestTensors[p.Name].Data.CopyTo((p.IsBuffer ? buffers : parameters).AsSpan(p.Info.Offset, p.Length));
            }
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(bool value) => value ? "true" : "false";

    private static string ReportsJson(IReadOnlyList<EpochReport> reports)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var r in reports)
            {
                // Numbers as round-trip strings: exact, and NaN or ∞ stay representable.
                json.WriteStartObject();
                json.WriteNumber("epoch", r.Epoch);
                json.WriteString("train_loss", Text(r.TrainLoss));
                json.WriteString("train_accuracy", Text(r.TrainAccuracy));
                json.WriteString("validation_loss", r.ValidationLoss is { } loss ? Text(loss) : null);
                json.WriteString("validation_accuracy", r.ValidationAccuracy is { } accuracy ? Text(accuracy) : null);
                json.WriteString("images_per_second", Text(r.ImagesPerSecond));
                json.WriteNumber("elapsed_ticks", r.Elapsed.Ticks);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads typed metadata entries, throwing with the file and the key when one is missing or malformed.</summary>
    private readonly struct MetadataReader(string path, IReadOnlyDictionary<string, string> metadata)
    {
        public string String(string key) =>
            metadata.TryGetValue(key, out var value)
                ? value
                : throw new InvalidDataException($"{path}: the checkpoint's metadata has no '{key}'.");

        private InvalidDataException Bad(string key, string what) =>
            new($"{path}: the checkpoint's metadata '{key}' is '{String(key)}', not {what}.");

        public long Long(string key) =>
            long.TryParse(String(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : throw Bad(key, "a whole number ≥ 0");

        public int Int(string key, bool allowNegative = false) =>
            int.TryParse(String(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && (allowNegative || v >= 0)
                ? v
                : throw Bad(key, allowNegative ? "a whole number" : "a whole number ≥ 0");

        public uint UInt(string key) =>
            uint.TryParse(String(key), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(key, "a whole number from 0 to 2³² − 1");

        public double Double(string key) =>
            double.TryParse(String(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(key, "a number");

        public bool Bool(string key) => String(key) switch
        {
            "true" => true,
            "false" => false,
            _ => throw Bad(key, "true or false"),
        };

        public UInt128 Rng(string key) =>
            UInt128.TryParse(String(key), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) && v != UInt128.Zero
                ? v
                : throw Bad(key, "a nonzero 128-bit hexadecimal generator state");

        public IReadOnlyList<EpochReport> Reports(string key)
        {
            try
            {
                using var document = JsonDocument.Parse(String(key));
                var reports = new List<EpochReport>();
                foreach (var r in document.RootElement.EnumerateArray())
                {
                    reports.Add(new EpochReport(
                        r.GetProperty("epoch").GetInt32(),
                        Number(r, "train_loss")!.Value,
                        Number(r, "train_accuracy")!.Value,
                        Number(r, "validation_loss"),
                        Number(r, "validation_accuracy"),
                        Number(r, "images_per_second")!.Value,
                        TimeSpan.FromTicks(r.GetProperty("elapsed_ticks").GetInt64())));
                }
                return reports;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or InvalidCastException)
            {
                throw new InvalidDataException($"{path}: the checkpoint's metadata '{key}' is not a list of epoch reports ({e.Message}).", e);
            }

            static double? Number(JsonElement report, string name)
            {
                var value = report.GetProperty(name);
                return value.ValueKind == JsonValueKind.Null
                    ? null
                    : double.Parse(value.GetString() ?? throw new FormatException($"{name} is not a string."), NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
    }
}
