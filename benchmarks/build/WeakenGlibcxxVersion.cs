using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Lets TorchSharp's native bridge load on a system whose libstdc++ predates a symbol version it asks for.
/// </summary>
/// <remarks>
/// libLibTorchSharp.so (TorchSharp 0.107.0) requires GLIBCXX_3.4.32 for one symbol only, the empty marker
/// <c>std::ios_base_library_init()</c> that nothing calls; Debian 12's libstdc++ stops at 3.4.30, and the
/// loader then refuses the whole library. This task sets VER_FLG_WEAK (0x2) on that one requirement in the
/// ELF <c>.gnu.version_r</c> (SHT_GNU_verneed) section of the copy in the build output, so the loader
/// tolerates its absence. It does nothing when the system libstdc++ already defines the version, and
/// nothing on a copy already patched. The file in the package cache is never touched.
/// </remarks>
public sealed class WeakenGlibcxxVersion : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library in the build output to patch.</summary>
    [Required] public string Library { get; set; } = "";

    /// <summary>The symbol version to make weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    /// <summary>Candidate paths of the system libstdc++; the first that exists is checked.</summary>
    [Required] public string[] SystemLibraries { get; set; } = [];

    public override bool Execute()
    {
        if (!File.Exists(Library))
        {
            Log.LogError($"WeakenGlibcxxVersion: '{Library}' does not exist; is the TorchSharp-cpu package referenced?");
            return false;
        }
        foreach (var candidate in SystemLibraries)
        {
            if (!File.Exists(candidate)) continue;
            if (Contains(File.ReadAllBytes(candidate), Encoding.ASCII.GetBytes(Version + "\0")))
            {
                Log.LogMessage(MessageImportance.Normal, $"{candidate} defines {Version}; {Library} left as shipped.");
                return true;
            }
            break;
        }
        var bytes = File.ReadAllBytes(Library);
        try
        {
            switch (Weaken(bytes, Version))
            {
                case Outcome.Patched:
                    // A new file moved over the old one: the output copy could be a link into the package cache.
                    var patched = Library + ".patched";
                    File.WriteAllBytes(patched, bytes);
                    File.Delete(Library);
                    File.Move(patched, Library);
                    Log.LogMessage(MessageImportance.High, $"Marked {Version} weak in {Library} (the system libstdc++ lacks it).");
                    break;
                case Outcome.AlreadyWeak:
                    Log.LogMessage(MessageImportance.Normal, $"{Version} is already weak in {Library}.");
                    break;
                case Outcome.NotRequired:
                    Log.LogMessage(MessageImportance.Normal, $"{Library} does not require {Version}; nothing to do.");
                    break;
            }
            return true;
        }
        catch (InvalidDataException e)
        {
            Log.LogError($"WeakenGlibcxxVersion: {Library}: {e.Message}");
            return false;
        }
    }

    private enum Outcome { Patched, AlreadyWeak, NotRequired }

    /// <summary>Sets VER_FLG_WEAK on every version-need entry named <paramref name="version"/> (ELF64, little-endian).</summary>
    private static Outcome Weaken(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a 64-bit little-endian ELF file.");
        var shoff = checked((int)U64(elf, 0x28));
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        var outcome = Outcome.NotRequired;
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + i * shentsize;
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
            var offset = checked((int)U64(elf, sh + 0x18));
            var count = (int)U32(elf, sh + 0x2C);                  // sh_info: number of Verneed entries
            var strtab = shoff + (int)U32(elf, sh + 0x28) * shentsize; // sh_link: the string table
            var strOffset = checked((int)U64(elf, strtab + 0x18));
            var need = offset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = U16(elf, need + 2);
                var aux = need + (int)U32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = CString(elf, strOffset + (int)U32(elf, aux + 8));
                    if (name == version)
                    {
                        var flags = U16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) outcome = outcome == Outcome.Patched ? outcome : Outcome.AlreadyWeak;
                        else
                        {
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)flags;
                            elf[aux + 5] = (byte)(flags >> 8);
                            outcome = Outcome.Patched;
                        }
                    }
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return outcome;
    }

    private static ushort U16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);

    private static uint U32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);

    private static ulong U64(byte[] b, int o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

    private static string CString(byte[] b, int o)
    {
        var end = Array.IndexOf(b, (byte)0, o);
        if (end < 0) throw new InvalidDataException("unterminated string in the dynamic string table.");
        return Encoding.ASCII.GetString(b, o, end - o);
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
