using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace ModelDsl.Reports;

/// <summary>
/// PNG plots of a training run: loss and accuracy curves, a confusion matrix, the learned filters of a
/// convolution. Each method writes its file atomically (a temporary file renamed over the target), creates
/// the folder when needed and returns the full path. Text uses an embedded font, so the plots look the same
/// on machines without system fonts.
/// </summary>
public static class TrainingPlots
{
    private static readonly Color TrainColor = Color.FromHex("#1f77b4");
    private static readonly Color ValidationColor = Color.FromHex("#ff7f0e");
    private static readonly Color BestColor = Color.FromHex("#2ca02c");

    /// <summary>
    /// Writes two panels side by side: the loss and the accuracy (in %) per epoch, for the training set and,
    /// when the run had one, the validation set; with early stopping, the best epoch is marked.
    /// </summary>
    /// <param name="result">The run, from <see cref="Trainer.Fit"/>; at least one epoch.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Image width in pixels (both panels).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentException">The run has no epochs, or the size is below 200×150.</exception>
    public static string SaveCurves(FitResult result, string path, int width = 1200, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (result.Epochs.Count == 0) throw new ArgumentException("The run has no epochs to plot.", nameof(result));
        CheckSize(width, height, 200, 150);

        var epochs = result.Epochs.Select(e => (double)e.Epoch).ToArray();
        var validated = result.Epochs.Where(e => e.ValidationLoss is not null && e.ValidationAccuracy is not null).ToArray();
        var validationEpochs = validated.Select(e => (double)e.Epoch).ToArray();

        var loss = NewPlot("Loss", "epoch", "loss (mean per sample)");
        AddSeries(loss, epochs, result.Epochs.Select(e => e.TrainLoss).ToArray(), "train", TrainColor);
        if (validated.Length > 0)
            AddSeries(loss, validationEpochs, validated.Select(e => e.ValidationLoss!.Value).ToArray(), "validation", ValidationColor);

        var accuracy = NewPlot("Accuracy", "epoch", "accuracy (%)");
        AddSeries(accuracy, epochs, result.Epochs.Select(e => 100 * e.TrainAccuracy).ToArray(), "train", TrainColor);
        if (validated.Length > 0)
            AddSeries(accuracy, validationEpochs, validated.Select(e => 100 * e.ValidationAccuracy!.Value).ToArray(), "validation", ValidationColor);

        foreach (var plot in new[] { loss, accuracy })
        {
            if (result.BestEpoch is { } best)
            {
                var line = plot.Add.VerticalLine(best, 1.5f, BestColor, LinePattern.Dashed);
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"best epoch ({best})");
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            // A little room at both ends, so a marked first or last epoch is not hidden by the frame.
            var span = Math.Max(epochs[^1] - epochs[0], 1);
            plot.Axes.SetLimitsX(epochs[0] - 0.04 * span, epochs[^1] + 0.04 * span);
        }
        loss.ShowLegend(Alignment.UpperRight);
        accuracy.ShowLegend(Alignment.LowerRight);

        // Each panel is rendered on its own surface: a ScottPlot render clears the whole canvas it is given.
        var half = width / 2;
        return WritePng(path, width, height, canvas =>
        {
            DrawPanel(canvas, loss, 0, half, height);
            DrawPanel(canvas, accuracy, half, width - half, height);
        });
    }

    /// <summary>
    /// Writes a confusion matrix: rows are actual classes (top to bottom in label order), columns predicted
    /// ones, each cell showing its count and colored by the fraction of its row (so each class reads the same
    /// whatever its size); the title gives the accuracy and the number of samples.
    /// </summary>
    /// <param name="matrix">The counts, for example <see cref="ConfusionMatrix.Create(Dataset, ReadOnlySpan{int}, int?)"/>.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="size">Width and height in pixels; default: enough for the number of classes.</param>
    /// <returns>The full path written.</returns>
    public static string SaveConfusionMatrix(ConfusionMatrix matrix, string path, int? size = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var n = matrix.ClassCount;
        var side = size ?? Math.Max(480, 260 + 58 * n);
        CheckSize(side, side, 200, 200);

        var fractions = new double[n, n];
        for (var a = 0; a < n; a++)
        {
            long row = 0;
            for (var p = 0; p < n; p++) row += matrix.Counts[a, p];
            for (var p = 0; p < n; p++) fractions[a, p] = row == 0 ? 0 : (double)matrix.Counts[a, p] / row;
        }

        var plot = NewPlot(
            string.Create(CultureInfo.InvariantCulture, $"Confusion matrix: accuracy {matrix.Accuracy:P2} of {matrix.Total:N0}"),
            "predicted class", "actual class");
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // white for none, dark blue for all
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Cells are centred on whole coordinates, row 0 of the array at the top (y = n − 1): actual class 0 is the first row, as in a table.
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "fraction of the actual class";
        bar.LabelStyle.FontName = ReportFonts.Family;
        bar.Axis.TickLabelStyle.FontName = ReportFonts.Family;
        bar.Axis.SetTicks([0, 0.25, 0.5, 0.75, 1], ["0 %", "25 %", "50 %", "75 %", "100 %"]);

        var fontSize = n <= 12 ? 14f : n <= 20 ? 11f : 8f;
        for (var a = 0; a < n; a++)
        {
            for (var p = 0; p < n; p++)
            {
                var text = plot.Add.Text(matrix.Counts[a, p].ToString("N0", CultureInfo.InvariantCulture), p, n - 1 - a);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontName = ReportFonts.Family;
                text.LabelFontColor = fractions[a, p] > 0.5 ? Colors.White : Color.FromHex("#202020");
            }
        }

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var names = matrix.ClassNames.ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions.Select(y => n - 1 - y).ToArray(), names);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.MinimumSize = 20 + 5 * names.Max(s => s.Length);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();

