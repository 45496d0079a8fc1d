using System.Globalization;
using System.Text;

namespace ModelDsl;

/// <summary>
/// The course's numeric gradient check, for any model: compares backward's ∂L/∂θ with central finite
/// differences (L(θ + h) − L(θ − h)) / 2h of L = Σ r ⊙ output for a fixed random r, on sampled entries of
/// every parameter tensor, in double precision where it matters.
/// </summary>
public static class GradCheck
{
    /// <summary>The comparison for one parameter tensor.</summary>
    /// <param name="Name">The parameter's name.</param>
    /// <param name="Checked">Entries compared.</param>
    /// <param name="MaxRelativeError">The largest |numeric − backward| / (|numeric| + |backward| + 1e-2) seen.</param>
    /// <param name="Failed">Entries whose relative error exceeded the tolerance.</param>
    public sealed record TensorReport(string Name, int Checked, double MaxRelativeError, int Failed);

    /// <summary>The whole check: one report per parameter tensor.</summary>
    /// <param name="Tensors">Per tensor, in buffer order.</param>
    /// <param name="Tolerance">The relative error above which an entry fails.</param>
    public sealed record Report(IReadOnlyList<TensorReport> Tensors, double Tolerance)
    {
        /// <summary>Whether every compared entry is within the tolerance.</summary>
        public bool Passed => Tensors.All(t => t.Failed == 0);

        /// <inheritdoc/>
        public override string ToString()
        {
            var text = new StringBuilder();
            foreach (var t in Tensors)
            {
                text.Append(CultureInfo.InvariantCulture, $"{t.Name,-32} {t.Checked,6} checked  max relative error {t.MaxRelativeError:E2}  {(t.Failed == 0 ? "ok" : $"{t.Failed} above {Tolerance:E0}")}\n");
            }
            return text.ToString();
        }
    }

    /// <summary>
    /// Runs the check on <paramref name="batch"/> samples of <paramref name="input"/> (N × C × H × W values).
    /// Forward runs in training mode (use a model without active dropout, or with p = 0, so every forward is
    /// the same function). ReLU or max-pool kinks crossed by a step of <paramref name="step"/> show up as isolated failures.
    /// </summary>
    /// <param name="model">The model; its parameters are restored exactly afterwards.</param>
    /// <param name="input">The input batch.</param>
    /// <param name="batch">N.</param>
    /// <param name="samplesPerTensor">Entries compared per tensor (spread evenly; all of a smaller tensor).</param>
    /// <param name="step">h.</param>
    /// <param name="tolerance">The relative error above which an entry fails.</param>
    /// <param name="seed">Fixes r when <paramref name="outputWeights"/> is not given.</param>
    /// <param name="outputWeights">r itself, one weight per output value (N × output size); random from <paramref name="seed"/> when null.</param>
    public static Report Run(Model model, ReadOnlySpan<float> input, int batch, int samplesPerTensor = 16, float step = 2e-3f,
        double tolerance = 2e-2, int seed = 0, float[]? outputWeights = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerTensor, 1);
        var data = input.ToArray();
        var r = outputWeights ?? new float[batch * model.OutputShape.Size];
        if (r.Length != batch * model.OutputShape.Size)
            throw new ArgumentException($"outputWeights has {r.Length} values; the output has {batch * model.OutputShape.Size}.", nameof(outputWeights));
        if (outputWeights is null)
        {
            var rng = new Rng((ulong)(uint)seed ^ 0x6AD_C4EC);
            for (var i = 0; i < r.Length; i++) r[i] = rng.NextSymmetric(1f);
        }

        var saved = model.Gradients.ToArray();
        model.ZeroGrad();
        model.Forward(data, batch, training: true);
        model.Backward(r);
        var analytic = model.Gradients.ToArray();
        saved.CopyTo(model.Gradients);

        double Loss()
        {
            var y = model.Forward(data, batch, training: true);
            double sum = 0;
            for (var i = 0; i < y.Length; i++) sum += (double)r[i] * y[i];
            return sum;
        }

        var reports = new List<TensorReport>();
        foreach (var p in model.ParameterList)
        {
            var stride = Math.Max(1, (p.Length + samplesPerTensor - 1) / samplesPerTensor);
            int count = 0, failed = 0;
            var worst = 0.0;
            for (var i = 0; i < p.Length; i += stride)
            {
                var values = p.Values;
                var original = values[i];
                values[i] = original + step;
                var plus = Loss();
                values[i] = original - step;
                var minus = Loss();
                values[i] = original;
                var numeric = (plus - minus) / (2.0 * step);
                var exact = (double)analytic[p.Info.Offset + i];
                var error = Math.Abs(numeric - exact) / (Math.Abs(numeric) + Math.Abs(exact) + 1e-2);
                worst = Math.Max(worst, error);
                count++;
                if (error > tolerance) failed++;
            }
            reports.Add(new TensorReport(p.Name, count, worst, failed));
        }
        return new Report(reports, tolerance);
    }
}
