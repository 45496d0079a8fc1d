using ModelDsl.Zoo;
namespace ModelDsl.Tests.Generated;

/// <summary>
/// Whole-model gradients against central finite differences of the model's own forward pass:
/// L = Σ r ⊙ y for a fixed random r, so ∂L/∂y = r and backward must give ∂L/∂θ for every parameter.
/// </summary>
public class ModelGradientTests
{
    private const double Tolerance = 2e-2;

    [Fact]
    public void LeNet5_LossGradient_MatchesFiniteDifferences() => Check(new LeNet5(seed: 11), batch: 2, samples: 300, kinks: false);

    [Fact]
    public void EveryLayerKind_LossGradient_MatchesFiniteDifferences() => Check(new Everything(seed: 5), batch: 3, samples: int.MaxValue, kinks: true);

    [Fact]
    public void CourseLeNetSizes_LossGradient_MatchesFiniteDifferences() => Check(new SmoothCourseLeNet(seed: 8), batch: 2, samples: 200, kinks: false);

    [Fact]
    public void ConvolutionFamily_LossGradient_MatchesFiniteDifferences() => Check(new ConvFamily(seed: 3), batch: 2, samples: int.MaxValue, kinks: true);

    [Fact]
    public void Sequence1D_LossGradient_MatchesFiniteDifferences() => Check(new Sequence1D(seed: 4), batch: 3, samples: int.MaxValue, kinks: true);

    [Fact]
    public void NormalizationsAndMerges_LossGradient_MatchesFiniteDifferences() => Check(new NormsAndMerges(seed: 6), batch: 3, samples: int.MaxValue, kinks: false);

    [Fact]
    public void InlinedRepeatedBlocks_LossGradient_MatchesFiniteDifferences()
    {
        var net = new BlockNet(seed: 2);
        Assert.Equal(Shape.Map(6, 5, 5), net.Stage2.Output);
        Assert.Contains(net.ParameterList, p => p.Name == "Stage1.0.Project.weight"); // 3 → 4 channels: projected
        Assert.DoesNotContain(net.ParameterList, p => p.Name == "Stage1.1.Project.weight"); // 4 → 4, stride 1: identity
        Assert.Contains(net.ParameterList, p => p.Name == "Stage2.0.Conv1.weight" && p.Dimensions[0] == 12); // Width * 2
        Check(net, batch: 3, samples: int.MaxValue, kinks: false);
    }

    [Fact]
    public void NewerActivations_LossGradient_MatchesFiniteDifferences() => Check(new NewerActivations(seed: 1), batch: 3, samples: int.MaxValue, kinks: true);

    /// <summary>
    /// Compares backward's gradient with (L(θ + h) − L(θ − h)) / 2h on <paramref name="samples"/>
    /// parameters spread over every tensor. A smooth model (tanh, average pooling) must match
    /// everywhere. With ReLU or max-pooling a step of h can cross a kink, where the difference
    /// quotient is not the derivative; then each tensor must still match at 90 % of its entries
    /// (a wrong backward breaks nearly all of them).
    /// </summary>
    private static void Check(Model net, int batch, int samples, bool kinks)
    {
        // Every tensor gets its share of the samples (at least 8 entries, or all of a small one), spread evenly.
        var share = Math.Max(8, samples / net.ParameterList.Count);
        var report = GradCheck.Run(net, GeneratedModelTests.Random(batch * net.InputShape.Size, 1), batch,
            samplesPerTensor: share, tolerance: Tolerance, outputWeights: GeneratedModelTests.Random(batch * net.OutputShape.Size, 2));
        var checkedCount = report.Tensors.Sum(t => t.Checked);
        Assert.True(checkedCount >= Math.Min(samples, net.Parameters.Length) / 2 || checkedCount >= 8 * net.ParameterList.Count,
            $"only {checkedCount} parameters checked");
        if (kinks)
        {
            Assert.All(report.Tensors, t => Assert.True(t.Failed <= t.Checked / 10,
                $"{t.Name}: {t.Failed} of {t.Checked} entries off by more than {Tolerance}\n{report}"));
        }
        else
        {
            Assert.True(report.Passed, report.ToString());
        }
    }
}
