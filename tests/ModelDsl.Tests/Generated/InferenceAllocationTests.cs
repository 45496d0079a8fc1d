using ModelDsl.Zoo;

namespace ModelDsl.Tests.Generated;

using Data = ModelDsl.Tests.Kernels.Data;

// After warm-up, inference forwards allocate nothing either: the fused batch-norm paths of a residual
// network (split across threads at batch 32) and the course LeNet's small-batch dense path at batch 1.
[Collection(nameof(AllocationCollection))]
public class InferenceAllocationTests
{
    [Fact]
    public void InferenceForwards_AfterWarmUp_AllocateZeroBytes()
    {
        var resnet = new TinyResNet(seed: 1);
        var lenet = new CourseLeNet(seed: 1);
        var big = Data.Uniform(32 * 3 * 64, 1);
        var one = Data.Uniform(784, 2);

        void Step()
        {
            resnet.Forward(big, 32);
            resnet.Forward(big.AsSpan(0, 3 * 64), 1);
            lenet.Forward(one, 1);
        }

        for (var i = 0; i < 3; i++) Step();
        Assert.Equal(0, Allocations.LeastOverWindows(Step));
    }
}
