using Microsoft.ML.OnnxRuntime;

using ModelDsl.Onnx;

using TorchSharp;

using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

/// <summary>Settings every framework runs with, and the checks that the three run the same architecture.</summary>
internal static class Frameworks
{
    /// <summary>Threads for every framework: ModelDsl's worker pool uses the machine's cores (2 here); libtorch and ONNX Runtime are told.</summary>
    public const int Threads = 2;

    private static bool s_torchReady;

    /// <summary>Sets libtorch's intra-op threads (once per process).</summary>
    public static void InitTorch()
    {
        if (s_torchReady) return;
        torch.set_num_threads(Threads);
        s_torchReady = true;
    }

    /// <summary>
    /// Collects and runs pending finalizers (of the previous workload's TorchSharp and ONNX Runtime objects) before
    /// measuring: the memory diagnoser counts every thread's allocations, and a finalizer that allocates during a
    /// ModelDsl benchmark would be charged to it.
    /// </summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Uniform values in [−1, 1) from <paramref name="seed"/>.</summary>
    public static float[] RandomValues(long count, int seed)
    {
        var rng = new Rng((ulong)seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++) values[i] = rng.NextSymmetric(1f);
        return values;
    }

    /// <summary>Throws when two frameworks disagree on something that must match.</summary>
    public static void Same<T>(string what, T modelDsl, T other, string framework) where T : IEquatable<T>
    {
        if (!modelDsl.Equals(other))
            throw new InvalidOperationException($"{what}: ModelDsl has {modelDsl}, {framework} has {other}; the benchmark would compare different models.");
    }

    /// <summary>(N, …sample) as dimensions.</summary>
    public static long[] Dimensions(int batch, Shape sample) => sample.Rank switch
    {
        1 => [batch, sample.C],
        2 => [batch, sample.C, sample.W],
        _ => [batch, sample.C, sample.H, sample.W],
    };

    /// <summary>The ONNX file of <paramref name="model"/>, exported into the temporary folder.</summary>
    public static string ExportOnnx(Model model, OnnxExportOptions? options = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "modeldsl-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, model.GetType().Name + ".onnx");
        OnnxExporter.Export(model, path, options);
        return path;
    }
}

/// <summary>ModelDsl inference (evaluation mode) on a fixed random batch.</summary>
internal sealed class DslInference
{
    private readonly Model _model;
    private readonly float[] _input;
    private readonly int _batch;

    public DslInference(Model model, int batch)
    {
        _model = model;
        _batch = batch;
        _input = Frameworks.RandomValues((long)batch * model.InputShape.Size, 7);
        model.EnsureCapacity(batch);
    }

    public float Run() => _model.Forward(_input, _batch)[0];
}

/// <summary>TorchSharp inference (eval mode, no gradients) on a fixed random batch of the same shape.</summary>
internal sealed class TorchInference : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly Tensor _input;

    public TorchInference(nn.Module<Tensor, Tensor> module, Model reference, int batch)
    {
        Frameworks.InitTorch();
        _module = module;
        _module.eval();
        _input = torch.tensor(Frameworks.RandomValues((long)batch * reference.InputShape.Size, 7), Frameworks.Dimensions(batch, reference.InputShape));
        Frameworks.Same("Parameters", reference.Layout.Summary.TotalParameters, TorchModels.ParameterCount(module), "TorchSharp");
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        var shape = _module.call(_input).shape;
        Frameworks.Same("Output shape", string.Join("×", Frameworks.Dimensions(batch, reference.OutputShape)), string.Join("×", shape), "TorchSharp");
    }

    public float Run()
    {
        using var scope = NewDisposeScope();
        using var _ = torch.no_grad();
        return _module.call(_input).ReadCpuSingle(0);
    }

    public void Dispose()
    {
        _input.Dispose();
        _module.Dispose();
    }
}

/// <summary>ONNX Runtime inference of the model's exported file, into preallocated input and output tensors.</summary>
internal sealed class OrtInference : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly float[] _outputValues;
    private readonly string[] _inputNames = [OnnxExporter.InputName];
    private readonly string[] _outputNames = [OnnxExporter.OutputName];
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;

    public OrtInference(Model model, int batch, OnnxExportOptions? options = null)
    {
        var path = Frameworks.ExportOnnx(model, options);
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Frameworks.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (Environment.GetEnvironmentVariable("BENCH_ORT_ALLOW_SPINNING") is { } spinning)
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning);
        _session = new InferenceSession(path, sessionOptions);
        var inputValues = Frameworks.RandomValues((long)batch * model.InputShape.Size, 7);
        _outputValues = new float[batch * model.OutputShape.Size];
        _input = OrtValue.CreateTensorValueFromMemory(inputValues, Frameworks.Dimensions(batch, model.InputShape));
        _output = OrtValue.CreateTensorValueFromMemory(_outputValues, Frameworks.Dimensions(batch, model.OutputShape));
        _inputs = [_input];
        _outputs = [_output];
        var declared = _session.OutputMetadata[OnnxExporter.OutputName].Dimensions.Skip(1).Select(d => (long)d);
        Frameworks.Same("Output shape", string.Join("×", Frameworks.Dimensions(batch, model.OutputShape).Skip(1)), string.Join("×", declared), "ONNX Runtime");
        Run();
    }

    public float Run()
    {
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return _outputValues[0];
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _input.Dispose();
        _output.Dispose();
    }
}

/// <summary>A ModelDsl training step (forward, softmax cross-entropy, backward, SGD with momentum 0.9) through <see cref="Trainer.TrainBatch"/>.</summary>
internal sealed class DslTraining
{
    private readonly Trainer _trainer;
    private readonly Dataset _data;
    private readonly int[] _indices;

    public DslTraining(Model model, int batch, int classes)
    {
        _data = new Dataset(Frameworks.RandomValues((long)batch * model.InputShape.Size, 3),
            Enumerable.Range(0, batch).Select(i => i % classes).ToArray(), model.InputShape);
        _indices = Enumerable.Range(0, batch).ToArray();
        _trainer = new Trainer(model, new Sgd(0.01f, momentum: 0.9f), Loss.SoftmaxCrossEntropy);
    }

    public double Run() => _trainer.TrainBatch(_data, _indices).Loss;
}

/// <summary>The same step in TorchSharp: zero_grad, forward, cross_entropy, backward, SGD(momentum 0.9).</summary>
internal sealed class TorchTraining : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _input;
    private readonly Tensor _labels;

    public TorchTraining(nn.Module<Tensor, Tensor> module, Model reference, int batch, int classes)
    {
        Frameworks.InitTorch();
        _module = module;
        _module.train();
        Frameworks.Same("Parameters", reference.Layout.Summary.TotalParameters, TorchModels.ParameterCount(module), "TorchSharp");
        _input = torch.tensor(Frameworks.RandomValues((long)batch * reference.InputShape.Size, 3), Frameworks.Dimensions(batch, reference.InputShape));
        _labels = torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % classes)).ToArray());
        _optimizer = optim.SGD(_module.parameters(), 0.01, momentum: 0.9);
    }

    public float Run()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(_module.call(_input), _labels);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _input.Dispose();
        _labels.Dispose();
        _module.Dispose();
    }
}
