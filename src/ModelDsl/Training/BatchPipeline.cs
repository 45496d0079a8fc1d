using System.Globalization;
using System.Runtime.ExceptionServices;

namespace ModelDsl;

/// <summary>One gathered batch: the samples (N, C, H, W) and their labels, in buffers grown to the largest batch seen.</summary>
internal sealed class BatchBuffer
{
    private float[] _input = [];
    private int[] _labels = [];
    private float[] _scratch = [];   // one sample, for augmentations
    private int _sampleSize;

    /// <summary>Samples in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The batch's samples, Count × the sample size values.</summary>
    public ReadOnlySpan<float> Input => _input.AsSpan(0, Count * _sampleSize);

    /// <summary>The batch's labels.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, Count);

    /// <summary>Copies samples <paramref name="indices"/> of <paramref name="data"/> and their labels into the buffer.</summary>
    /// <exception cref="ArgumentException">An index is outside the dataset.</exception>
    public void Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        var size = data.SampleShape.Size;
        var n = indices.Length;
        if (_labels.Length < n) _labels = new int[n];
        if (_input.Length < (long)n * size) _input = new float[checked(n * size)];
        (Count, _sampleSize) = (0, size);
        var features = data.Features;
        var labels = data.Labels;
        for (var i = 0; i < n; i++)
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
        Count = n;
    }

    /// <summary>
    /// Applies <paramref name="augmentation"/> to every sample; sample i draws from
    /// <see cref="Augmentation.SampleRandom"/>(<paramref name="seed"/>, <paramref name="epoch"/>, <paramref name="firstPosition"/> + i),
    /// so its transform does not depend on the batch, the thread or what was augmented before.
    /// </summary>
    public void Augment(Augmentation augmentation, Shape shape, int seed, int epoch, long firstPosition)
    {
        var size = shape.Size;
        if (_scratch.Length < size) _scratch = new float[size];
        for (var i = 0; i < Count; i++)
        {
            var rng = Augmentation.SampleRandom(seed, epoch, firstPosition + i);
            augmentation.Apply(_input.AsSpan(i * size, size), shape, ref rng, _scratch);
        }
    }
}

/// <summary>
/// Produces the training batches of a <see cref="Trainer.Fit"/> run into two alternating buffers: batch b of
/// an epoch is a pure function of the epoch's sample order and b (<see cref="Produce"/>). With a background
/// producer, batch b + 1 is gathered and augmented on a dedicated thread while the caller trains on batch b;
/// without one, each batch is produced on the caller's thread when it is taken. Either way the batches, and
/// so the trained weights, are the same, and a failure surfaces from <see cref="Take"/> of the batch that failed.
/// </summary>
/// <remarks>
/// The producer thread lives from <see cref="Begin"/> to <see cref="Dispose"/> (one <see cref="Trainer.Fit"/>
/// call); the handoff is two events and a few fields, so a step allocates nothing. At most one batch is
/// requested and not yet taken. The buffers stay for the next run.
/// </remarks>
internal sealed class BatchPipeline : IDisposable
{
    private readonly BatchBuffer[] _slots = [new(), new()];
    private readonly ManualResetEventSlim _work = new(false);     // the caller asked for a batch (or for the end)
    private readonly ManualResetEventSlim _done = new(false);     // the producer finished the batch asked for

    // The run and the epoch, set by the caller while no batch is in flight.
    private Dataset? _data;
    private int[] _order = [];
    private int _batchSize;
    private int _seed;
    private int _epoch;
    private Augmentation? _augmentation;

    private Thread? _producer;
    private int _requested = -1;              // the batch asked for and not yet taken, or −1
    private ExceptionDispatchInfo? _failure;  // what producing it threw
    private volatile bool _ending;

