using System.Globalization;

namespace ModelDsl.Reports;

/// <summary>An RGB image, 3 bytes per pixel, rows top to bottom.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Rgb">Width × Height × 3 bytes: red, green, blue of each pixel, row-major.</param>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    /// <summary>The red, green and blue of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), string.Create(CultureInfo.InvariantCulture, $"Pixel ({x}, {y}) is outside the {Width}×{Height} image."));
            var i = (y * Width + x) * 3;
            return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
        }
    }
}

/// <summary>Where <see cref="FilterGrid.Build(ReadOnlySpan{float}, int, int, int, int, int, int)"/> puts each cell.</summary>
/// <param name="Columns">Cells per row of the grid.</param>
/// <param name="Rows">Rows of cells.</param>
/// <param name="CellWidth">Pixels across one cell: the kernel width × the scale.</param>
/// <param name="CellHeight">Pixels down one cell: the kernel height × the scale.</param>
/// <param name="Padding">Pixels between cells and around the grid.</param>
/// <param name="PerChannel">Whether each cell is one channel of a filter (row = filter, column = channel) rather than a whole filter.</param>
public readonly record struct FilterGridLayout(int Columns, int Rows, int CellWidth, int CellHeight, int Padding, bool PerChannel)
{
    /// <summary>The image width: the padding, then each column followed by padding.</summary>
    public int Width => Padding + Columns * (CellWidth + Padding);

    /// <summary>The image height: the padding, then each row followed by padding.</summary>
    public int Height => Padding + Rows * (CellHeight + Padding);

    /// <summary>The top-left pixel of the cell in <paramref name="row"/> and <paramref name="column"/>.</summary>
    public (int X, int Y) CellOrigin(int row, int column) =>
        (Padding + column * (CellWidth + Padding), Padding + row * (CellHeight + Padding));
}

/// <summary>
/// Lays out convolution filters, (K, C, F, F) weights in PyTorch order, as one image: each filter is min–max
/// normalized over all its values (its lowest weight black, its highest white); one channel gives a gray
/// cell per filter, three give a color cell (the channels as red, green, blue), any other number a row of
/// gray cells per filter, one per channel. A filter whose weights are all equal has no range: it is white
/// when they are positive, black when negative, middle gray when zero. Filters fill the grid row by row in
/// ⌈√K⌉ columns; cells are separated, and surrounded, by padding of <see cref="PaddingColor"/>.
/// </summary>
public static class FilterGrid
{
    /// <summary>The color between and around the cells (a dark blue, so that it reads as no weight).</summary>
    public static (byte R, byte G, byte B) PaddingColor { get; } = (28, 42, 72);

    /// <summary>Builds the grid of the (K, C, F, F) weight <paramref name="weight"/> (for example <c>model.GetParameter("C1.weight")</c>).</summary>
    /// <param name="weight">A convolution weight: four dimensions (filters, channels, height, width).</param>
    /// <param name="scale">Pixels per weight along each axis, at least 1.</param>
    /// <param name="padding">Pixels between cells and around the grid, at least 0.</param>
    /// <exception cref="ArgumentException">The parameter does not have four dimensions, or a weight is not finite.</exception>
    public static RgbImage Build(Parameter weight, int scale = 1, int padding = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var d = weight.Dimensions;
        if (d.Count != 4)
            throw new ArgumentException(
                $"'{weight.Name}' has shape ({string.Join(", ", d)}), not that of a convolution weight (filters, channels, height, width).",
                nameof(weight));
        return Build(weight.Values, d[0], d[1], d[2], d[3], scale, padding);
    }

