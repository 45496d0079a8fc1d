namespace ModelDsl;

/// <summary>
/// A random transformation of one training sample (C, H, W), applied in place while the trainer gathers a
/// batch; inference never sees it. Implementations allocate nothing: <c>scratch</c> holds one sample.
/// </summary>
public abstract class Augmentation
{
    /// <summary>Transforms <paramref name="sample"/> in place.</summary>
    /// <param name="sample">One sample, C·H·W values.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="rng">The source of randomness (advanced).</param>
    /// <param name="scratch">C·H·W values the transformation may overwrite.</param>
    public abstract void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch);

    /// <summary>
    /// The random stream the trainer augments one sample with: a pure function of the run's
    /// <paramref name="seed"/>, the <paramref name="epoch"/> and the sample's <paramref name="position"/> in that
    /// epoch's order, so batching, prefetching, parallel augmentation or resuming mid-epoch never change the
    /// transform a sample gets. <see cref="Trainer.Fit"/> uses epochs from 1; <see cref="Trainer.TrainBatch"/> uses
    /// epoch 0 with positions counted across its calls.
    /// </summary>
    public static Rng SampleRandom(int seed, int epoch, long position)
    {
        // Each step is a bijection of 64 bits, so for one (seed, epoch) every position gets its own key.
        var key = Mix((ulong)(uint)seed ^ 0xA06_5EED_0000_0000UL);
        key = Mix(key + (ulong)(uint)epoch);
        key = Mix(key + (ulong)position);
        return new Rng(key);
    }

    /// <summary>SplitMix64's finalizer: an invertible 64-bit mixing function.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>The data augmentations of the course (flip, shift/crop, brightness/contrast, noise, small rotation/scale).</summary>
public static class Augment
{
    /// <summary>Applies each augmentation in turn.</summary>
    public static Augmentation Compose(params Augmentation[] steps) => new Composed(steps.ToArray());

    /// <summary>Mirrors left–right with probability <paramref name="p"/>.</summary>
    public static Augmentation HorizontalFlip(double p = 0.5) => new Flip(Probability(p));

