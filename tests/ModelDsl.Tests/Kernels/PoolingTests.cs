using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// Max and average pooling against the double reference, and their backward passes by central
// finite differences (inputs are distinct with gaps ≥ 0.01, so a step of 1e-3 never changes a
// window's winner).
public class PoolingTests
{
    public static TheoryData<string, int> Shapes => new()
    {
        { nameof(Pool2x2), 1 },
        { nameof(Pool2x2), 7 },
        { nameof(PoolOverlapping), 7 },
        { nameof(PoolAsymmetric), 7 },
        { nameof(PoolLeNet1), 2 },
        { nameof(Pool2x2Wide), 1 },
        { nameof(Pool2x2Wide), 3 },
    };

    private interface IPoolCheck { void Run<T>(int n) where T : struct, IPool2DShape; }

    private static void Dispatch(string shape, IPoolCheck check, int n)
    {
        switch (shape)
        {
            case nameof(Pool2x2): check.Run<Pool2x2>(n); break;
            case nameof(PoolOverlapping): check.Run<PoolOverlapping>(n); break;
            case nameof(PoolAsymmetric): check.Run<PoolAsymmetric>(n); break;
            case nameof(PoolLeNet1): check.Run<PoolLeNet1>(n); break;
            case nameof(Pool2x2Wide): check.Run<Pool2x2Wide>(n); break;
            default: throw new ArgumentException(shape);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxPool_MatchesReference_AndArgmaxPointsAtTheWinner(string shape, int n) => Dispatch(shape, new MaxCheck(), n);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AvgPool_MatchesReferenceAndFiniteDifferences_CountingPaddingAsZeros(string shape, int n) => Dispatch(shape, new AvgCheck(), n);

    [Fact]
    public void MaxPoolForward_NeverPicksPadding_EvenWhenEveryInputIsNegative()
    {
        var d = PoolDims.Of<PoolOverlapping>();
        var x = Enumerable.Range(0, d.InputSize).Select(i => -1f - i).ToArray();
        var y = new float[d.OutputSize];
        var argmax = new int[d.OutputSize];
        MaxPool2D.Forward<PoolOverlapping>(x, y, argmax, 1);
        Assert.All(y, v => Assert.True(v < 0));
        Data.AssertClose(Reference.MaxPool(d, 1, Data.ToDouble(x)), y, what: "y");
    }

    [Fact]
    public void MaxPoolForward_PropagatesNaN()
    {
        var x = new float[Pool2x2.C * Pool2x2.H * Pool2x2.W];
        x[Pool2x2.W + 1] = float.NaN;   // inside window (0, 0)
        var y = new float[Pool2x2.C * Pool2x2.OH * Pool2x2.OW];
        MaxPool2D.Forward<Pool2x2>(x, y, new int[y.Length], 1);
        Assert.True(float.IsNaN(y[0]));
        Assert.False(float.IsNaN(y[1]));
    }

    [Fact]
    public void MaxPool2x2_TiesAndNaNs_KeepTheFirstCellInWindowOrder_InEveryColumn()
    {
        // Equal cells: the top-left wins. A NaN anywhere wins over numbers, and a NaN found first stays.
        var plane = Pool2x2Wide.H * Pool2x2Wide.W;
        var x = new float[plane];
        Array.Fill(x, 1f);
        int Cell(int oh, int ow, int dh, int dw) => (2 * oh + dh) * Pool2x2Wide.W + 2 * ow + dw;
        x[Cell(0, 3, 1, 1)] = float.NaN;    // bottom-right of window (0, 3), in the first eight
        x[Cell(1, 6, 0, 0)] = float.NaN;    // top-left of (1, 6), then a larger number
        x[Cell(1, 6, 1, 0)] = 5f;
        x[Cell(2, 12, 0, 1)] = float.NaN;   // top-right of (2, 12), the last window
        x[Cell(0, 10, 0, 1)] = float.NaN;   // top-right of (0, 10), among the four after the eight
        x[Cell(2, 9, 1, 0)] = 2f;           // bottom-left of (2, 9) beats the other three
        var outputs = Pool2x2Wide.OH * Pool2x2Wide.OW;
        var y = new float[Pool2x2Wide.C * outputs];
        var argmax = new int[y.Length];
        MaxPool2D.Forward<Pool2x2Wide>(x.Concat(x).ToArray(), y, argmax, 1);   // both planes alike
        for (var c = 0; c < Pool2x2Wide.C; c++)
        for (var oh = 0; oh < Pool2x2Wide.OH; oh++)
            for (var ow = 0; ow < Pool2x2Wide.OW; ow++)
            {
                var o = c * outputs + oh * Pool2x2Wide.OW + ow;
                var expected = (oh, ow) switch
                {
                    (0, 3) => Cell(0, 3, 1, 1),
                    (1, 6) => Cell(1, 6, 0, 0),
                    (2, 12) => Cell(2, 12, 0, 1),
                    (0, 10) => Cell(0, 10, 0, 1),
                    (2, 9) => Cell(2, 9, 1, 0),
                    _ => Cell(oh, ow, 0, 0),
                };
                Assert.Equal(expected, argmax[o]);
                Assert.Equal(x[expected], y[o]);
            }
    }

    private sealed class MaxCheck : IPoolCheck
    {
        public void Run<T>(int n) where T : struct, IPool2DShape
        {
            var d = PoolDims.Of<T>();
            var x = Data.Distinct(n * d.InputSize, 1);
            var y = Data.Garbage(n * d.OutputSize);
            var argmax = new int[n * d.OutputSize];
            MaxPool2D.Forward<T>(x, y, argmax, n);
            var xd = Data.ToDouble(x);
            Data.AssertClose(Reference.MaxPool(d, n, xd), y, what: "y");
            for (var o = 0; o < y.Length; o++)
                Assert.Equal(y[o], x[o / (d.OH * d.OW) * d.H * d.W + argmax[o]]);

            var r = Data.Uniform(n * d.OutputSize, 2);
            var dx = Data.Garbage(n * d.InputSize);
            MaxPool2D.Backward<T>(r, argmax, dx, n);
            var xi = Data.SampleIndices(x.Length, 300, 3);
            var gx = Reference.FiniteDifferences(xd, v => Reference.MaxPool(d, n, v), Data.ToDouble(r), xi);
            Data.AssertClose(gx, dx, 1e-4, 1e-4, xi, "dx");
        }
    }

    private sealed class AvgCheck : IPoolCheck
    {
        public void Run<T>(int n) where T : struct, IPool2DShape
        {
            var d = PoolDims.Of<T>();
            var x = Data.Uniform(n * d.InputSize, 1);
            var y = Data.Garbage(n * d.OutputSize);
            AvgPool2D.Forward<T>(x, y, n);
            var xd = Data.ToDouble(x);
            Data.AssertClose(Reference.AvgPool(d, n, xd), y, what: "y");

            var r = Data.Uniform(n * d.OutputSize, 2);
            var dx = Data.Garbage(n * d.InputSize);
            AvgPool2D.Backward<T>(r, dx, n);
            var xi = Data.SampleIndices(x.Length, 300, 3);
            var gx = Reference.FiniteDifferences(xd, v => Reference.AvgPool(d, n, v), Data.ToDouble(r), xi);
            Data.AssertClose(gx, dx, 1e-4, 1e-4, xi, "dx");
        }
    }
}
