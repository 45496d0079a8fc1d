using BenchmarkDotNet.Attributes;

using ModelDsl.Onnx;
using ModelDsl.Zoo;

using TorchSharp;

using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

// One class per workload; its methods are the frameworks, named as RESULTS.md names them. Setup builds
// each framework's model and checks that parameter counts and output shapes agree with ModelDsl's.

/// <summary>A training step (forward, softmax cross-entropy, backward, SGD momentum 0.9) in ModelDsl and TorchSharp.</summary>
public abstract class TrainingWorkload
{
    private DslTraining _dsl = null!;
    private TorchTraining _torch = null!;

    /// <summary>The batch size N.</summary>
    protected abstract int BatchSize { get; }

    /// <summary>A new ModelDsl model of the workload.</summary>
    protected abstract Model CreateModel();

    /// <summary>The same architecture in TorchSharp.</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateTorchModel();

    [GlobalSetup]
    public void Setup()
    {
        _dsl = new DslTraining(CreateModel(), BatchSize, classes: 10);
        _torch = new TorchTraining(CreateTorchModel(), CreateModel(), BatchSize, classes: 10);
        Frameworks.Settle();
    }

    [GlobalCleanup] public void Cleanup() => _torch.Dispose();

    [Benchmark] public double ModelDsl() => _dsl.Run();

    [Benchmark] public float TorchSharp() => _torch.Run();
}

/// <summary>Inference in ModelDsl (evaluation mode), TorchSharp (eval, no gradients) and ONNX Runtime (the model exported).</summary>
public abstract class InferenceWorkload
{
    private DslInference _dsl = null!;
    private TorchInference _torch = null!;
    private OrtInference _ort = null!;

    /// <summary>The batch size N.</summary>
    protected abstract int BatchSize { get; }

    /// <summary>A new ModelDsl model of the workload.</summary>
    protected abstract Model CreateModel();

    /// <summary>The same architecture in TorchSharp.</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateTorchModel();

    /// <summary>The export options <paramref name="model"/> needs (the inputs of its <c>From</c> layers).</summary>
    protected virtual OnnxExportOptions? OnnxOptions(Model model) => null;

    [GlobalSetup]
    public void Setup()
    {
        var model = CreateModel();
        _dsl = new DslInference(model, BatchSize);
        _torch = new TorchInference(CreateTorchModel(), model, BatchSize);
        _ort = new OrtInference(model, BatchSize, OnnxOptions(model));
        Frameworks.Settle();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torch.Dispose();
        _ort.Dispose();
    }

    [Benchmark] public float ModelDsl() => _dsl.Run();

    [Benchmark] public float TorchSharp() => _torch.Run();

    [Benchmark] public float OnnxRuntime() => _ort.Run();
}

/// <summary>W1: the course LeNet, one training step on a batch of 64.</summary>
public class W1Train : TrainingWorkload
{
    protected override int BatchSize => 64;
    protected override Model CreateModel() => new CourseLeNet(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.CourseLeNet();
}

/// <summary>W1: the course LeNet, inference on a batch of 256 (throughput) and of 1 (latency).</summary>
public class W1Inference : InferenceWorkload
{
    /// <summary>The batch size N.</summary>
    [Params(256, 1)] public int Batch { get; set; }

    protected override int BatchSize => Batch;
    protected override Model CreateModel() => new CourseLeNet(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.CourseLeNet();
}

/// <summary>W2: the CIFAR-10 ResNet-18, one training step on a batch of 32.</summary>
public class W2Train : TrainingWorkload
{
    protected override int BatchSize => 32;
    protected override Model CreateModel() => new CifarResNet18(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.CifarResNet18();
}

/// <summary>W2: the CIFAR-10 ResNet-18, inference on a batch of 64.</summary>
public class W2Inference : InferenceWorkload
{
    protected override int BatchSize => 64;
    protected override Model CreateModel() => new CifarResNet18(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.CifarResNet18();
    protected override OnnxExportOptions? OnnxOptions(Model model) => new() { Inputs = OnnxExporter.BlockInputs(model, "Downsample") };
}

/// <summary>W3: VGG-16 at 224×224, inference latency on a batch of 1.</summary>
public class W3Vgg16 : InferenceWorkload
{
    protected override int BatchSize => 1;
    protected override Model CreateModel() => new Vgg16(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.Vgg16();
}

/// <summary>W4: one 3×3 convolution 64 → 64 on 56×56 maps, padding 1, batch 8, forward (reported in GFLOP/s).</summary>
public class W4Conv : InferenceWorkload
{
    /// <summary>The batch size N.</summary>
    public const int Batch = 8;

    protected override int BatchSize => Batch;
    protected override Model CreateModel() => new Conv3x3(1);
    protected override nn.Module<Tensor, Tensor> CreateTorchModel() => TorchModels.Conv3x3();
}