    /// <summary>Builds the grid of <paramref name="filters"/> filters of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> weights.</summary>
    /// <param name="weights">(K, C, height, width) values, row-major.</param>
    /// <param name="filters">K, at least 1.</param>
    /// <param name="channels">C, at least 1.</param>
    /// <param name="height">Kernel rows, at least 1.</param>
    /// <param name="width">Kernel columns, at least 1.</param>
    /// <param name="scale">Pixels per weight along each axis, at least 1.</param>
    /// <param name="padding">Pixels between cells and around the grid, at least 0.</param>
    /// <exception cref="ArgumentException">The number of weights does not match the dimensions, or a weight is not finite.</exception>
    public static RgbImage Build(ReadOnlySpan<float> weights, int filters, int channels, int height, int width, int scale = 1, int padding = 1)
    {
        var layout = Layout(filters, channels, height, width, scale, padding);
        var perFilter = channels * height * width;
        if (weights.Length != (long)filters * perFilter)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{filters} filters of {channels}×{height}×{width} need {(long)filters * perFilter:N0} weights, but there are {weights.Length:N0}."),
                nameof(weights));
        var rgb = new byte[layout.Width * layout.Height * 3];
        for (var i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = PaddingColor.R;
            rgb[i + 1] = PaddingColor.G;
            rgb[i + 2] = PaddingColor.B;
        }
        var levels = new byte[perFilter];
        for (var k = 0; k < filters; k++)
        {
            Normalize(weights.Slice(k * perFilter, perFilter), levels, k);
            var plane = height * width;
            if (layout.PerChannel)
            {
                for (var c = 0; c < channels; c++)
                {
                    var (x0, y0) = layout.CellOrigin(k, c);
                    var gray = levels.AsSpan(c * plane, plane);
                    Paint(rgb, layout, x0, y0, height, width, scale, gray, gray, gray);
                }
            }
            else
            {
                var (x0, y0) = layout.CellOrigin(k / layout.Columns, k % layout.Columns);
                var red = levels.AsSpan(0, plane);
                // One channel: gray. Three: red, green, blue planes.
                var green = channels == 3 ? levels.AsSpan(plane, plane) : red;
                var blue = channels == 3 ? levels.AsSpan(2 * plane, plane) : red;
                Paint(rgb, layout, x0, y0, height, width, scale, red, green, blue);
            }
        }
        return new RgbImage(layout.Width, layout.Height, rgb);
    }

    /// <summary>The layout <see cref="Build(ReadOnlySpan{float}, int, int, int, int, int, int)"/> uses for these dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension or the scale is below 1, or the padding is negative.</exception>
    public static FilterGridLayout Layout(int filters, int channels, int height, int width, int scale = 1, int padding = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (channels is 1 or 3)
        {
            var columns = (int)Math.Ceiling(Math.Sqrt(filters));
            return new FilterGridLayout(columns, (filters + columns - 1) / columns, width * scale, height * scale, padding, PerChannel: false);
        }
        return new FilterGridLayout(channels, filters, width * scale, height * scale, padding, PerChannel: true);
    }

    // Maps one filter's weights to 0..255: its minimum to 0 and its maximum to 255, linearly.
    private static void Normalize(ReadOnlySpan<float> filter, Span<byte> levels, int index)
    {
        var lo = float.PositiveInfinity;
        var hi = float.NegativeInfinity;
        for (var i = 0; i < filter.Length; i++)
        {
            var w = filter[i];
            if (!float.IsFinite(w))
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Weight {i} of filter {index} is {w}; a filter image needs finite weights."),
                    "weights");
            lo = MathF.Min(lo, w);
            hi = MathF.Max(hi, w);
        }
        if (hi == lo)
        {
            levels.Fill(lo > 0 ? (byte)255 : lo < 0 ? (byte)0 : (byte)128);
            return;
        }
        var range = (double)hi - lo;
        for (var i = 0; i < filter.Length; i++)
            levels[i] = (byte)Math.Round(255 * ((filter[i] - (double)lo) / range));
    }

    private static void Paint(byte[] rgb, FilterGridLayout layout, int x0, int y0, int height, int width, int scale,
        ReadOnlySpan<byte> red, ReadOnlySpan<byte> green, ReadOnlySpan<byte> blue)
    {
        for (var y = 0; y < height * scale; y++)
        {
            var row = (y0 + y) * layout.Width;
            for (var x = 0; x < width * scale; x++)
            {
                var source = (y / scale) * width + x / scale;
                var i = (row + x0 + x) * 3;
                rgb[i] = red[source];
                rgb[i + 1] = green[source];
                rgb[i + 2] = blue[source];
            }
        }
    }
}
