using System.Globalization;

namespace ModelDsl.Gpu.Tests;

/// <summary>
/// Runs a model on the CPU (the generated code, the reference) and on the device from the same
/// parameters and inputs, and compares everything that comes out. Device buffers are poisoned (NaN)
/// before each forward and backward, so a kernel that leaves part of its output unwritten fails.
/// </summary>
internal static class Parity
{
    /// <summary>Max-norm relative error allowed between device and CPU tensors (float32).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// Training forward, backward from a random output gradient (or <paramref name="loss"/>, computed on the
    /// device, against random labels), running statistics, then an inference forward: device vs CPU.
    /// </summary>
    public static void Check<T>(Func<int, T> create, int batch, int seed, ILoss? loss = null) where T : Model
    {
        var cpu = create(seed);
        var mirror = create(seed);
        var rng = new Rng((ulong)seed * 7919 + 1);
        Perturb(cpu, mirror, ref rng);
        using var gpu = mirror.ToAccelerator(Device.Accelerator);
        var x = Random(ref rng, batch * cpu.InputShape.Size, 1f);
        var what = $"{typeof(T).Name} (N = {batch}, seed {seed})";

        gpu.PoisonActivations();
        gpu.Forward(x, batch, training: true);
        var output = new float[batch * cpu.OutputShape.Size];
        gpu.CopyOutput(output);
        cpu.Forward(x, batch, training: true);
        AssertClose(cpu.Output, output, $"{what}: training output");

        // Backward adds to the parameter gradients: start both from the same non-zero values.
        var start = Random(ref rng, cpu.Gradients.Length, 0.5f);
        start.CopyTo(cpu.Gradients);
        start.CopyTo(mirror.Gradients);
        gpu.CopyGradientsFromHost();
        gpu.PoisonGradientSlots();
        if (loss is not null)
        {
            var y = new int[batch];
            for (var i = 0; i < batch; i++) y[i] = rng.NextInt(cpu.OutputShape.Size);
            var dz = new float[output.Length];
            var expected = loss.Compute(cpu.Output, y, dz);
            cpu.Backward(dz);
            var actual = gpu.Loss(y, loss, backward: true);
            AssertClose([(float)expected.Loss], [(float)actual.Loss], $"{what}: loss");
            Assert.Equal(expected.Correct, actual.Correct);
        }
        else
        {
            var dy = Random(ref rng, output.Length, 1f);
            cpu.Backward(dy);
            gpu.Backward(dy);
        }
        gpu.CopyGradientsToHost();
        foreach (var p in cpu.ParameterList) AssertClose(p.Gradient, mirror.GetParameter(p.Name).Gradient, $"{what}: ∂{p.Name}");
        gpu.CopyToHost();
        foreach (var p in cpu.BufferList) AssertClose(p.Values, mirror.GetParameter(p.Name).Values, $"{what}: {p.Name} after a training forward");

        gpu.PoisonActivations();
        gpu.Forward(x, batch, training: false);
        gpu.CopyOutput(output);
        cpu.Forward(x, batch, training: false);
        AssertClose(cpu.Output, output, $"{what}: inference output");
    }

    /// <summary>
    /// The same random changes to both models' parameters and buffers: initial scales are 1, shifts 0 and
    /// running statistics 0 and 1, under which a kernel reading the wrong channel's scale would go unnoticed.
    /// </summary>
    private static void Perturb(Model a, Model b, ref Rng rng)
    {
        foreach (var p in a.ParameterList.Concat(a.BufferList))
        {
            var values = p.Values;
            for (var i = 0; i < values.Length; i++)
                values[i] = p.Name.EndsWith(".running_var", StringComparison.Ordinal) ? 0.5f + rng.NextFloat() : values[i] + rng.NextSymmetric(0.25f);
            values.CopyTo(b.GetParameter(p.Name).Values);
        }
    }

    public static float[] Random(ref Rng rng, int length, float scale)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++) values[i] = rng.NextSymmetric(scale);
        return values;
    }

    /// <summary>max |actual − expected| / max |expected| ≤ <see cref="Tolerance"/>, and no NaN anywhere.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0, worst = 0;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(actual[i]) || !float.IsFinite(expected[i]))
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: value {i} is {actual[i]} on the device, {expected[i]} on the CPU."));
            largest = Math.Max(largest, Math.Abs(expected[i]));
            var error = Math.Abs((double)actual[i] - expected[i]);
            if (error > worst)
            {
                worst = error;
                at = i;
            }
        }
        var relative = worst / Math.Max(largest, 1e-30);
        if (worst > 0 && relative > tolerance)
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{what}: relative error {relative:E2} (value {at}: device {actual[at]}, CPU {expected[at]}; largest |CPU value| {largest})."));
    }
}
