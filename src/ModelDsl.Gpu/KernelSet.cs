using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace ModelDsl.Gpu;

/// <summary>
/// Every kernel of the backend, loaded once per accelerator and shared by all models on it
/// (<see cref="For"/>). The shape-specialized kernels compile one variant per distinct shape value on
/// their first launch with it; ILGPU keeps those variants in the loaded kernel, so they too compile once
/// per accelerator.
/// </summary>
internal sealed class KernelSet
{
    private static readonly ConditionalWeakTable<Accelerator, KernelSet> s_cache = new();
    private static readonly Lock s_lock = new();

    private KernelSet(Accelerator a)
    {
        ConvForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>>(DeviceKernels.ConvForward);
        ConvInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int>(DeviceKernels.ConvInputGradient);
        ConvWeightGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int>(DeviceKernels.ConvWeightGradient);
        DenseForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>>(DeviceKernels.DenseForward);
        DenseInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>, int>(DeviceKernels.DenseInputGradient);
        DenseWeightGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>, int>(DeviceKernels.DenseWeightGradient);
        ChannelSumAdd = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(DeviceKernels.ChannelSumAdd);
        ActivationForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, float>(DeviceKernels.ActivationForward);
        ActivationBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int>(DeviceKernels.ActivationBackward);
        MaxPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, SpecializedValue<PoolDims>>(DeviceKernels.MaxPoolForward);
        MaxPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>, int>(DeviceKernels.MaxPoolBackward);
        AvgPoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SpecializedValue<PoolDims>>(DeviceKernels.AvgPoolForward);
        AvgPoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SpecializedValue<PoolDims>, int>(DeviceKernels.AvgPoolBackward);
        GlobalAvgForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(DeviceKernels.GlobalAvgForward);
        GlobalAvgBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(DeviceKernels.GlobalAvgBackward);
        GlobalMaxForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(DeviceKernels.GlobalMaxForward);
        GlobalMaxBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(DeviceKernels.GlobalMaxBackward);
        BatchNormStatistics = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int>(DeviceKernels.BatchNormStatistics);
        BatchNormRunningStatistics = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>>(DeviceKernels.BatchNormRunningStatistics);
        BatchNormApply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>>(DeviceKernels.BatchNormApply);
        BatchNormGradientSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int>(DeviceKernels.BatchNormGradientSums);
        BatchNormInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int>(DeviceKernels.BatchNormInputGradient);
        SetStatistics = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>>(DeviceKernels.SetStatistics);
        SetApply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>>(DeviceKernels.SetApply);
        SetGradientSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int>(DeviceKernels.SetGradientSums);
        SetInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int, int>(DeviceKernels.SetInputGradient);
        SetParameterGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int>(DeviceKernels.SetParameterGradient);
        Add = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DeviceKernels.Add);
        Copy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(DeviceKernels.Copy);
        ConcatForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(DeviceKernels.ConcatForward);
        ConcatBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int>(DeviceKernels.ConcatBackward);
        ScaleForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(DeviceKernels.ScaleForward);
        ScaleInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(DeviceKernels.ScaleInputGradient);
        ScaleFactorGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(DeviceKernels.ScaleFactorGradient);
        Fill = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(DeviceKernels.Fill);
        DropoutForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, uint, uint>(DeviceKernels.DropoutForward);
        DropoutBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(DeviceKernels.DropoutBackward);
        SoftmaxCrossEntropy = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float>(DeviceKernels.SoftmaxCrossEntropy);
        SgdStep = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, int>(DeviceKernels.SgdStep);
        AdamStep = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float>(DeviceKernels.AdamStep);
        ConvTransposeForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>>(DeviceKernels.ConvTransposeForward);
        ConvTransposeInputGradient = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int>(DeviceKernels.ConvTransposeInputGradient);
        SoftmaxForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(DeviceKernels.SoftmaxForward);
        SoftmaxBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(DeviceKernels.SoftmaxBackward);
        MaxUnpoolForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>>(DeviceKernels.MaxUnpoolForward);
        MaxUnpoolBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>, int>(DeviceKernels.MaxUnpoolBackward);
        LrnForward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<LrnDims>>(DeviceKernels.LrnForward);
        LrnBackward = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<LrnDims>, int>(DeviceKernels.LrnBackward);
        MeanSquaredError = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float>(DeviceKernels.MeanSquaredError);
        MulticlassHinge = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float>(DeviceKernels.MulticlassHinge);
        RmsPropStep = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float>(DeviceKernels.RmsPropStep);
        SquareSums = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int, int>(DeviceKernels.SquareSums);
        SumInOrder = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int>(DeviceKernels.SumInOrder);
        Scale = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(DeviceKernels.Scale);
        Penalties = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(DeviceKernels.Penalties);
    }

    /// <summary>The kernels loaded on <paramref name="accelerator"/>, loading them on the first call for it.</summary>
    public static KernelSet For(Accelerator accelerator)
    {
        lock (s_lock)
        {
            if (!s_cache.TryGetValue(accelerator, out var set))
            {
                set = new KernelSet(accelerator);
                s_cache.Add(accelerator, set);
                Loads++;
            }
            return set;
        }
    }

    /// <summary>How many kernel sets were loaded in this process (each accelerator loads once).</summary>
    internal static int Loads { get; private set; }

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>> ConvForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int> ConvInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int> ConvWeightGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>> DenseForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>, int> DenseInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<DenseDims>, int> DenseWeightGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ChannelSumAdd { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, float> ActivationForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int> ActivationBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, SpecializedValue<PoolDims>> MaxPoolForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>, int> MaxPoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, SpecializedValue<PoolDims>> AvgPoolForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, SpecializedValue<PoolDims>, int> AvgPoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> GlobalAvgForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> GlobalAvgBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> GlobalMaxForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> GlobalMaxBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int> BatchNormStatistics { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>> BatchNormRunningStatistics { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>> BatchNormApply { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int> BatchNormGradientSums { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ChannelDims>, int> BatchNormInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>> SetStatistics { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>> SetApply { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int> SetGradientSums { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int, int> SetInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<SetDims>, int> SetParameterGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Add { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> Copy { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> ConcatForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, int> ConcatBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> ScaleForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> ScaleInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> ScaleFactorGradient { get; }
    public Action<Index1D, ArrayView<float>, float> Fill { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, uint, uint> DropoutForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> DropoutBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float> SoftmaxCrossEntropy { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, int> SgdStep { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float> AdamStep { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>> ConvTransposeForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<ConvDims>, int> ConvTransposeInputGradient { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> SoftmaxForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> SoftmaxBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>> MaxUnpoolForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, SpecializedValue<PoolDims>, int> MaxUnpoolBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<LrnDims>> LrnForward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SpecializedValue<LrnDims>, int> LrnBackward { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float> MeanSquaredError { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int, float> MulticlassHinge { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float> RmsPropStep { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<double>, int, int> SquareSums { get; }
    public Action<Index1D, ArrayView<double>, int> SumInOrder { get; }
    public Action<Index1D, ArrayView<float>, float> Scale { get; }
    public Action<Index1D, ArrayView<float>, ArrayView<float>, float, float> Penalties { get; }
}
