using ModelDsl.Zoo;

namespace ModelDsl.Tests.Generated;

using Data = ModelDsl.Tests.Kernels.Data;

// An inference forward reads the caller's input where it lies instead of copying it into the model's
// first slot. It must give the bits a copied input gives (a training forward still copies; the course
// LeNet has no dropout or batch norm, so both compute the same), leave the input untouched, keep the
// output and the per-layer checks readable after the call, and fall back to copying where a layer's
// output is a view of the input.
public class InputInPlaceTests
{
    [Fact]
    public void InferenceForward_ReadingTheInputInPlace_GivesTheCopiedInputsBits_AndLeavesTheInputUntouched()
    {
        var net = new CourseLeNet(seed: 3);
        var x = Data.Uniform(3 * 784, 7);
        var before = (float[])x.Clone();
        var copied = net.Forward(x, 3, training: true).ToArray();
        var inPlace = net.Forward(x, 3, training: false).ToArray();
        Assert.Equal(copied, inPlace);
        Assert.Equal(before, x);
        // A smaller batch from the same array, then the output read again after the call.
        var one = net.Forward(x.AsSpan(784, 784), 1).ToArray();
        Assert.Equal(copied.AsSpan(10, 10).ToArray(), one);
        Assert.Equal(one, net.Output.ToArray());
    }

    [Fact]
    public void AfterAnInPlaceInferenceForward_TheFirstNonFiniteLayer_IsStillFound()
    {
        var net = new CourseLeNet(seed: 3);
        var x = Data.Uniform(2 * 784, 8);
        x[784 + 100] = float.NaN;
        net.Forward(x, 2);
        Assert.Equal("Conv1", net.FirstNonFiniteLayer());
    }

    [Fact]
    public void AModelWhoseFirstLayerIsAViewOfTheInput_StillGetsACopy()
    {
        var net = new FlattenFirst(seed: 5);
        var x = Data.Uniform(2 * 18, 9);
        var poisoned = (float[])x.Clone();
        poisoned[0] = float.NaN;
        net.Forward(poisoned, 2, training: true);   // the model's input slot now holds a NaN
        Assert.Equal("Flat", net.FirstNonFiniteLayer());
        var output = net.Forward(x, 2).ToArray();
        // The flatten's output is the input slot: it must hold x after the call, not what was there before.
        Assert.Null(net.FirstNonFiniteLayer());
        Assert.Equal(net.Forward(x, 2, training: true).ToArray(), output);
    }
}
