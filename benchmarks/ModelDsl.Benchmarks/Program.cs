using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

using Perfolizer.Horology;

using ModelDsl.Benchmarks;

// ./scripts/bench.sh runs every workload and rewrites benchmarks/RESULTS.md:
//   dotnet run -c Release --project benchmarks/ModelDsl.Benchmarks -- --results benchmarks/RESULTS.md
// Anything else goes to BenchmarkDotNet's switcher, e.g. -- --filter '*W4*'.
var config = ManualConfig.CreateMinimumViable()
    .AddJob(Job.Default
        // In process: the TorchSharp native library patched in this build's output is the one loaded,
        // and nothing is rebuilt per benchmark.
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithIterationTime(TimeInterval.FromMilliseconds(250))
        .WithId("Side-by-side"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary);

var results = Array.IndexOf(args, "--results");
if (results >= 0)
{
    if (results + 1 >= args.Length) throw new ArgumentException("--results needs the path of the file to write.");
    var path = args[results + 1];
    var loadBefore = Results.LoadAverage();
    var summaries = BenchmarkRunner.Run(Results.Workloads, config);
    Results.Write(path, summaries, "./scripts/bench.sh", loadBefore);
    Console.WriteLine($"Wrote {Path.GetFullPath(path)}");
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Results).Assembly).Run(args, config);
return 0;
