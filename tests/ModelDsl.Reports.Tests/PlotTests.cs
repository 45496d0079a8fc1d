using System.Buffers.Binary;
using SkiaSharp;

namespace ModelDsl.Reports.Tests;

public sealed class PlotTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the signature and reads the size from the IHDR chunk, which the format puts first.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>
    /// Rows of the rectangle with a pixel clearly darker than the white background. A line of text spans
    /// many rows; a frame or an axis line one or two: without a usable font, a title band has at most those.
    /// </summary>
    private static int RowsWithInk(SKBitmap bitmap, int left, int top, int right, int bottom)
    {
        var rows = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 3 * 128)
                {
                    rows++;
                    break;
                }
            }
        }
        return rows;
    }

    private static FitResult Run(bool validation, int? best = null)
    {
        var epochs = Enumerable.Range(1, 5).Select(e => new EpochReport(e, 1.0 / e, 0.5 + 0.08 * e,
            validation ? 1.2 / e : null, validation ? 0.45 + 0.08 * e : null, 1000, TimeSpan.FromSeconds(2))).ToArray();
        return new FitResult(epochs) { BestEpoch = best };
    }

    [Fact]
    public void Curves_AreAPngOfTheAskedSize_WithTitlesDrawn()
    {
        using var folder = new TestData.TempFolder();
        var path = TrainingPlots.SaveCurves(Run(validation: true, best: 4), folder.File("curves.png"), 900, 400);
        Assert.Equal(Path.GetFullPath(folder.File("curves.png")), path);
        Assert.Equal((900, 400), PngSize(path));
        using var bitmap = SKBitmap.Decode(path);
        // The panel titles ("Loss", "Accuracy") sit centred in the top band of each half; without a usable font
        // the band would hold at most the frame's top line.
        Assert.True(RowsWithInk(bitmap, 180, 0, 270, 30) >= 6, "no title text in the loss panel");
        Assert.True(RowsWithInk(bitmap, 630, 0, 720, 30) >= 6, "no title text in the accuracy panel");
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public void Curves_WithoutValidation_OrWithOneEpoch_StillRender()
    {
        using var folder = new TestData.TempFolder();
        Assert.Equal((1200, 480), PngSize(TrainingPlots.SaveCurves(Run(validation: false), folder.File("a.png"))));
        var one = new FitResult([new EpochReport(1, 0.7, 0.6, 0.8, 0.55, 100, TimeSpan.FromSeconds(1))]);
        Assert.Equal((1200, 480), PngSize(TrainingPlots.SaveCurves(one, folder.File("b.png"))));
    }

    [Fact]
    public void Curves_OfARunWithNoEpochs_AreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingPlots.SaveCurves(new FitResult([]), "unused.png"));
        Assert.Contains("no epochs", error.Message);
    }

    [Fact]
    public void ConfusionMatrix_IsASquarePlotWithAColorBar_AndReplacesAnOldFileWhole()
    {
        using var folder = new TestData.TempFolder();
        Directory.CreateDirectory(folder.Path);
        var target = folder.File("confusion.png");
        File.WriteAllText(target, new string('x', 1_000_000)); // longer than the PNG: a partial overwrite would leave a tail
        var matrix = ConfusionMatrix.Create([0, 1, 2, 2, 1], [0, 1, 2, 1, 1], TestData.ClassNames);
        var path = TrainingPlots.SaveConfusionMatrix(matrix, target, size: 500);
        Assert.Equal((590, 500), PngSize(path)); // the color bar adds 90 pixels
        Assert.True(new FileInfo(path).Length < 1_000_000);
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(RowsWithInk(bitmap, 200, 0, 330, 35) >= 6, "no title text"); // the middle column of the top row is empty (white)
        Assert.Equal(new[] { "confusion.png" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Filters_ShowTheGridPixelForPixel_UnderATitle()
    {
        using var folder = new TestData.TempFolder();
        var net = new TinyConvNet(seed: 1);
        var weight = net.GetParameter("C1.weight");
        weight.Values[..9].Fill(1);     // filter 0: all +1, white
        weight.Values[9..18].Fill(-1);  // filter 1: all −1, black
        var path = TrainingPlots.SaveFilters(net, "C1", folder.File("filters.png"));

        var figure = FilterFigure.Create(weight);
        var grid = FilterGrid.Build(weight, FilterFigure.Scale(weight), FilterFigure.Padding(weight));
        Assert.Equal((figure.Width, FilterFigure.TitleHeight + grid.Height + 12), PngSize(path));
        using var bitmap = SKBitmap.Decode(path);
        var layout = FilterGrid.Layout(4, 1, 3, 3, FilterFigure.Scale(weight), FilterFigure.Padding(weight));
        Assert.True(layout.CellWidth >= FilterFigure.MinimumCell);
        SKColor At(int x, int y) => bitmap.GetPixel(figure.GridLeft + x, FilterFigure.TitleHeight + y);
        var (x0, y0) = layout.CellOrigin(0, 0);
        var (x1, y1) = layout.CellOrigin(0, 1);
        for (var d = 0; d < layout.CellWidth; d += 5)
        {
            Assert.Equal(SKColors.White, At(x0 + d, y0 + d));
            Assert.Equal(SKColors.Black, At(x1 + d, y1 + d));
        }
        var (r, g, b) = FilterGrid.PaddingColor;
        Assert.Equal(new SKColor(r, g, b), At(x1 - 1, y1));
        // Every grid pixel as built, and the title drawn above.
        for (var y = 0; y < grid.Height; y++)
            for (var x = 0; x < grid.Width; x++)
                Assert.Equal(grid[x, y], (At(x, y).Red, At(x, y).Green, At(x, y).Blue));
        Assert.True(RowsWithInk(bitmap, 0, 0, figure.Width, FilterFigure.TitleHeight) >= 6, "no title text");
    }

    [Fact]
    public void Filters_OfManyChannels_AreARowPerFilter_ScaledDownToFit()
    {
        using var folder = new TestData.TempFolder();
        var weight = new WideConvNet(seed: 1).GetParameter("C2.weight"); // (64, 16, 3, 3): 64 rows of 16 cells
        var path = TrainingPlots.SaveFilters(weight, folder.File("c2.png"));
        var scale = FilterFigure.Scale(weight);
        var layout = FilterGrid.Layout(64, 16, 3, 3, scale, FilterFigure.Padding(weight));
        Assert.True(layout.PerChannel);
        Assert.Equal((16, 64), (layout.Columns, layout.Rows));
        Assert.True(layout.Height <= FilterFigure.MaximumSide, $"grid {layout.Height} pixels high");
        Assert.True(FilterGrid.Layout(64, 16, 3, 3, scale + 1, FilterFigure.Padding(weight)).Height > FilterFigure.MaximumSide,
            "the scale is lowered no more than needed");
        Assert.Equal(FilterFigure.TitleHeight + layout.Height + 12, PngSize(path).Height);
    }

    [Fact]
    public void Filters_OfAnUnknownLayer_ListTheConvolutions()
    {
        var net = new TinyConvNet(seed: 1);
        var error = Assert.Throws<KeyNotFoundException>(() => TrainingPlots.SaveFilters(net, "Conv9", "unused.png"));
        Assert.Contains("TinyConvNet has no parameter 'Conv9.weight'", error.Message);
        Assert.Contains("convolution weights are: C1.weight", error.Message);
    }

    [Fact]
    public void Filters_OfALayerThatIsNotAConvolution_SayWhy()
    {
        var net = new TinyConvNet(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => TrainingPlots.SaveFilters(net, "F", "unused.png"));
        Assert.Contains("'F.weight' has shape (3, 64), not that of a convolution weight", error.Message);
        Assert.Contains("convolution weights are: C1.weight", error.Message);
        Assert.Throws<ArgumentException>(() => TrainingPlots.SaveFilters(net, "C1.bias", "unused.png"));
    }

    [Fact]
    public void TheEmbeddedFont_IsWhatPlotsDrawWith()
    {
        Assert.Equal("DejaVu Sans", ReportFonts.Regular.FamilyName);
        Assert.True(ReportFonts.Bold.IsBold);
        ReportFonts.Register();
        Assert.Same(ReportFonts.Regular, ScottPlot.Fonts.GetTypeface(ReportFonts.Family, bold: false, italic: false));
        using var font = new SKFont(ReportFonts.Regular, 12);
        Assert.Equal(3, font.GetGlyphs("Acc").Count(g => g != 0)); // glyphs present, not the missing-glyph box
    }
}
