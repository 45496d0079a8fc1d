using ModelDsl.Zoo;
namespace ModelDsl.Tests.Generated;

[Collection(nameof(AllocationCollection))]
public class TrainingStepTests
{
    private static Dataset Synthetic(int count, Shape shape, int classes, int seed)
    {
        var rng = new Rng((ulong)seed);
        var features = new float[count * shape.Size];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % classes;
            for (var j = 0; j < shape.Size; j++) features[i * shape.Size + j] = rng.NextSymmetric(1f) + (j % classes == labels[i] ? 1f : 0f);
        }
        return new Dataset(features, labels, shape);
    }

    [Fact]
    public void TrainingStep_AfterTheFirst_AllocatesNothing_OnAnyThread()
    {
        var net = new CourseLeNet(seed: 1);
        var data = Synthetic(128, net.InputShape, 10, 3);
        var trainer = new Trainer(net, new Sgd(0.01f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
        var indices = Enumerable.Range(0, 64).ToArray();
        for (var i = 0; i < 3; i++) trainer.TrainBatch(data, indices); // warm-up: buffers, JIT, worker threads

        Assert.Equal(0, Allocations.LeastOverWindows(() => trainer.TrainBatch(data, indices)));
    }

    [Fact]
    public void EveryLayerKind_TrainingStep_AllocatesNothing()
    {
        var net = new Everything(seed: 1);
        var data = Synthetic(32, net.InputShape, 5, 4);
        var trainer = new Trainer(net, new Sgd(0.01f, momentum: 0.9f, nesterov: true), new ProbabilitiesLoss());
        var indices = Enumerable.Range(0, 32).ToArray();
        for (var i = 0; i < 3; i++) trainer.TrainBatch(data, indices);
        Assert.Equal(0, Allocations.LeastOverWindows(() => trainer.TrainBatch(data, indices)));
    }

    /// <summary>Negative log of the probability given to the label; for models ending in a softmax layer.</summary>
    private sealed class ProbabilitiesLoss : ILoss
    {
        public string Name => "NLL of probabilities";

        public LossResult Compute(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, Span<float> gradient)
        {
            var n = labels.Length;
            var classes = output.Length / n;
            double loss = 0;
            var correct = 0;
            if (!gradient.IsEmpty) gradient.Clear();
            for (var i = 0; i < n; i++)
            {
                var row = output.Slice(i * classes, classes);
                var p = Math.Max(row[labels[i]], 1e-7f);
                loss -= Math.Log(p);
                if (!gradient.IsEmpty) gradient[i * classes + labels[i]] = -1f / (p * n);
                var best = 0;
                for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                if (best == labels[i]) correct++;
            }
            return new LossResult(loss / n, correct);
        }
    }
}
