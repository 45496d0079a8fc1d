namespace ModelDsl.Reports;

/// <summary>The files <see cref="TrainingReport.Write"/> wrote, as full paths.</summary>
/// <param name="Metrics">The per-epoch metrics, CSV (<see cref="FitResult.WriteCsv"/>).</param>
/// <param name="Curves">Loss and accuracy per epoch, PNG (<see cref="TrainingPlots.SaveCurves"/>).</param>
/// <param name="ConfusionMatrix">The confusion matrix on the evaluation set, PNG (<see cref="TrainingPlots.SaveConfusionMatrix"/>).</param>
/// <param name="Filters">The first-layer filters, PNG (<see cref="TrainingPlots.SaveFilters(Parameter, string)"/>); null when the model has no convolution.</param>
public sealed record TrainingReportFiles(string Metrics, string Curves, string ConfusionMatrix, string? Filters)
{
    /// <summary>Every file written, in the order above.</summary>
    public IReadOnlyList<string> All => Filters is null ? [Metrics, Curves, ConfusionMatrix] : [Metrics, Curves, ConfusionMatrix, Filters];
}

/// <summary>Writes everything about a finished run into one folder.</summary>
public static class TrainingReport
{
    /// <summary>
    /// Writes into <paramref name="folder"/> (created when missing): <c>metrics.csv</c>, <c>curves.png</c>,
    /// <c>confusion-matrix.png</c> (the trainer's predictions on <paramref name="evaluation"/>) and
    /// <c>filters-{layer}.png</c> (the filters of <paramref name="filterLayer"/>, by default the model's first
    /// convolution). Each file is written atomically and replaces any file of that name.
    /// <code>var files = TrainingReport.Write("runs/lenet", result, trainer, test);</code>
    /// </summary>
    /// <param name="folder">Where to write.</param>
    /// <param name="result">The run, from <see cref="Trainer.Fit"/>.</param>
    /// <param name="trainer">The trainer whose model is evaluated and whose filters are drawn.</param>
    /// <param name="evaluation">Labelled samples for the confusion matrix (the test or validation set).</param>
    /// <param name="filterLayer">The convolution whose filters to draw (<c>C1</c> or <c>C1.weight</c>); null: the first one.</param>
    /// <returns>The paths written.</returns>
    /// <exception cref="KeyNotFoundException"><paramref name="filterLayer"/> is not a parameter of the model.</exception>
    /// <exception cref="ArgumentException">The run has no epochs, the data does not fit the model, or <paramref name="filterLayer"/> is not a convolution weight.</exception>
    public static TrainingReportFiles Write(string folder, FitResult result, Trainer trainer, Dataset evaluation, string? filterLayer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (result.Epochs.Count == 0) throw new ArgumentException("The run has no epochs to report.", nameof(result));
        // Check the layer before anything is written, so a bad name leaves the folder as it was.
        var filters = filterLayer is null
            ? TrainingPlots.FirstConvolutionWeight(trainer.Model)
            : TrainingPlots.ConvolutionWeight(trainer.Model, filterLayer);
        var predictions = trainer.Predict(evaluation);
        var matrix = ConfusionMatrix.Create(evaluation, predictions,
            evaluation.ClassNames is null ? trainer.Model.OutputShape.Size : null);

        Directory.CreateDirectory(folder);
        var metrics = Path.GetFullPath(Path.Combine(folder, "metrics.csv"));
        result.WriteCsv(metrics);
        var curves = TrainingPlots.SaveCurves(result, Path.Combine(folder, "curves.png"));
        var confusion = TrainingPlots.SaveConfusionMatrix(matrix, Path.Combine(folder, "confusion-matrix.png"));
        var filterFile = filters is null
            ? null
            : TrainingPlots.SaveFilters(filters, Path.Combine(folder, $"filters-{filters.Name.Replace(".weight", "", StringComparison.Ordinal)}.png"));
        return new TrainingReportFiles(metrics, curves, confusion, filterFile);
    }
}
