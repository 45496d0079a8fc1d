using System.Globalization;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>Numbers as text, always in the invariant culture (fi-FI would write U+2212 for minus).</summary>
    internal static class Num
    {
        public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Thousands separated by commas: 61,706.</summary>
        public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

        /// <summary>Up to two decimals, trailing zeros dropped: 4.5, 3.33, 5.</summary>
        public static string D(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

        /// <summary>A float literal that round-trips: 0.5f.</summary>
        public static string F(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";
    }
}
