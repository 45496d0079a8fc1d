using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Dense against the double reference: forward values, backward by central finite differences of
// L = Σ r ⊙ y, dw and db accumulated, dx overwritten.
public class DenseTests
{
    [Theory]
    [InlineData(nameof(DenseTiny), 1)]
    [InlineData(nameof(DenseOdd), 7)]
    [InlineData(nameof(DenseLeNet), 64)]
    // Batches up to Dense.GemvBatch take the dot-product path: odd widths (In % 8 ≠ 0, Out % 4 ≠ 0),
    // w large enough to be split across threads (LeNet), and the first batch past it.
    [InlineData(nameof(DenseTiny), 4)]
    [InlineData(nameof(DenseOdd), 1)]
    [InlineData(nameof(DenseOdd), 3)]
    [InlineData(nameof(DenseOdd), 4)]
    [InlineData(nameof(DenseOdd), 16)]
    [InlineData(nameof(DenseOdd), 17)]
    [InlineData(nameof(DenseLeNet), 1)]
    [InlineData(nameof(DenseLeNet), 2)]
    public void DenseForward_MatchesDoubleReference(string shape, int n)
    {
        switch (shape)
        {
            case nameof(DenseTiny): CheckForward<DenseTiny>(n); break;
            case nameof(DenseOdd): CheckForward<DenseOdd>(n); break;
            default: CheckForward<DenseLeNet>(n); break;
        }
    }

    [Theory]
    [InlineData(nameof(DenseTiny), 1)]
    [InlineData(nameof(DenseOdd), 7)]
    [InlineData(nameof(DenseLeNet), 9)]
    public void DenseBackward_MatchesFiniteDifferences_AccumulatingDwDbAndOverwritingDx(string shape, int n)
    {
        switch (shape)
        {
            case nameof(DenseTiny): CheckBackward<DenseTiny>(n); break;
            case nameof(DenseOdd): CheckBackward<DenseOdd>(n); break;
            default: CheckBackward<DenseLeNet>(n); break;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    public void DenseForward_WithoutBias_IsThePlainProduct(int n)
    {
        var x = Data.Uniform(n * DenseOdd.In, 1);
        var w = Data.Uniform(DenseOdd.Out * DenseOdd.In, 2);
        var y = Data.Garbage(n * DenseOdd.Out);
        Dense.Forward<DenseOdd>(x, w, [], y, n);
        Data.AssertClose(Reference.Dense(DenseOdd.In, DenseOdd.Out, n, Data.ToDouble(x), Data.ToDouble(w), null), y, what: "y");
    }

    private static void CheckForward<T>(int n) where T : struct, IDenseShape
    {
        var x = Data.Uniform(n * T.In, 1);
        var w = Data.Uniform(T.Out * T.In, 2);
        var b = Data.Uniform(T.Out, 3);
        var y = Data.Garbage(n * T.Out);
        Dense.Forward<T>(x, w, b, y, n);
        Data.AssertClose(Reference.Dense(T.In, T.Out, n, Data.ToDouble(x), Data.ToDouble(w), Data.ToDouble(b)), y, what: "y");
    }

    private static void CheckBackward<T>(int n) where T : struct, IDenseShape
    {
        var x = Data.Uniform(n * T.In, 1);
        var w = Data.Uniform(T.Out * T.In, 2);
        var b = Data.Uniform(T.Out, 3);
        var r = Data.Uniform(n * T.Out, 4);    // L = Σ r ⊙ y, so dy = r
        var dw0 = Data.Uniform(T.Out * T.In, 5);
        var db0 = Data.Uniform(T.Out, 6);
        var dx = Data.Garbage(n * T.In);
        var dw = (float[])dw0.Clone();
        var db = (float[])db0.Clone();
        Dense.Backward<T>(x, w, r, dx, dw, db, n);

        double[] xd = Data.ToDouble(x), wd = Data.ToDouble(w), bd = Data.ToDouble(b), rd = Data.ToDouble(r);
        var xi = Data.SampleIndices(x.Length, 60, 7);
        var wi = Data.SampleIndices(w.Length, 60, 8);
        var bi = Data.SampleIndices(b.Length, 60, 9);
        var gx = Reference.FiniteDifferences(xd, v => Reference.Dense(T.In, T.Out, n, v, wd, bd), rd, xi);
        var gw = Reference.FiniteDifferences(wd, v => Reference.Dense(T.In, T.Out, n, xd, v, bd), rd, wi);
        var gb = Reference.FiniteDifferences(bd, v => Reference.Dense(T.In, T.Out, n, xd, wd, v), rd, bi);
        Data.AssertClose(gx, dx, 1e-4, 1e-4, xi, "dx");
        Data.AssertClose(dw0.Select((v, i) => v + gw[i]).ToArray(), dw, 1e-4, 1e-4, wi, "dw");
        Data.AssertClose(db0.Select((v, i) => v + gb[i]).ToArray(), db, 1e-4, 1e-4, bi, "db");
        Assert.DoesNotContain(dx, float.IsNaN);
    }
}
