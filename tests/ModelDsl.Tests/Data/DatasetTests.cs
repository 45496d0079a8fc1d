namespace ModelDsl.Tests.Data;

public class DatasetTests
{
    private static Dataset Numbered(int count)
    {
        var features = new float[count * 2];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            labels[i] = i % 3;
        }
        return new Dataset(features, labels, Shape.Flat(2), ["x", "y", "z"]);
    }

    [Fact]
    public void Subset_AndTake_CopyTheRange()
    {
        var data = Numbered(10);
        var part = data.Subset(4, 3);
        Assert.Equal(3, part.Count);
        Assert.Equal(new float[] { 4, -4, 5, -5, 6, -6 }, part.Features.ToArray());
        Assert.Equal([1, 2, 0], part.Labels.ToArray());
        Assert.Equal(3, part.ClassCount);
        Assert.Equal(new float[] { 5, -5 }, part.Sample(1).ToArray());
        Assert.Equal(10, data.Take(100).Count);
        Assert.Equal(2, data.Take(2).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Sample(10));
    }

    [Fact]
    public void SelectClasses_KeepsThoseClasses_RelabelledByPosition()
    {
        var data = Numbered(10); // labels 0 1 2 0 1 2 0 1 2 0
        var part = data.SelectClasses(2, 0);
        Assert.Equal([1, 0, 1, 0, 1, 0, 1], part.Labels.ToArray());
        Assert.Equal(new float[] { 0, 2, 3, 5, 6, 8, 9 }, Enumerable.Range(0, part.Count).Select(i => part.Sample(i)[0]));
        Assert.Equal(["z", "x"], part.ClassNames);
        Assert.Equal(2, part.ClassCount);

        Assert.Contains("Class 3 is not one", Assert.Throws<ArgumentException>(() => data.SelectClasses(0, 3)).Message);
        Assert.Contains("Class 1 is named twice", Assert.Throws<ArgumentException>(() => data.SelectClasses(1, 1)).Message);
        Assert.Throws<ArgumentException>(() => data.SelectClasses());
    }

    [Fact]
    public void Constructor_ChecksLengthsAndLabels()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[5], [0, 1], Shape.Flat(2)));
        Assert.Contains("need 4 feature values, but there are 5", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [0, 3], Shape.Flat(2), ["a", "b"]));
        Assert.Contains("sample 1 is 3", e.Message);
        Assert.Throws<ArgumentException>(() => new Dataset(new float[4], [0, -1], Shape.Flat(2)));
        Assert.Equal(8, new Dataset(new float[4], [7, 1], Shape.Flat(2)).ClassCount);
    }

    [Fact]
    public void ComputeMeanStd_IsThePopulationStatistic()
    {
        var (mean, std) = new Dataset([1, 3, 5, 7], [0, 0], Shape.Flat(2)).ComputeMeanStd();
        Assert.Equal(4, mean, 12);
        Assert.Equal(Math.Sqrt(5), std, 12);
    }
}
