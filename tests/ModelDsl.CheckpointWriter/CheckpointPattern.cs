namespace ModelDsl.CheckpointWriter;

/// <summary>
/// The two known contents the writer alternates between: version k fills every parameter with
/// <see cref="Value"/>(k mod 2, index), so a reader can tell a whole version from a mixture.
/// </summary>
public static class CheckpointPattern
{
    /// <summary>The metadata key holding the version number k.</summary>
    public const string VersionKey = "version";

    /// <summary>Value <paramref name="index"/> of the flat parameter buffer in contents <paramref name="parity"/> (0 or 1).</summary>
    public static float Value(int parity, int index) => parity == 0 ? index % 1000 * 0.001f : -1 - index % 997;
}
