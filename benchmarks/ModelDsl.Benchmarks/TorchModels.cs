using TorchSharp;
using TorchSharp.Modules;

using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ModelDsl.Benchmarks;

/// <summary>The workloads' architectures in TorchSharp, layer for layer as the zoo declares them.</summary>
internal static class TorchModels
{
    /// <summary>The zoo's <c>CourseLeNet</c>: conv 20@5×5, max-pool 2, conv 50@5×5, max-pool 2, dense 500 + ReLU, dense 10.</summary>
    public static Module<Tensor, Tensor> CourseLeNet() => Sequential(
        ("conv1", Conv2d(1, 20, 5)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
        ("conv2", Conv2d(20, 50, 5)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
        ("flatten", Flatten()), ("fc1", Linear(800, 500)), ("relu3", ReLU()), ("fc2", Linear(500, 10)));

    /// <summary>The zoo's <c>CifarResNet18</c>: 3×3 stem without max-pool, four stages of two basic blocks, 10 classes.</summary>
    public static Module<Tensor, Tensor> CifarResNet18()
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv1", Conv2d(3, 64, 3, padding: 1, bias: false)), ("bn1", BatchNorm2d(64)), ("relu", ReLU()),
        };
        var channels = 64L;
        foreach (var (stage, width, stride) in new[] { (1, 64L, 1L), (2, 128L, 2L), (3, 256L, 2L), (4, 512L, 2L) })
        {
            layers.Add(($"layer{stage}_0", new BasicBlock(channels, width, stride)));
            layers.Add(($"layer{stage}_1", new BasicBlock(width, width, 1)));
            channels = width;
        }
        layers.Add(("avgpool", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc", Linear(512, 10)));
        return Sequential(layers);
    }

    /// <summary>The zoo's <c>Vgg16</c> (torchvision's vgg16 without the identity adaptive pool at 224×224).</summary>
    public static Module<Tensor, Tensor> Vgg16()
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var channels = 3L;
        var block = 1;
        foreach (var stage in new[] { (64L, 2), (128L, 2), (256L, 3), (512L, 3), (512L, 3) })
        {
            for (var i = 1; i <= stage.Item2; i++)
            {
                layers.Add(($"conv{block}_{i}", Conv2d(channels, stage.Item1, 3, padding: 1)));
                layers.Add(($"relu{block}_{i}", ReLU()));
                channels = stage.Item1;
            }
            layers.Add(($"pool{block++}", MaxPool2d(2)));
        }
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc6", Linear(25088, 4096)));
        layers.Add(("relu6", ReLU()));
        layers.Add(("drop6", Dropout(0.5)));
        layers.Add(("fc7", Linear(4096, 4096)));
        layers.Add(("relu7", ReLU()));
        layers.Add(("drop7", Dropout(0.5)));
        layers.Add(("fc8", Linear(4096, 1000)));
        return Sequential(layers);
    }

    /// <summary>W4: one 3×3 convolution, 64 → 64 channels, padding 1, with bias.</summary>
    public static Module<Tensor, Tensor> Conv3x3() => Conv2d(64, 64, 3, padding: 1);

    /// <summary>Learned values (batch-norm running statistics are buffers and not counted).</summary>
    public static long ParameterCount(Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>torchvision's BasicBlock: two 3×3 convolutions with batch norm, the shortcut projected when the shape changes.</summary>
    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
        private readonly Module<Tensor, Tensor>? downsample;

        public BasicBlock(long input, long width, long stride) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(input, width, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(width);
            conv2 = Conv2d(width, width, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(width);
            if (stride != 1 || input != width)
                downsample = Sequential(Conv2d(input, width, 1, stride: stride, bias: false), BatchNorm2d(width));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = functional.relu(bn1.call(conv1.call(x)));
            y = bn2.call(conv2.call(y));
            var shortcut = downsample is null ? x : downsample.call(x);
            return functional.relu(y + shortcut).MoveToOuterDisposeScope();
        }
    }
}
