using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ModelDsl.Generators.Shapes;

namespace ModelDsl.Generators
{
    /// <summary>The compile-time summary table, rendered once and used by both the XML docs and <c>Summary</c>.</summary>
    internal static class SummaryTable
    {
        public static string Render(ShapedModel model)
        {
            var rows = new List<string[]>
            {
                new[] { "Layer", "Type", "Output", "Params", "FLOPs", "Activation bytes", "RF" },
                new[] { "(input)", "", model.Input.ToString(), "", "", Num.Grouped(model.Input.Size * sizeof(float)), "1" },
            };
            foreach (var layer in model.Layers)
            {
                rows.Add(new[]
                {
                    layer.Spec.Name, Describe.Layer(layer), layer.Out.ToString(), Num.Grouped(layer.Parameters),
                    Num.Grouped(layer.Flops), Num.Grouped(layer.ActivationBytes), Num.I(layer.ReceptiveField),
                });
            }
            rows.Add(new[] { "Total", "", "", Num.Grouped(model.TotalParameters), Num.Grouped(model.TotalFlops), Num.Grouped(model.TotalActivationBytes), "" });

            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            var rightAligned = new[] { false, false, false, true, true, true, true };
            var text = new StringBuilder();
            text.Append(model.Spec.ClassName).Append(": input ").Append(model.Input.ToString()).Append('\n');
            for (var r = 0; r < rows.Count; r++)
            {
                if (r == 1 || r == rows.Count - 1) Rule(text, widths);
                var line = new StringBuilder();
                for (var c = 0; c < widths.Length; c++)
                {
                    if (c > 0) line.Append("  ");
                    line.Append(rightAligned[c] ? rows[r][c].PadLeft(widths[c]) : rows[r][c].PadRight(widths[c]));
                }
                text.Append(line.ToString().TrimEnd()).Append('\n');
            }
            text.Append("Trainable parameters: ").Append(Num.Grouped(model.TotalParameters))
                .Append("; non-trainable buffers (batch-norm running statistics): ").Append(Num.Grouped(model.TotalBuffers)).Append('\n');
            text.Append("Per sample. FLOPs: forward, a multiply-add counts 2. Activation bytes: float32 outputs. RF: receptive field in input pixels.");
            return text.ToString();
        }

        private static void Rule(StringBuilder text, int[] widths) =>
            text.Append(new string('-', widths.Sum() + 2 * (widths.Length - 1))).Append('\n');
    }
}
