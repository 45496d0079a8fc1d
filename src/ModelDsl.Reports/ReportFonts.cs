using ScottPlot;
using SkiaSharp;

namespace ModelDsl.Reports;

/// <summary>
/// The font every plot draws its text with: DejaVu Sans (regular and bold), embedded in this assembly,
/// so text renders the same with or without system fonts (Skia's Linux build without fontconfig finds
/// none on a bare machine and would silently draw no text at all).
/// </summary>
internal static class ReportFonts
{
    /// <summary>The family name plots ask ScottPlot for; resolved only by this class.</summary>
    public const string Family = "ModelDsl Sans";

    private static readonly Lazy<SKTypeface> LazyRegular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> LazyBold = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>The regular face.</summary>
    public static SKTypeface Regular => LazyRegular.Value;

    /// <summary>The bold face.</summary>
    public static SKTypeface Bold => LazyBold.Value;

    /// <summary>Makes ScottPlot resolve <see cref="Family"/> to the embedded faces (once per process).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Add(new Resolver());
            _registered = true;
        }
    }

    /// <summary>Sets every text of <paramref name="plot"/> (title, labels, ticks, legend) to the embedded font.</summary>
    public static void Apply(Plot plot)
    {
        Register();
        plot.Font.Set(Family);
        plot.Legend.FontName = Family;
    }

    private static SKTypeface Load(string file)
    {
        var name = "ModelDsl.Reports.Fonts." + file;
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded font resource '{name}' is missing from {typeof(ReportFonts).Assembly.GetName().Name}.");
        return SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"Skia could not read the embedded font '{name}'.");
    }

    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            fontName == Family ? (weight >= FontWeight.SemiBold ? Bold : Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? (bold ? Bold : Regular) : null;
    }
}
