using ModelDsl.Tests.Generated;

namespace ModelDsl.Tests.Training;

/// <summary>
/// Optimizer state out and in: the exported tensors and counters hold what the update rules say (hand-computed
/// after one step), and an optimizer given the state of another continues bit for bit as the other would.
/// </summary>
public class OptimizerStateTests
{
    public static TheoryData<string> Kinds => ["sgd", "nesterov", "adam", "adamw", "rmsprop", "rmsprop-momentum"];

    private static Optimizer Create(string kind, float lr = 0.05f) => kind switch
    {
        "sgd" => new Sgd(lr, momentum: 0.9f, weightDecay: 0.01f),
        "nesterov" => new Sgd(lr, momentum: 0.8f, nesterov: true),
        "adam" => new Adam(lr, weightDecay: 0.01f),
        "adamw" => new AdamW(lr),
        "rmsprop" => new RmsProp(lr),
        "rmsprop-momentum" => new RmsProp(lr, momentum: 0.5f, weightDecay: 0.02f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A gradient that differs per entry and per step.</summary>
    private static void SetGradient(Model model, int step)
    {
        var g = model.Gradients;
        for (var i = 0; i < g.Length; i++) g[i] = (float)Math.Sin(0.37 * i + 1.1 * step) * (1 + 0.1f * step);
    }

    private static void Steps(Optimizer optimizer, Model model, int from, int to)
    {
        for (var t = from; t < to; t++)
        {
            SetGradient(model, t);
            optimizer.Step(model);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ImportedState_ContinuesBitForBit_AsTheUninterruptedOptimizer(string kind)
    {
        var model = new DropoutNet(seed: 3);
        var uninterrupted = Create(kind);
        var twin = new DropoutNet(seed: 3);
        var first = Create(kind);
        Steps(uninterrupted, model, 0, 7);
        Steps(first, twin, 0, 3);
        var state = first.ExportState(twin);

        // A fresh optimizer with another starting rate, on a fresh model given the weights.
        var resumed = Create(kind, lr: 0.5f);
        var copy = new DropoutNet(seed: 9);
        twin.Parameters.CopyTo(copy.Parameters);
        resumed.ImportState(copy, state);
        Assert.Equal(0.05f, resumed.LearningRate);
        Steps(resumed, copy, 3, 7);
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void ExportedState_HoldsWhatTheUpdateRulesSay_AfterOneStep()
    {
        var model = new LinearModel(Shape.Flat(4), 5);
        model.Parameters.Fill(2f);
        model.Gradients.Fill(0.5f);
        var sgd = new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f);
        sgd.Step(model);
        var state = sgd.ExportState(model);
        Assert.Equal("Sgd", state.Kind);
        Assert.Equal(["sgd.momentum"], state.Tensors.Keys);
        Assert.All(state.Tensors["sgd.momentum"], v => Assert.Equal(0.5f + 0.01f * 2f, v)); // v = g + λθ
        Assert.Equal(0.9f, state.Scalars["momentum"]);
        Assert.Equal(0.0, state.Scalars["nesterov"]);
        Assert.Equal(0.01f, state.Scalars["weight_decay"]);
        Assert.Equal(0.1f, state.LearningRate);

        model.Gradients.Fill(0.5f);
        var adam = new Adam(1e-3f, beta1: 0.8f, beta2: 0.9f);
        adam.Step(model);
        var moments = adam.ExportState(model);
        Assert.Equal(1.0, moments.Scalars["step"]);
        Assert.All(moments.Tensors["adam.m"], m => Assert.Equal(0.2f * 0.5f, m, 1e-7f));        // (1 − β₁)·g
        Assert.All(moments.Tensors["adam.v"], v => Assert.Equal(0.1f * 0.25f, v, 1e-7f));       // (1 − β₂)·g²
        Assert.Equal(25, moments.Tensors["adam.m"].Length);

        var rms = new RmsProp(0.01f, alpha: 0.75f, momentum: 0.5f);
        rms.Step(model);
        var square = rms.ExportState(model);
        Assert.All(square.Tensors["rmsprop.square_avg"], s => Assert.Equal(0.25f * 0.25f, s, 1e-7f)); // (1 − α)·g²
        Assert.All(square.Tensors["rmsprop.momentum"], b => Assert.Equal(0.5f / (0.25f + 1e-8f), b, 1e-4f)); // g/(√s + ε)
        Assert.Single(new RmsProp().ExportState(model).Tensors); // no momentum buffer without momentum
        Assert.Empty(new Sgd(0.1f).ExportState(model).Tensors);
    }

    [Fact]
    public void ExportBeforeAnyStep_IsTheFreshState()
    {
        var model = new LinearModel(Shape.Flat(4), 5);
        var adam = new Adam();
        var state = adam.ExportState(model);
        Assert.Equal(0.0, state.Scalars["step"]);
        Assert.All(state.Tensors.Values, t => Assert.Equal(new float[25], t));

        // Stepping another model since: the state for this one is fresh again.
        Steps(adam, model, 0, 2);
        Steps(adam, new LinearModel(Shape.Flat(4), 5), 0, 1);
        Assert.Equal(0.0, adam.ExportState(model).Scalars["step"]);
    }

    [Fact]
    public void FrozenLayersAndRateScales_KeepZeroStateWhereNothingMoves_AndResumeExactly()
    {
        DropoutNet Configured(int seed)
        {
            var net = new DropoutNet(seed);
            net.Freeze("Hidden");
            net.SetLearningRateScale("Out", 0.25f);
            return net;
        }

        var model = Configured(4);
        var adam = new Adam(0.01f);
        Steps(adam, model, 0, 6);

        var twin = Configured(4);
        var first = new Adam(0.01f);
        Steps(first, twin, 0, 2);
        var state = first.ExportState(twin);
        var hidden = twin.GetParameter("Hidden.weight").Info;
        Assert.All(state.Tensors["adam.m"].AsSpan(hidden.Offset, hidden.Length).ToArray(), m => Assert.Equal(0f, m));
        Assert.Contains(state.Tensors["adam.m"], m => m != 0);

        var copy = Configured(11);
        twin.Parameters.CopyTo(copy.Parameters);
        var resumed = new Adam(0.01f);
        resumed.ImportState(copy, state);
        Steps(resumed, copy, 2, 6);
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void Mismatches_AreRejectedNamingWhatDiffers_AndChangeNothing()
    {
        var model = new LinearModel(Shape.Flat(4), 5);
        var adam = new Adam(0.01f);
        Steps(adam, model, 0, 2);
        var state = adam.ExportState(model);

        string Rejected(Optimizer optimizer, Model target, OptimizerState s) =>
            Assert.Throws<ArgumentException>(() => optimizer.ImportState(target, s)).Message;

        Assert.Contains("for Adam but this optimizer is AdamW", Rejected(new AdamW(0.01f), model, state));
        Assert.Contains("for Adam but this optimizer is Sgd", Rejected(new Sgd(0.01f), model, state));
        Assert.Contains("Adam beta2 is 0.999 in the state but 0.99 in this optimizer", Rejected(new Adam(0.01f, beta2: 0.99f), model, state));
        Assert.Contains("'adam.m' has 25 values but LinearModel has 30 parameters",
            Rejected(new Adam(0.01f), new LinearModel(Shape.Flat(5), 5), state));

        var missing = new OptimizerState("Adam", state.Scalars, new Dictionary<string, float[]> { ["adam.m"] = state.Tensors["adam.m"] });
        Assert.Contains("no tensor 'adam.v'", Rejected(new Adam(0.01f), model, missing));
        var extra = new OptimizerState("Adam", state.Scalars,
            new Dictionary<string, float[]>(state.Tensors) { ["adam.u"] = new float[25] });
        Assert.Contains("tensor 'adam.u' this Adam does not keep (its tensors: 'adam.m', 'adam.v')", Rejected(new Adam(0.01f), model, extra));
        var badStep = new OptimizerState("Adam", new Dictionary<string, double>(state.Scalars) { ["step"] = 1.5 }, state.Tensors);
        Assert.Contains("no valid step counter", Rejected(new Adam(0.01f), model, badStep));

        // A rejected import leaves the optimizer as it was: it still steps like its untouched twin.
        var target = new Adam(0.01f);
        var twin = new Adam(0.01f);
        var a = new LinearModel(Shape.Flat(4), 5);
        var b = new LinearModel(Shape.Flat(4), 5);
        Steps(target, a, 0, 2);
        Steps(twin, b, 0, 2);
        Rejected(target, a, missing);
        Steps(target, a, 2, 4);
        Steps(twin, b, 2, 4);
        Assert.Equal(b.Parameters.ToArray(), a.Parameters.ToArray());
        Assert.Equal(0.01f, target.LearningRate);
    }
}
