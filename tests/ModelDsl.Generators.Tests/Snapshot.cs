using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Compares text with a checked-in file under Snapshots/. On a mismatch it writes <c>NAME.received.EXT</c>
/// beside it and fails; with <c>UPDATE_SNAPSHOTS=1</c> it rewrites the snapshot instead.
/// The generator's version is scrubbed so a version bump does not break snapshots.
/// </summary>
internal static partial class Snapshot
{
    public static void Match(string actual, string fileName, [CallerFilePath] string callerPath = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        var path = Path.Combine(directory, fileName);
        var scrubbed = Scrub(actual);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(path, scrubbed);
            return;
        }
        var received = Path.Combine(directory, Path.GetFileNameWithoutExtension(fileName) + ".received" + Path.GetExtension(fileName));
        if (!File.Exists(path))
        {
            File.WriteAllText(received, scrubbed);
            Assert.Fail($"No snapshot {path}; wrote {received}. Review it and rename it, or run with UPDATE_SNAPSHOTS=1.");
        }
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != scrubbed)
        {
            File.WriteAllText(received, scrubbed);
            var line = FirstDifference(expected, scrubbed);
            Assert.Fail($"Generated text differs from {path} at line {line}; wrote {received}. Run with UPDATE_SNAPSHOTS=1 to accept.");
        }
        if (File.Exists(received)) File.Delete(received);
    }

    public static string Scrub(string text) =>
        VersionPattern().Replace(text.ReplaceLineEndings("\n"), "GeneratedCode(\"ModelDsl.Generators\", \"{version}\")");

    private static int FirstDifference(string a, string b)
    {
        var la = a.Split('\n');
        var lb = b.Split('\n');
        for (var i = 0; i < Math.Min(la.Length, lb.Length); i++)
        {
            if (la[i] != lb[i]) return i + 1;
        }
        return Math.Min(la.Length, lb.Length) + 1;
    }

    [GeneratedRegex("GeneratedCode\\(\"ModelDsl\\.Generators\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
