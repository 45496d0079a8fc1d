namespace ModelDsl.Reports.Tests;

public sealed class FilterGridTests
{
    private static readonly (byte, byte, byte) White = (255, 255, 255);
    private static readonly (byte, byte, byte) Black = (0, 0, 0);
    private static (byte, byte, byte) Gray(byte v) => (v, v, v);

    [Fact]
    public void GrayFilters_AreMinMaxNormalized_AndLaidOutRowByRow_WithPadding()
    {
        // Three 2×2 filters: all +1, all −1, and 0 1 / 2 3. Scale 2, padding 1: cells 4×4 in ⌈√3⌉ = 2 columns, 2 rows.
        float[] weights = [1, 1, 1, 1, -1, -1, -1, -1, 0, 1, 2, 3];
        var image = FilterGrid.Build(weights, filters: 3, channels: 1, height: 2, width: 2, scale: 2, padding: 1);

        Assert.Equal(1 + 2 * (4 + 1), image.Width);
        Assert.Equal(1 + 2 * (4 + 1), image.Height);
        // Filter 0 (row 0, column 0) spans x, y in 1..4; filter 1 (row 0, column 1) x in 6..9; filter 2 (row 1, column 0) y in 6..9.
        for (var y = 1; y <= 4; y++)
        {
            for (var x = 1; x <= 4; x++)
            {
                Assert.Equal(White, image[x, y]);
                Assert.Equal(Black, image[x + 5, y]);
            }
        }
        // Filter 2: min 0 → 0, 1 → 85, 2 → 170, max 3 → 255, each weight a 2×2 block.
        Assert.Equal(Gray(0), image[1, 6]);
        Assert.Equal(Gray(0), image[2, 7]);
        Assert.Equal(Gray(85), image[3, 6]);
        Assert.Equal(Gray(85), image[4, 7]);
        Assert.Equal(Gray(170), image[1, 8]);
        Assert.Equal(Gray(255), image[4, 9]);
        // Padding: the border, between the columns, between the rows, and the empty fourth cell.
        var padding = FilterGrid.PaddingColor;
        foreach (var (x, y) in new[] { (0, 0), (10, 10), (5, 2), (2, 5), (0, 7), (7, 7), (9, 9) })
            Assert.Equal(padding, image[x, y]);
    }

    [Fact]
    public void ThreeChannelFilters_AreColor_NormalizedOverAllTheirChannels()
    {
        // One 1×1 filter per case: red high, green and blue low; then a ramp 0, 0.5, 1 over the channels.
        var red = FilterGrid.Build([1f, -1f, -1f], 1, 3, 1, 1, scale: 1, padding: 0);
        Assert.Equal(((byte)255, (byte)0, (byte)0), red[0, 0]);
        var ramp = FilterGrid.Build([0f, 0.5f, 1f], 1, 3, 1, 1, scale: 1, padding: 0);
        Assert.Equal(((byte)0, (byte)128, (byte)255), ramp[0, 0]);
    }

    [Fact]
    public void OtherChannelCounts_GiveARowPerFilter_AndAColumnPerChannel()
    {
        // Two filters of two 1×1 channels: (0, 4) and (−2, −2).
        var image = FilterGrid.Build([0f, 4f, -2f, -2f], filters: 2, channels: 2, height: 1, width: 1, scale: 1, padding: 1);
        var layout = FilterGrid.Layout(2, 2, 1, 1, 1, 1);
        Assert.True(layout.PerChannel);
        Assert.Equal((5, 5), (image.Width, image.Height));
        Assert.Equal(Black, image[1, 1]);  // filter 0, channel 0: its minimum
        Assert.Equal(White, image[3, 1]);  // filter 0, channel 1: its maximum
        Assert.Equal(Black, image[1, 3]);  // filter 1 is constant and negative
        Assert.Equal(Black, image[3, 3]);
        Assert.Equal(FilterGrid.PaddingColor, image[2, 1]);
    }

    [Fact]
    public void AZeroFilter_IsMiddleGray()
    {
        Assert.Equal(Gray(128), FilterGrid.Build([0f, 0f, 0f, 0f], 1, 1, 2, 2, 1, 0)[1, 1]);
    }

    [Fact]
    public void TheWeightsOfAModelParameter_AreUsedInPyTorchOrder()
    {
        var net = new TinyConvNet(seed: 1);
        var weight = net.GetParameter("C1.weight"); // (4, 1, 3, 3)
        var values = weight.Values;
        for (var i = 0; i < values.Length; i++) values[i] = i % 9; // every filter: 0..8 row by row
        var image = FilterGrid.Build(weight, scale: 1, padding: 0);
        Assert.Equal((6, 6), (image.Width, image.Height)); // 2×2 cells of 3×3
        Assert.Equal(Gray(0), image[3, 3]);   // filter 3 at (3, 3): its first weight
        Assert.Equal(Gray(255), image[2, 2]); // filter 0's last weight
        Assert.Equal(Gray((byte)Math.Round(255 * 5 / 8.0)), image[5, 4]); // filter 3, row 1, column 2: weight 5
    }

    [Fact]
    public void BadInput_IsReportedClearly()
    {
        var count = Assert.Throws<ArgumentException>(() => FilterGrid.Build(new float[7], 2, 1, 2, 2));
        Assert.Contains("2 filters of 1×2×2 need 8 weights, but there are 7", count.Message);

        var nan = Assert.Throws<ArgumentException>(() => FilterGrid.Build([0f, 1f, 2f, 3f, 0f, float.NaN, 0f, 0f], 2, 1, 2, 2));
        Assert.Contains("Weight 1 of filter 1 is NaN", nan.Message);

        var net = new TinyConvNet(seed: 1);
        var dense = Assert.Throws<ArgumentException>(() => FilterGrid.Build(net.GetParameter("F.weight")));
        Assert.Contains("'F.weight' has shape (3, 64), not that of a convolution weight", dense.Message);
    }
}
