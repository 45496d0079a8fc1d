namespace ModelDsl.Tests.Data;

[Collection(nameof(AllocationCollection))] // one test counts allocations process-wide
public class AugmentTests
{
    private static readonly Shape Image = Shape.Map(2, 5, 6);

    private static float[] Ramp() => Enumerable.Range(0, Image.Size).Select(i => (float)i).ToArray();

    private static float[] Apply(Augmentation augmentation, float[] sample, ulong seed = 1)
    {
        var rng = new Rng(seed);
        var copy = (float[])sample.Clone();
        augmentation.Apply(copy, Image, ref rng, new float[Image.Size]);
        return copy;
    }

    [Fact]
    public void HorizontalFlip_MirrorsEveryRow_AndTwiceIsTheIdentity()
    {
        var x = Ramp();
        var flipped = Apply(Augment.HorizontalFlip(1), x);
        Assert.Equal(5f, flipped[0]);   // row 0 was 0..5
        Assert.Equal(0f, flipped[5]);
        Assert.Equal(35f, flipped[30]); // channel 1, row 0 was 30..35
        Assert.Equal(x, Apply(Augment.HorizontalFlip(1), flipped));
        Assert.Equal(x, Apply(Augment.HorizontalFlip(0), x));
    }

    [Fact]
    public void Shift_IsATranslationWithinRange_FilledOutside()
    {
        var x = Ramp();
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var y = Apply(Augment.Shift(2, fill: -1), x, seed);
            // Some (dy, dx) with |dy|, |dx| ≤ 2 must reproduce y exactly.
            var found = false;
            for (var dy = -2; dy <= 2 && !found; dy++)
            for (var dx = -2; dx <= 2 && !found; dx++)
            {
                var match = true;
                for (var c = 0; c < 2 && match; c++)
                for (var r = 0; r < 5 && match; r++)
                for (var col = 0; col < 6 && match; col++)
                {
                    var (sr, sc) = (r - dy, col - dx);
                    var expected = sr is >= 0 and < 5 && sc is >= 0 and < 6 ? x[(c * 5 + sr) * 6 + sc] : -1f;
                    match = y[(c * 5 + r) * 6 + col] == expected;
                }
                found = match;
            }
            Assert.True(found, $"seed {seed}: not a translation by at most 2");
        }
    }

    [Fact]
    public void BrightnessAndContrast_MoveTheMeanOrKeepIt()
    {
        var x = Ramp();
        var brighter = Apply(Augment.Brightness(0.5f), x);
        var shift = brighter[0] - x[0];
        Assert.InRange(shift, -0.5f, 0.5f);
        Assert.All(Enumerable.Range(0, x.Length), i => Assert.Equal(x[i] + shift, brighter[i], 4));

        var contrasted = Apply(Augment.Contrast(0.4f), x);
        for (var c = 0; c < 2; c++)
        {
            Assert.Equal(x.Skip(c * 30).Take(30).Average(), contrasted.Skip(c * 30).Take(30).Average(), 3);
        }
        var factor = (contrasted[29] - contrasted[0]) / (x[29] - x[0]);
        Assert.InRange(factor, 0.6f, 1.4f);
    }

    [Fact]
    public void RandomErasing_BlanksOneRectangleInEveryChannel_OfTheStatedSize()
    {
        var big = Shape.Map(3, 20, 20);
        for (ulong seed = 1; seed <= 10; seed++)
        {
            var x = Enumerable.Repeat(1f, big.Size).ToArray();
            var rng = new Rng(seed);
            Augment.RandomErasing(p: 1, minArea: 0.1, maxArea: 0.2, value: -5).Apply(x, big, ref rng, new float[big.Size]);
            var erased = Enumerable.Range(0, 400).Where(i => x[i] == -5f).ToArray();
            Assert.InRange(erased.Length, 400 * 0.1 * 0.8, 400 * 0.2 * 1.2); // rounding of the sides
            // A rectangle: its cells fill the bounding box exactly, and the same cells in every channel.
            var rows = erased.Select(i => i / 20).ToArray();
            var cols = erased.Select(i => i % 20).ToArray();
            Assert.Equal((rows.Max() - rows.Min() + 1) * (cols.Max() - cols.Min() + 1), erased.Length);
            for (var c = 1; c < 3; c++) Assert.All(erased, i => Assert.Equal(-5f, x[c * 400 + i]));
            Assert.Equal(big.Size - 3 * erased.Length, x.Count(v => v == 1f));
        }
        var untouched = Enumerable.Repeat(1f, big.Size).ToArray();
        var r = new Rng(1);
        Augment.RandomErasing(p: 0).Apply(untouched, big, ref r, new float[big.Size]);
        Assert.All(untouched, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void GaussianNoise_HasTheStatedSpread()
    {
        var big = Shape.Map(1, 100, 100);
        var zeros = new float[big.Size];
        var rng = new Rng(7);
        Augment.GaussianNoise(0.3f).Apply(zeros, big, ref rng, new float[big.Size]);
        var mean = zeros.Average();
        var std = Math.Sqrt(zeros.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.29, 0.31);
    }

    [Fact]
    public void Rotation_ByAQuarterTurn_IsExact_AndNoRotationIsTheIdentity()
    {
        var square = Shape.Map(1, 4, 4);
        var x = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var rng = new Rng(1);
        var y = (float[])x.Clone();
        Augment.Rotate(90).Apply(y, square, ref rng, new float[16]);
        // A counter-clockwise quarter turn: output (r, c) = input (c, 3 − r).
        for (var r = 0; r < 4; r++)
        for (var c = 0; c < 4; c++)
            Assert.Equal(x[c * 4 + (3 - r)], y[r * 4 + c], 4);

        var same = (float[])x.Clone();
        Augment.RotateScale(0, 0).Apply(same, square, ref rng, new float[16]);
        Assert.Equal(x, same);
    }

    [Fact]
    public void Trainer_AugmentsTrainingBatchesOnly_WithoutAllocating()
    {
        var model = new ModelDsl.Tests.Training.LinearModel(Shape.Flat(4), 2);
        var data = new Dataset([1, 2, 3, 4, 5, 6, 7, 8], [0, 1], Shape.Flat(4));
        var trainer = new Trainer(model, new Sgd(0.1f)) { Augmentation = Augment.Compose(Augment.Brightness(0.1f), Augment.GaussianNoise(0.01f)) };
        var before = trainer.Evaluate(data);
        Assert.Equal(before, trainer.Evaluate(data)); // evaluation is not augmented
        int[] indices = [0, 1];
        for (var i = 0; i < 3; i++) trainer.TrainBatch(data, indices);
        Assert.Equal(0, Allocations.LeastOverWindows(() => trainer.TrainBatch(data, indices)));
    }
}
