using System.Diagnostics;
using System.Globalization;
using ModelDsl;
using ModelDsl.CheckpointWriter;

// Usage: ModelDsl.CheckpointWriter <path>. Saves version 1, 2, 3 … of a 25 MB checkpoint to <path>
// until killed, printing "writing k" before and "saved k <milliseconds>" after each save.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: ModelDsl.CheckpointWriter <checkpoint path>");
    return 2;
}
var model = new WideDense(seed: 1);
var parameters = model.Parameters;
for (var version = 1L; ; version++)
{
    var parity = (int)(version % 2);
    for (var i = 0; i < parameters.Length; i++) parameters[i] = CheckpointPattern.Value(parity, i);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"writing {version}"));
    var start = Stopwatch.GetTimestamp();
    SafeTensors.Save(model, args[0], new Dictionary<string, string>
    {
        [CheckpointPattern.VersionKey] = version.ToString(CultureInfo.InvariantCulture),
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {version} {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0}"));
}

/// <summary>6.3 million parameters (25 MB of float32): large enough that a save takes a while to write.</summary>
[Model(Input = [2048])]
public partial class WideDense
{
    [Dense(3072)] public partial Layer Wide { get; }
}
