namespace ModelDsl.Reports.Tests;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void Count_MatchesAHandCountedMatrix()
    {
        int[] actual = [0, 0, 1, 2, 2, 2, 1, 0, 2];
        int[] predicted = [0, 1, 1, 2, 0, 2, 1, 0, 1];
        // Rows actual, columns predicted, counted by hand from the pairs above.
        int[,] expected =
        {
            { 2, 1, 0 },
            { 0, 2, 0 },
            { 1, 1, 2 },
        };
        Assert.Equal(expected, ConfusionMatrix.Count(actual, predicted, 3));
    }

    [Fact]
    public void Create_FromADataset_NamesTheClasses_AndGivesTheAccuracy()
    {
        var data = TestData.Samples(6); // labels 0, 1, 2, 0, 1, 2
        var matrix = ConfusionMatrix.Create(data, [0, 1, 1, 0, 2, 2]);
        Assert.Equal(TestData.ClassNames, matrix.ClassNames);
        Assert.Equal(6, matrix.Total);
        Assert.Equal(4 / 6.0, matrix.Accuracy, 12); // samples 2 (2 → 1) and 4 (1 → 2) are wrong
        Assert.Equal(1, matrix.Counts[2, 1]);
        Assert.Equal(1, matrix.Counts[1, 2]);
        Assert.Equal(2, matrix.Counts[0, 0]);
    }

    [Fact]
    public void Create_WithoutClassNames_NamesClassesByNumber()
    {
        var matrix = ConfusionMatrix.Create(new Dataset(new float[4], [0, 1], Shape.Flat(2)), [1, 1], classes: 3);
        Assert.Equal(["0", "1", "2"], matrix.ClassNames);
    }

    [Fact]
    public void MismatchedLengths_AreReportedWithBothCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Count([0, 1, 2], [0, 1], 3));
        Assert.Contains("3 actual labels but 2 predictions", error.Message);
    }

    [Fact]
    public void ALabelOutOfRange_IsReportedWithItsSampleAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Count([0, 1, 3], [0, 1, 2], 3));
        Assert.Equal("actual", error.ParamName);
        Assert.Contains("The actual label of sample 2 is 3; with 3 classes it must be in [0, 3)", error.Message);

        error = Assert.Throws<ArgumentException>(() => ConfusionMatrix.Count([0, 1, 2], [0, -1, 2], 3));
        Assert.Equal("predicted", error.ParamName);
        Assert.Contains("The prediction of sample 1 is -1", error.Message);
    }
}
