using System.Diagnostics;
using BenchmarkDotNet.Running;
using ModelDsl.Generators.Benchmarks;

// dotnet run -c Release --project benchmarks/ModelDsl.Generators.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ModelDsl.Generators.Benchmarks -- --quick   (a stopwatch, 10 runs)
if (args is ["--quick"])
{
    var compilation = GeneratorBenchmarks.Compilation();
    GeneratorBenchmarks.Driver().RunGenerators(compilation); // JIT
    var times = new List<double>();
    for (var i = 0; i < 10; i++)
    {
        var start = Stopwatch.GetTimestamp();
        var result = GeneratorBenchmarks.Driver().RunGenerators(compilation).GetRunResult();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (i == 0) Console.WriteLine($"{result.GeneratedTrees.Length} files, {result.GeneratedTrees.Sum(t => t.Length):N0} characters");
    }
    times.Sort();
    Console.WriteLine($"Generating the ResNet family (ResNet-18 … ResNet-152, ResNeXt, Wide, SE, CIFAR): median {times[5]:F1} ms, best {times[0]:F1} ms");

    var (bound, model, span) = AnalyzerBenchmarks.ResNet152();
    var diagnostics = AnalyzerBenchmarks.Analyze(bound, model, span); // JIT
    times.Clear();
    for (var i = 0; i < 10; i++)
    {
        var start = Stopwatch.GetTimestamp();
        AnalyzerBenchmarks.Analyze(bound, model, span);
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"Analyzing ResNet-152 ({diagnostics.Length} diagnostics): median {times[5]:F1} ms, best {times[0]:F1} ms");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorBenchmarks).Assembly).Run(args);
