using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ModelDsl.CheckpointWriter;

namespace ModelDsl.Tests.Training;

/// <summary>
/// A real process (tests/ModelDsl.CheckpointWriter) saves a 25 MB checkpoint in a loop, alternating two known
/// contents, and is killed (SIGKILL) at varied moments, many of them in the middle of a write. After every kill
/// the file must load and hold one whole version, and the next process must save over the leftovers.
/// </summary>
public sealed class CheckpointCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 15;
    private readonly string _directory = Directory.CreateTempSubdirectory("modeldsl-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void KilledWhileSaving_LeavesOneWholeVersion_AndTheNextSaveWorksOverTheLeftovers()
    {
        var path = Path.Combine(_directory, "run.safetensors");
        double saveMilliseconds = 0;
        var killedMidWrite = 0;
        var savedOverLeftovers = 0;
        for (var round = 0; round < Kills; round++)
        {
            var leftoversBefore = Leftovers();
            using var writer = new Writer(path);
            // This process's first save completes, whatever earlier kills left in the folder.
            var (lastSaved, milliseconds) = writer.WaitForSave();
            if (leftoversBefore > 0) savedOverLeftovers++;
            saveMilliseconds = saveMilliseconds == 0 ? milliseconds : Math.Min(saveMilliseconds, milliseconds);
            lastSaved = writer.WaitForWriteStart(lastSaved);

            // Kill at a varied moment of the next save: right away, through the write, or just after it.
            double[] fractions = [0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.1];
            Pause(saveMilliseconds * fractions[round % fractions.Length]);
            writer.Kill();
            lastSaved = writer.LastSavedAfterExit(lastSaved);

            if (Leftovers() > leftoversBefore) killedMidWrite++;
            AssertOneWholeVersion(path, lastSaved);
        }
        output.WriteLine($"{killedMidWrite} of {Kills} kills interrupted a write; {savedOverLeftovers} saves ran over leftovers; a save takes {saveMilliseconds:F0} ms at best");
        Assert.True(killedMidWrite >= 3, $"only {killedMidWrite} of {Kills} kills interrupted a write (a save takes about {saveMilliseconds:F0} ms)");
        Assert.True(savedOverLeftovers >= 1, "no save ran over a leftover temporary file");
    }

    private int Leftovers() => Directory.GetFiles(_directory, "*.tmp").Length;

    private static void Pause(double milliseconds)
    {
        var until = Stopwatch.GetTimestamp() + (long)(milliseconds / 1000 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(100);
    }

    /// <summary>The file holds version k (the last reported save, or the one after it if its rename won the race with the kill), whole.</summary>
    private static void AssertOneWholeVersion(string path, long lastSaved)
    {
        var contents = SafeTensors.Read(path);
        var version = long.Parse(contents.Metadata[CheckpointPattern.VersionKey], CultureInfo.InvariantCulture);
        Assert.True(version == lastSaved || version == lastSaved + 1, $"the file holds version {version} after save {lastSaved} was reported");
        var parity = (int)(version % 2);
        var weight = contents.Tensors["Wide.weight"];
        var bias = contents.Tensors["Wide.bias"];
        Assert.Equal([3072, 2048], weight.Shape);
        Assert.Equal([3072], bias.Shape);
        for (var i = 0; i < weight.Data.Length; i++)
        {
            if (weight.Data[i] != CheckpointPattern.Value(parity, i))
                Assert.Fail($"version {version}: Wide.weight[{i}] is {weight.Data[i]}, expected {CheckpointPattern.Value(parity, i)}");
        }
        for (var i = 0; i < bias.Data.Length; i++)
        {
            if (bias.Data[i] != CheckpointPattern.Value(parity, weight.Data.Length + i))
                Assert.Fail($"version {version}: Wide.bias[{i}] is {bias.Data[i]}");
        }
    }

    /// <summary>The writer process and the lines it prints ("writing k", "saved k milliseconds").</summary>
    private sealed class Writer : IDisposable
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
        private readonly Process _process;
        private readonly BlockingCollection<string> _lines = [];

        public Writer(string path)
        {
            var program = Path.Combine(AppContext.BaseDirectory, "checkpoint-writer", "ModelDsl.CheckpointWriter.dll");
            Assert.True(File.Exists(program), $"{program} is missing: the test project's build copies it there");
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(program);
            start.ArgumentList.Add(path);
            _process = Process.Start(start) ?? throw new InvalidOperationException("The writer did not start.");
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null) _lines.Add(e.Data);
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) _lines.Add("error: " + e.Data);
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        private string Next()
        {
            if (!_lines.TryTake(out var line, Patience))
                throw new TimeoutException($"The writer printed nothing for {Patience.TotalSeconds} s.");
            Assert.False(line.StartsWith("error: ", StringComparison.Ordinal), line);
            return line;
        }

        private static long Number(string line, int field) =>
            long.Parse(line.Split(' ')[field], CultureInfo.InvariantCulture);

        public (long Version, double Milliseconds) WaitForSave()
        {
            while (true)
            {
                var line = Next();
                if (line.StartsWith("saved ", StringComparison.Ordinal)) return (Number(line, 1), Number(line, 2));
            }
        }

        /// <summary>Waits for the next "writing" line; returns the last version reported saved by then.</summary>
        public long WaitForWriteStart(long lastSaved)
        {
            while (true)
            {
                var line = Next();
                if (line.StartsWith("saved ", StringComparison.Ordinal)) lastSaved = Number(line, 1);
                else if (line.StartsWith("writing ", StringComparison.Ordinal)) return lastSaved;
            }
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            Assert.True(_process.WaitForExit(Patience), "the killed writer did not exit");
            _process.WaitForExit(); // and waits until every line printed has been received
        }

        /// <summary>The last version reported saved, counting the lines printed before the kill.</summary>
        public long LastSavedAfterExit(long lastSaved)
        {
            while (_lines.TryTake(out var line))
            {
                if (line.StartsWith("saved ", StringComparison.Ordinal)) lastSaved = Number(line, 1);
            }
            return lastSaved;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
            _lines.Dispose();
        }
    }
}
