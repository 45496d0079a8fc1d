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
