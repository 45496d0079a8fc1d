using System.Globalization;
using System.Text;

using BenchmarkDotNet.Reports;

namespace ModelDsl.Benchmarks;

/// <summary>Turns the workloads' summaries into benchmarks/RESULTS.md: one row per workload, ModelDsl's speed relative to the others.</summary>
internal static class Results
{
    /// <summary>The workload classes, in the order of the table.</summary>
    public static readonly Type[] Workloads = [typeof(W1Train), typeof(W1Inference), typeof(W2Train), typeof(W2Inference), typeof(W3Vgg16), typeof(W4Conv)];

    /// <summary>W4's floating-point operations: 2 per multiply-add, N·K·C·F²·H·W (bias not counted).</summary>
    private const double W4Flops = 2.0 * W4Conv.Batch * 64 * 64 * 3 * 3 * 56 * 56;

    private enum Unit { ImagesPerSecond, Microseconds, Milliseconds, GflopPerSecond }

    private sealed record Row(string Label, Type Type, int? Batch, int Images, Unit Unit, string Earlier);

    private static readonly Row[] Rows =
    [
        new("W1 course LeNet, training step, batch 64", typeof(W1Train), null, 64, Unit.ImagesPerSecond, "6,300 / —"),
        new("W1 course LeNet, inference, batch 256", typeof(W1Inference), 256, 256, Unit.ImagesPerSecond, "13,200 / 33,200"),
        new("W1 course LeNet, inference latency, batch 1", typeof(W1Inference), 1, 1, Unit.Microseconds, "168 / 44"),
        new("W2 CIFAR ResNet-18, training step, batch 32", typeof(W2Train), null, 32, Unit.ImagesPerSecond, "84 / —"),
        new("W2 CIFAR ResNet-18, inference, batch 64", typeof(W2Inference), null, 64, Unit.ImagesPerSecond, "288 / 365"),
        new("W3 VGG-16 224×224, inference latency, batch 1", typeof(W3Vgg16), null, 1, Unit.Milliseconds, "119 / 83"),
        new("W4 conv 3×3 64→64 56×56 P=1, batch 8, forward", typeof(W4Conv), null, W4Conv.Batch, Unit.GflopPerSecond, "353 / 387"),
    ];