        return WritePng(path, side + 90, side, canvas => plot.Render(canvas, new PixelRect(0, side + 90, side, 0)));
    }

    /// <summary>
    /// Writes the filters of the convolution <paramref name="layer"/> of <paramref name="model"/> as an image grid
    /// (see <see cref="FilterGrid"/>), scaled up so each cell is at least 56 pixels across, under a title.
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="layer">A convolution layer (<c>C1</c>) or its weight (<c>C1.weight</c>).</param>
    /// <param name="path">The PNG file to write.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="KeyNotFoundException">The model has no such layer; the message lists its convolution weights.</exception>
    /// <exception cref="ArgumentException">The layer's weight is not a convolution weight (K, C, F, F).</exception>
    public static string SaveFilters(Model model, string layer, string path) => SaveFilters(ConvolutionWeight(model, layer), path);

    /// <summary>Writes the filters of the (K, C, F, F) weight <paramref name="weight"/>; see <see cref="SaveFilters(Model, string, string)"/>.</summary>
    public static string SaveFilters(Parameter weight, string path)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var figure = FilterFigure.Create(weight);
        return WritePng(path, figure.Width, figure.Height, figure.Draw);
    }

    /// <summary>
    /// The (K, C, F, F) weight of convolution <paramref name="layer"/> (<c>C1</c> or <c>C1.weight</c>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists the model's convolution weights.</exception>
    /// <exception cref="ArgumentException">The parameter does not have four dimensions.</exception>
    public static Parameter ConvolutionWeight(Model model, string layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        var name = layer.Contains('.', StringComparison.Ordinal) ? layer : layer + ".weight";
        var weight = model.ParameterList.FirstOrDefault(p => p.Name == name);
        if (weight is null)
            throw new KeyNotFoundException(
                $"{model.GetType().Name} has no parameter '{name}'. Its convolution weights are: {ConvolutionNames(model)}.");
        if (weight.Dimensions.Count != 4)
            throw new ArgumentException(
                $"'{weight.Name}' has shape ({string.Join(", ", weight.Dimensions)}), not that of a convolution weight (filters, channels, height, width). " +
                $"{model.GetType().Name}'s convolution weights are: {ConvolutionNames(model)}.",
                nameof(layer));
        return weight;
    }

    /// <summary>The first convolution weight (four dimensions) of <paramref name="model"/>, or null when it has none.</summary>
    public static Parameter? FirstConvolutionWeight(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ParameterList.FirstOrDefault(p => p.Dimensions.Count == 4 && p.Name.EndsWith(".weight", StringComparison.Ordinal));
    }

    private static string ConvolutionNames(Model model)
    {
        var names = model.ParameterList.Where(p => p.Dimensions.Count == 4).Select(p => p.Name).ToArray();
        return names.Length == 0 ? "none" : string.Join(", ", names);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        ReportFonts.Apply(plot);
        plot.Title(title, 16);
        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        plot.Axes.Title.Label.FontName = ReportFonts.Family;
        return plot;
    }

    private static void DrawPanel(SKCanvas canvas, Plot plot, int left, int width, int height)
    {
        using var surface = NewSurface(width, height);
        plot.Render(surface);
        using var image = surface.Snapshot();
        canvas.DrawImage(image, left, 0);
    }

    private static void AddSeries(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = xs.Length <= 60 ? 6 : 0;
    }

    private static void CheckSize(int width, int height, int minWidth, int minHeight)
    {
        if (width < minWidth || height < minHeight)
            throw new ArgumentOutOfRangeException(nameof(width),
                string.Create(CultureInfo.InvariantCulture, $"The image is {width}×{height} pixels; it must be at least {minWidth}×{minHeight}."));
    }

    private static SKSurface NewSurface(int width, int height) =>
        SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
        ?? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Skia could not make a {width}×{height} surface."));

    internal static string WritePng(string path, int width, int height, Action<SKCanvas> draw)
    {
        using var surface = NewSurface(width, height);
        surface.Canvas.Clear(SKColors.White);
        draw(surface.Canvas);
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return AtomicFile.WriteAllBytes(path, png.AsSpan());
    }
}