    /// <summary>
    /// Moves the image by up to <paramref name="maxPixels"/> in each direction (uniform integers), filling with
    /// <paramref name="fill"/>: the same as a random crop of the image padded by <paramref name="maxPixels"/>.
    /// </summary>
    public static Augmentation Shift(int maxPixels, float fill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPixels);
        return new ShiftBy(maxPixels, fill);
    }

    /// <summary>Adds one value drawn from U(−δ, δ) to every pixel of the sample.</summary>
    public static Augmentation Brightness(float delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delta);
        return new BrightnessBy(delta);
    }

    /// <summary>Scales each channel's deviations from its mean by a factor drawn from U(1 − r, 1 + r).</summary>
    public static Augmentation Contrast(float range)
    {
        if (!(range >= 0 && range < 1)) throw new ArgumentOutOfRangeException(nameof(range), range, "The range must be in [0, 1).");
        return new ContrastBy(range);
    }

    /// <summary>Adds independent Gaussian noise of standard deviation σ to every value.</summary>
    public static Augmentation GaussianNoise(float sigma)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        return new Noise(sigma);
    }

    /// <summary>
    /// Rotates by an angle from U(−<paramref name="maxDegrees"/>, <paramref name="maxDegrees"/>) and scales by a factor
    /// from U(1 − <paramref name="scaleRange"/>, 1 + <paramref name="scaleRange"/>) about the image centre, with
    /// bilinear sampling and <paramref name="fill"/> outside.
    /// </summary>
    public static Augmentation RotateScale(float maxDegrees, float scaleRange = 0, float fill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegrees);
        if (!(scaleRange >= 0 && scaleRange < 1)) throw new ArgumentOutOfRangeException(nameof(scaleRange), scaleRange, "The scale range must be in [0, 1).");
        return new Affine(-maxDegrees, maxDegrees, scaleRange, fill);
    }

    /// <summary>
    /// Random erasing (Zhong et al. 2020, PyTorch's RandomErasing): with probability <paramref name="p"/>, a rectangle
    /// covering a fraction of the image drawn from [<paramref name="minArea"/>, <paramref name="maxArea"/>] with an
    /// aspect ratio (height/width) drawn log-uniformly from [0.3, 3.3] is set to <paramref name="value"/> in every channel.
    /// </summary>
    public static Augmentation RandomErasing(double p = 0.5, double minArea = 0.02, double maxArea = 0.33, float value = 0)
    {
        if (!(minArea > 0 && minArea <= maxArea && maxArea < 1)) throw new ArgumentOutOfRangeException(nameof(minArea), minArea, "The area fractions must satisfy 0 < min ≤ max < 1.");
        return new Erasing(Probability(p), minArea, maxArea, value);
    }

    /// <summary>Rotates by exactly <paramref name="degrees"/> (counter-clockwise) about the centre; for tests and fixed views.</summary>
    public static Augmentation Rotate(float degrees, float fill = 0) => new Affine(degrees, degrees, 0, fill);

    private static double Probability(double p) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be in [0, 1].");

    private sealed class Composed(Augmentation[] steps) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            foreach (var step in steps) step.Apply(sample, shape, ref rng, scratch);
        }
    }

    private sealed class Erasing(double p, double minArea, double maxArea, float value) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            if (rng.NextFloat() >= p) return;
            var (h, w) = (shape.H, shape.W);
            for (var attempt = 0; attempt < 10; attempt++) // PyTorch's ten tries to fit a rectangle
            {
                var area = h * w * (minArea + (maxArea - minArea) * rng.NextFloat());
                var ratio = Math.Exp(Math.Log(0.3) + (Math.Log(3.3) - Math.Log(0.3)) * rng.NextFloat());
                var eh = (int)Math.Round(Math.Sqrt(area * ratio));
                var ew = (int)Math.Round(Math.Sqrt(area / ratio));
                if (eh < 1 || ew < 1 || eh > h || ew > w) continue;
                var top = rng.NextInt(h - eh + 1);
                var left = rng.NextInt(w - ew + 1);
                for (var c = 0; c < shape.C; c++)
                for (var y = top; y < top + eh; y++)
                    sample.Slice((c * h + y) * w + left, ew).Fill(value);
                return;
            }
        }
    }

    private sealed class Flip(double p) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            if (rng.NextFloat() >= p) return;
            var w = shape.W;
            for (var row = 0; row < shape.C * shape.H; row++) sample.Slice(row * w, w).Reverse();
        }
    }

    private sealed class ShiftBy(int max, float fill) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            var dy = shape.Rank == 3 ? rng.NextInt(2 * max + 1) - max : 0;
            var dx = rng.NextInt(2 * max + 1) - max;
            if (dx == 0 && dy == 0) return;
            var (h, w) = (shape.H, shape.W);
            var source = scratch[..sample.Length];
            sample.CopyTo(source);
            for (var c = 0; c < shape.C; c++)
            for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var (sy, sx) = (y - dy, x - dx);
                sample[(c * h + y) * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? source[(c * h + sy) * w + sx] : fill;
            }
        }
    }

    private sealed class BrightnessBy(float delta) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            var add = rng.NextSymmetric(delta);
            for (var i = 0; i < sample.Length; i++) sample[i] += add;
        }
    }

    private sealed class ContrastBy(float range) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            var factor = 1 + rng.NextSymmetric(range);
            var plane = shape.H * shape.W;
            for (var c = 0; c < shape.C; c++)
            {
                var channel = sample.Slice(c * plane, plane);
                double sum = 0;
                foreach (var v in channel) sum += v;
                var mean = (float)(sum / plane);
                for (var i = 0; i < channel.Length; i++) channel[i] = mean + (channel[i] - mean) * factor;
            }
        }
    }

    private sealed class Noise(float sigma) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            for (var i = 0; i < sample.Length; i += 2)
            {
                // Box–Muller: two independent normals from two uniforms.
                var u1 = 1 - rng.NextFloat(); // (0, 1]
                var u2 = rng.NextFloat();
                var radius = sigma * MathF.Sqrt(-2 * MathF.Log(u1));
                sample[i] += radius * MathF.Cos(2 * MathF.PI * u2);
                if (i + 1 < sample.Length) sample[i + 1] += radius * MathF.Sin(2 * MathF.PI * u2);
            }
        }
    }

    private sealed class Affine(float minDegrees, float maxDegrees, float scaleRange, float fill) : Augmentation
    {
        public override void Apply(Span<float> sample, Shape shape, ref Rng rng, Span<float> scratch)
        {
            var degrees = minDegrees + (maxDegrees - minDegrees) * rng.NextFloat();
            var scale = 1 + rng.NextSymmetric(scaleRange);
            if (degrees == 0 && scale == 1) return;
            var (h, w) = (shape.H, shape.W);
            var source = scratch[..sample.Length];
            sample.CopyTo(source);
            // Inverse map: each output pixel samples the source at R(−θ)·(p − centre)/scale + centre.
            var radians = degrees * MathF.PI / 180;
            var (cos, sin) = (MathF.Cos(radians) / scale, MathF.Sin(radians) / scale);
            var (cy, cx) = ((h - 1) / 2f, (w - 1) / 2f);
            for (var c = 0; c < shape.C; c++)
            {
                var plane = source.Slice(c * h * w, h * w);
                for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var (px, py) = (x - cx, y - cy);
                    var sx = cos * px - sin * py + cx;
                    var sy = sin * px + cos * py + cy;
                    sample[(c * h + y) * w + x] = Bilinear(plane, h, w, sy, sx, fill);
                }
            }
        }

        private static float Bilinear(ReadOnlySpan<float> plane, int h, int w, float y, float x, float fill)
        {
            // Snap values within rounding error of a pixel centre, so exact quarter turns stay exact.
            if (MathF.Abs(y - MathF.Round(y)) < 1e-4f) y = MathF.Round(y);
            if (MathF.Abs(x - MathF.Round(x)) < 1e-4f) x = MathF.Round(x);
            var (y0, x0) = ((int)MathF.Floor(y), (int)MathF.Floor(x));
            var (fy, fx) = (y - y0, x - x0);
            var top = At(plane, h, w, y0, x0, fill) * (1 - fx) + (fx == 0 ? 0 : At(plane, h, w, y0, x0 + 1, fill) * fx);
            if (fy == 0) return top;
            var bottom = At(plane, h, w, y0 + 1, x0, fill) * (1 - fx) + (fx == 0 ? 0 : At(plane, h, w, y0 + 1, x0 + 1, fill) * fx);
            return top * (1 - fy) + bottom * fy;
        }

        private static float At(ReadOnlySpan<float> plane, int h, int w, int y, int x, float fill) =>
            y >= 0 && y < h && x >= 0 && x < w ? plane[y * w + x] : fill;
    }
}
