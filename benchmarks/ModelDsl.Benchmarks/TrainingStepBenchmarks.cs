using BenchmarkDotNet.Attributes;

using ModelDsl.Zoo;

namespace ModelDsl.Benchmarks;

/// <summary>
/// One SGD training step (forward, loss, backward, update) on a batch of random 28×28 images.
/// Images per second = BatchSize / mean time.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Trainer _course = null!;
    private Trainer _lenet5 = null!;
    private Dataset _data = null!;
    private int[] _indices = [];

    [Params(64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        var features = new float[BatchSize * 784];
        for (var i = 0; i < features.Length; i++) features[i] = rng.NextSymmetric(1f);
        var labels = Enumerable.Range(0, BatchSize).Select(i => i % 10).ToArray();
        _data = new Dataset(features, labels, Shape.Map(1, 28, 28));
        _indices = Enumerable.Range(0, BatchSize).ToArray();
        _course = new Trainer(new CourseLeNet(1), new Sgd(0.01f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        _lenet5 = new Trainer(new LeNet5(1), new Sgd(0.01f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
    }

    [Benchmark]
    public BatchResult CourseLeNetStep() => _course.TrainBatch(_data, _indices);

    [Benchmark]
    public BatchResult LeNet5Step() => _lenet5.TrainBatch(_data, _indices);
}