    /// <summary>The 1-minute load average (runnable tasks), or "unknown" where /proc/loadavg is absent.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    public static void Write(string path, IEnumerable<Summary> summaries, string command, string loadBefore)
    {
        var reports = summaries.SelectMany(s => s.Reports).ToList();
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# CPU benchmarks: ModelDsl beside TorchSharp (libtorch) and ONNX Runtime");
        md.AppendLine();
        md.AppendLine(inv, $"- Date: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", inv)} UTC");
        md.AppendLine(inv, $"- Machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        md.AppendLine(inv, $"- Command: `{command}`");
        md.AppendLine("- Frameworks: ModelDsl (this repository), TorchSharp-cpu 0.107.0 (libtorch 2.10), Microsoft.ML.OnnxRuntime 1.31.1 (CPU execution provider, all graph optimizations, files written by the benchmarks' ONNX exporter, opset 17)");
        md.AppendLine("- Threads: 2 everywhere (ModelDsl's worker pool uses the cores; `torch.set_num_threads(2)`; ONNX Runtime intra-op 2, inter-op 1, sequential). float32, NCHW, the same batch and architecture in each framework (parameter counts and output shapes are checked in each benchmark's setup); the weights are not the same, which timing does not need.");
        md.AppendLine(inv, $"- Idle threads: libtorch's OpenMP `OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset: spin, then sleep)"}`, ONNX Runtime `session.intra_op.allow_spinning={Environment.GetEnvironmentVariable("BENCH_ORT_ALLOW_SPINNING") ?? "(default: 1)"}`. On a busy machine, threads that spin while waiting for a descheduled partner cost libtorch up to 10× and ONNX Runtime up to 2×, so the script makes both wait passively; ModelDsl's pool does not wait for a worker the OS has not scheduled.");
        md.AppendLine("- BenchmarkDotNet 0.15.8, in-process, 1 launch, 3 warm-up iterations, 15 measured iterations of about 250 ms each (an operation longer than that is one per iteration); numbers are medians of the iterations. Memory diagnoser on.");
        md.AppendLine(inv, $"- The machine is shared with other work and noisy: load average {loadBefore} when the run began, {LoadAverage()} when it ended, on {Environment.ProcessorCount} cores. On such a machine one benchmark's result has moved by up to 3× from run to run (see benchmarks/README.md), so a single run is one sample: compare the frameworks within a row (measured within a minute or two of each other) rather than across runs.");
        md.AppendLine("- The memory diagnoser counts every thread's allocations in the process: in some runs a few hundred to 3,000 bytes per operation show on a ModelDsl row and are gone in the next (and when that workload runs alone). That a ModelDsl training step allocates nothing after warm-up is asserted on its own by the test suite (`TrainingStepTests.TrainingStep_AfterTheFirst_AllocatesNothing_OnAnyThread`, `TrainerTests.TrainBatch_AllocatesNothingAfterWarmUp`).");
        md.AppendLine();
        md.AppendLine("Higher is better for img/s and GFLOP/s, lower for µs and ms. \"vs\" columns are ModelDsl's speed divided by the other's (above 1× ModelDsl is faster). \"Earlier\" is the TorchSharp / ONNX Runtime figure measured before on this kind of machine.");
        md.AppendLine();
        md.AppendLine("W4's GFLOP/s count the direct convolution's multiply-adds (2·N·K·C·9·H·W) for every framework. ModelDsl computes 3×3 'same' convolutions of up to 256 channels and filters by Winograd's F(2×2, 3×3) (16 multiplies per 2×2 outputs and channel pair instead of 36; W4, most of ResNet-18's and VGG-16's first three stages), so its figure is the direct-equivalent rate and can exceed the FMA peak.");
        md.AppendLine();
        md.AppendLine("| workload | unit | ModelDsl | TorchSharp | ONNX Runtime | vs TorchSharp | vs ONNX Runtime | ModelDsl bytes allocated / op | earlier TorchSharp / ORT |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in Rows)
        {
            var dsl = Find(reports, row, "ModelDsl");
            var torch = Find(reports, row, "TorchSharp");
            var ort = Find(reports, row, "OnnxRuntime");
            md.AppendLine(inv, $"| {row.Label} | {UnitName(row.Unit)} | {Value(row, dsl)} | {Value(row, torch)} | {Value(row, ort)} | {Ratio(dsl, torch)} | {Ratio(dsl, ort)} | {Allocated(dsl)} | {row.Earlier} |");
        }
        md.AppendLine();
        md.AppendLine("Nanoseconds per operation over the measured iterations, as BenchmarkDotNet reported them:");
        md.AppendLine();
        md.AppendLine("| benchmark | median ns | mean ns | stddev ns | min ns | allocated B/op |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in reports)
        {
            var stats = r.ResultStatistics;
            var name = r.BenchmarkCase.Descriptor.Type.Name + "." + r.BenchmarkCase.Descriptor.WorkloadMethod.Name + r.BenchmarkCase.Parameters.DisplayInfo;
            md.AppendLine(inv, $"| {name} | {(stats is null ? "failed" : stats.Median.ToString("N0", inv))} | {(stats is null ? "" : stats.Mean.ToString("N0", inv))} | {(stats is null ? "" : stats.StandardDeviation.ToString("N0", inv))} | {(stats is null ? "" : stats.Min.ToString("N0", inv))} | {Allocated(r)} |");
        }
        File.WriteAllText(path, md.ToString());
    }

    private static BenchmarkReport? Find(List<BenchmarkReport> reports, Row row, string framework) =>
        reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.Type == row.Type &&
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == framework &&
            (row.Batch is null || Equals(r.BenchmarkCase.Parameters["Batch"], row.Batch.Value)));

    private static double? Median(BenchmarkReport? report) => report?.ResultStatistics?.Median;

    private static string Value(Row row, BenchmarkReport? report)
    {
        if (Median(report) is not { } ns) return "—";
        var inv = CultureInfo.InvariantCulture;
        return row.Unit switch
        {
            Unit.ImagesPerSecond => (row.Images / (ns * 1e-9)).ToString("N0", inv),
            Unit.Microseconds => (ns / 1e3).ToString("N0", inv),
            Unit.Milliseconds => (ns / 1e6).ToString("N1", inv),
            Unit.GflopPerSecond => (W4Flops / ns).ToString("N0", inv),
            _ => throw new ArgumentOutOfRangeException(nameof(row)),
        };
    }

    private static string UnitName(Unit unit) => unit switch
    {
        Unit.ImagesPerSecond => "img/s",
        Unit.Microseconds => "µs",
        Unit.Milliseconds => "ms",
        _ => "GFLOP/s",
    };

    /// <summary>ModelDsl's speed over the other's: the other's time over ModelDsl's.</summary>
    private static string Ratio(BenchmarkReport? dsl, BenchmarkReport? other) =>
        Median(dsl) is { } a && Median(other) is { } b ? (b / a).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";

    private static string Allocated(BenchmarkReport? report) =>
        report?.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) is { } bytes ? bytes.ToString("N0", CultureInfo.InvariantCulture) : "—";

    private static string CpuModel()
    {
        const string key = "model name";
        var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }
}
