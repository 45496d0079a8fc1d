using System.Globalization;
using SkiaSharp;

namespace ModelDsl.Reports;

/// <summary>The filters image: a title band, then the <see cref="FilterGrid"/> image centred below it, pixel for pixel.</summary>
internal sealed class FilterFigure
{
    /// <summary>The height of the title band above the grid.</summary>
    public const int TitleHeight = 40;

    /// <summary>The smallest cell side, in pixels, the scale is chosen for.</summary>
    public const int MinimumCell = 56;

    /// <summary>The largest grid side, in pixels, that the scale is lowered for (many filters or channels).</summary>
    public const int MaximumSide = 2000;

    private const float TitleSize = 15;
    private const int Margin = 12;

    private FilterFigure(RgbImage grid, string title, int width)
    {
        Grid = grid;
        Title = title;
        Width = width;
        GridLeft = (width - grid.Width) / 2;
    }

    public RgbImage Grid { get; }
    public string Title { get; }
    public int Width { get; }
    public int Height => TitleHeight + Grid.Height + Margin;
    public int GridLeft { get; }

    public static FilterFigure Create(Parameter weight)
    {
        var grid = FilterGrid.Build(weight, Scale(weight), Padding(weight));
        var d = weight.Dimensions;
        var title = string.Create(CultureInfo.InvariantCulture, $"{weight.Name}: {d[0]} filters of {d[1]}×{d[2]}×{d[3]}");
        if (d[1] is not (1 or 3)) title += " (row: filter, column: channel)";
        using var font = new SKFont(ReportFonts.Bold, TitleSize);
        var textWidth = (int)Math.Ceiling(font.MeasureText(title));
        return new FilterFigure(grid, title, Math.Max(grid.Width, textWidth) + 2 * Margin);
    }

    /// <summary>Pixels per weight: cells of at least <see cref="MinimumCell"/> pixels, less when the grid would exceed <see cref="MaximumSide"/>.</summary>
    public static int Scale(Parameter weight)
    {
        var d = weight.Dimensions;
        var kernel = Math.Max(d[2], d[3]);
        var scale = Math.Max(1, (MinimumCell + kernel - 1) / kernel);
        while (scale > 1)
        {
            var layout = FilterGrid.Layout(d[0], d[1], d[2], d[3], scale, Math.Max(2, scale / 2));
            if (layout.Width <= MaximumSide && layout.Height <= MaximumSide) break;
            scale--;
        }
        return scale;
    }

    public static int Padding(Parameter weight) => Math.Max(2, Scale(weight) / 2);

    public void Draw(SKCanvas canvas)
    {
        using (var font = new SKFont(ReportFonts.Bold, TitleSize))
        using (var paint = new SKPaint { Color = new SKColor(32, 32, 32), IsAntialias = true })
        {
            canvas.DrawText(Title, Width / 2f, TitleHeight - 13, SKTextAlign.Center, font, paint);
        }
        var pixels = new byte[Grid.Width * Grid.Height * 4];
        for (int i = 0, j = 0; i < Grid.Rgb.Length; i += 3, j += 4)
        {
            pixels[j] = Grid.Rgb[i];
            pixels[j + 1] = Grid.Rgb[i + 1];
            pixels[j + 2] = Grid.Rgb[i + 2];
            pixels[j + 3] = 255;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(Grid.Width, Grid.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        canvas.DrawBitmap(bitmap, GridLeft, TitleHeight);
    }
}