    /// <summary>Starts a run over <paramref name="data"/> in the order that <paramref name="order"/> holds during each epoch.</summary>
    /// <param name="data">The training samples.</param>
    /// <param name="order">Filled by the caller with each epoch's order of sample indices before <see cref="StartEpoch"/>.</param>
    /// <param name="batchSize">Samples per batch (the last one of an epoch may be smaller).</param>
    /// <param name="seed">The run's seed, for <see cref="Augmentation.SampleRandom"/>.</param>
    /// <param name="background">Produce on a background thread, one batch ahead.</param>
    /// <returns>This pipeline; disposing it ends the run.</returns>
    /// <exception cref="InvalidOperationException">A run is in progress (Fit called from one of its own callbacks).</exception>
    public BatchPipeline Begin(Dataset data, int[] order, int batchSize, int seed, bool background)
    {
        ThrowIfRunning();
        (_data, _order, _batchSize, _seed) = (data, order, batchSize, seed);
        _requested = -1;
        _failure = null;
        if (!background) return this;
        _ending = false;
        _work.Reset();
        _done.Reset();
        _producer = new Thread(ProducerLoop) { IsBackground = true, Name = "ModelDsl batch producer" };
        _producer.Start();
        return this;
    }

    /// <summary>Refuses to start a second run while one is in progress (Fit called from one of its own callbacks).</summary>
    /// <exception cref="InvalidOperationException">A run is in progress.</exception>
    public void ThrowIfRunning()
    {
        if (_data is not null)
            throw new InvalidOperationException("This trainer is already running Fit; Fit cannot be called again until it returns (for example from one of its callbacks).");
    }

    /// <summary>Sets the epoch whose batches come next; <see cref="Begin"/>'s order array must hold its order until <see cref="EndEpoch"/>.</summary>
    public void StartEpoch(int epoch, Augmentation? augmentation)
    {
        (_epoch, _augmentation) = (epoch, augmentation);
    }

    /// <summary>Asks for batch <paramref name="batch"/> (from 0) of the epoch; the background producer starts on it at once.</summary>
    public void Request(int batch)
    {
        if (_requested >= 0) throw new InvalidOperationException($"Batch {_requested} was requested and not taken.");
        _requested = batch;
        if (_producer is not null) _work.Set();
    }

    /// <summary>The batch last requested, once it is ready; rethrows what producing it threw.</summary>
    public BatchBuffer Take()
    {
        var batch = _requested;
        if (batch < 0) throw new InvalidOperationException("No batch was requested.");
        if (_producer is null)
        {
            _requested = -1;
            return Produce(batch);
        }
        _done.Wait();
        _done.Reset();
        _requested = -1;
        if (_failure is { } failure)
        {
            _failure = null;
            failure.Throw();
        }
        return _slots[batch & 1];
    }

    /// <summary>Waits for a batch requested and never taken (the run stopped), and drops it and its failure.</summary>
    public void EndEpoch()
    {
        if (_requested < 0) return;
        if (_producer is not null)
        {
            _done.Wait();
            _done.Reset();
        }
        _requested = -1;
        _failure = null;
    }

    /// <summary>Ends the run: lets a batch in flight finish, stops the producer thread and waits for it to exit.</summary>
    public void Dispose()
    {
        EndEpoch();
        if (_producer is { } producer)
        {
            _ending = true;
            _work.Set();
            producer.Join();
            _producer = null;
        }
        (_data, _order, _augmentation) = (null, [], null); // keep only the buffers between runs
    }

    /// <summary>
    /// Gathers batch <paramref name="batch"/> (from 0) of the current epoch into its buffer: the samples at positions
    /// [b·batchSize, b·batchSize + n) of the epoch's order, each augmented with the stream of (seed, epoch, position).
    /// </summary>
    private BatchBuffer Produce(int batch)
    {
        var data = _data!;
        var first = batch * _batchSize;
        var slot = _slots[batch & 1];
        slot.Gather(data, _order.AsSpan(first, Math.Min(_batchSize, _order.Length - first)));
        if (_augmentation is { } augmentation) slot.Augment(augmentation, data.SampleShape, _seed, _epoch, first);
        return slot;
    }

    private void ProducerLoop()
    {
        while (true)
        {
            _work.Wait();
            _work.Reset();
            if (_ending) return;
            try { Produce(_requested); }
            catch (Exception e) { _failure = ExceptionDispatchInfo.Capture(e); }
            _done.Set();
        }
    }
}
