using System.Runtime.Intrinsics;
using ModelDsl.Kernels;

namespace ModelDsl.Tests.Kernels;

// The internal SGEMM against a double triple loop, for every transpose, both write modes, every
// micro-kernel vector width, and sizes that are not multiples of the tile or block sizes.
public unsafe class SgemmTests
{
    public static TheoryData<int, int, int, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (5, 7, 3), (13, 33, 17), (300, 257, 513) })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    data.Add(m, n, k, ta, tb, m * n % 2 == 0);
        data.Add(7, 9, 0, false, false, false);   // empty sum: C = 0
        data.Add(7, 9, 0, false, false, true);    // empty sum: C unchanged
        data.Add(130, 1100, 300, false, false, true);   // more than one block along M, N and K
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_MatchesDoubleReference_ForEveryTransposeAndWriteMode(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        var a = Data.Uniform(m * k, 1);   // (M, K), or (K, M) when transA
        var b = Data.Uniform(k * n, 2);   // (K, N), or (N, K) when transB
        var c0 = Data.Uniform(m * n, 3);  // (M, N)
        var expected = Reference(m, n, k, transA, transB, a, b, accumulate ? c0 : null);
        var c = accumulate ? (float[])c0.Clone() : Data.Garbage(m * n);
        fixed (float* pa = a, pb = b, pc = c)
            Sgemm.Multiply(transA, transB, m, n, k, pa, transA ? m : k, pb, transB ? k : n, pc, n, accumulate);
        Data.AssertClose(expected, c, what: "C");
    }

    [Fact]
    public void Multiply_GivesBitwiseEqualResults_ForEveryVectorWidthAndThreadSplit()
    {
        const int m = 300, n = 257, k = 513;
        var a = Data.Uniform(m * k, 1);
        var b = Data.Uniform(k * n, 2);
        float[] Run(int width, bool parallel)
        {
            var c = new float[m * n];
            fixed (float* pa = a, pb = b, pc = c)
            {
                if (width == 16) Sgemm.Multiply<Vector512<float>, V512>(false, true, m, n, k, pa, k, pb, k, pc, n, false, parallel);
                else if (width == 8) Sgemm.Multiply<Vector256<float>, V256>(false, true, m, n, k, pa, k, pb, k, pc, n, false, parallel);
                else Sgemm.Multiply<Vector128<float>, V128>(false, true, m, n, k, pa, k, pb, k, pc, n, false, parallel);
            }
            return c;
        }
        var serial = Run(16, parallel: false);
        Data.AssertClose(Reference(m, n, k, false, true, a, b, null), serial, what: "C");
        Assert.Equal(serial, Run(16, parallel: true));
        Assert.Equal(serial, Run(16, parallel: true));
        Assert.Equal(serial, Run(8, parallel: true));
        Assert.Equal(serial, Run(4, parallel: false));
    }

    [Theory]
    [InlineData(300, 40, 513, false)]    // threaded, split into row strips
    [InlineData(300, 257, 513, true)]    // threaded, split into column strips
    [InlineData(20, 25, 7, false)]       // one edge tile
    public void Multiply_WithAPackedAheadOfTime_MatchesUnpackedBitwise(int m, int n, int k, bool transA)
    {
        var a = Data.Uniform(m * k, 1);
        var b = Data.Uniform(k * n, 2);
        var plain = new float[m * n];
        var packed = new float[m * n];
        var packedA = new float[Sgemm.PackedASize(m, k)];
        fixed (float* pa = a, pb = b, pc = plain, pp = packed, ppa = packedA)
        {
            var lda = transA ? m : k;
            Sgemm.Multiply(transA, false, m, n, k, pa, lda, pb, n, pc, n, accumulate: false);
            Sgemm.PackAll(transA, m, k, pa, lda, ppa);
            Sgemm.Multiply(transA, false, m, n, k, null, lda, pb, n, pp, n, accumulate: false, packedA: ppa);
        }
        Data.AssertClose(Reference(m, n, k, transA, false, a, b, null), plain, what: "C");
        Assert.Equal(plain, packed);
    }

    [Theory]
    [InlineData(1, 37, 70, false, false)]
    [InlineData(3, 37, 70, true, true)]
    [InlineData(4, 129, 33, false, true)]
    [InlineData(2, 3000, 701, true, false)]   // threaded: split by columns of C
    [InlineData(1, 1001, 4099, false, true)]  // threaded
    [InlineData(4, 64, 9000, true, true)]     // threaded, few columns
    public void Multiply_WithAFewRows_MatchesDoubleReference_AndIsTheSameSerialOrThreaded(int m, int n, int k, bool transB, bool accumulate)
    {
        Assert.True(m <= Sgemm.SmallRows);
        var a = Data.Uniform(m * k, 1);
        var b = Data.Uniform(k * n, 2);
        var c0 = Data.Uniform(m * n, 3);
        float[] Run(bool parallel, int width)
        {
            var c = accumulate ? (float[])c0.Clone() : Data.Garbage(m * n);
            Sgemm.ForceWidth(width);
            try
            {
                fixed (float* pa = a, pb = b, pc = c)
                    Sgemm.Multiply(false, transB, m, n, k, pa, k, pb, transB ? k : n, pc, n, accumulate, parallel);
            }
            finally { Sgemm.ForceWidth(0); }
            return c;
        }
        var expected = Reference(m, n, k, false, transB, a, b, accumulate ? c0 : null);
        var threaded = Run(parallel: true, width: 0);
        Data.AssertClose(expected, threaded, what: "C");
        Assert.Equal(threaded, Run(parallel: false, width: 0));
        Data.AssertClose(expected, Run(parallel: true, width: 4), what: "C with 4-float vectors");
    }

    [Theory]
    [InlineData(13, 37, 300, false)]   // two depth blocks, edge tiles along M and N
    [InlineData(16, 64, 600, true)]    // three depth blocks, whole tiles only
    [InlineData(9, 5, 7, true)]        // one depth block
    [InlineData(7, 9, 0, true)]        // empty sum: C = max(0, C0)
    [InlineData(7, 9, 0, false)]       // empty sum: C = max(0, bias)
    public void MultiplySerial_WithReLU_ClampsTheWholeSum_AtEveryVectorWidth(int m, int n, int k, bool accumulate)
    {
        var a = Data.Uniform(m * k, 1);
        var b = Data.Uniform(k * n, 2);
        var c0 = Data.Uniform(m * n, 3);
        var bias = Data.Uniform(m, 4);
        var sums = Reference(m, n, k, false, false, a, b, accumulate ? c0 : null);
        var expected = sums.Select((v, i) => Math.Max(0, accumulate ? v : v + bias[i / n])).ToArray();
        Assert.Contains(0, expected);
        foreach (var width in new[] { 16, 8, 4 })
        {
            if (width == 16 && !Vector512.IsHardwareAccelerated || width == 8 && !Vector256.IsHardwareAccelerated) continue;
            var c = accumulate ? (float[])c0.Clone() : Data.Garbage(m * n);
            fixed (float* pa = a, pb = b, pc = c, pbias = bias)
                Sgemm.MultiplySerial(width, m, n, k, pa, k, null, 0, 0, new DenseSource(false, pb, n), pc, n, accumulate,
                    accumulate ? null : pbias, WorkerPool.ThreadScratch, relu: true);
            Data.AssertClose(expected, c, what: $"C at width {width}");
        }
    }

    // C (M, N) = op(A) · op(B) (+ C0), in double.
    private static double[] Reference(int m, int n, int k, bool transA, bool transB, float[] a, float[] b, float[]? c0)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = c0 is null ? 0.0 : c0[i * n + j];
                for (var p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = sum;
            }
        return c;
    }
}
