using System;
using System.Text;

namespace ModelDsl.Generators
{
    /// <summary>Builds C# text with indentation; the only way the emitter writes code.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _builder = new();
        private int _indent;

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0) _builder.Append(' ', _indent * 4).Append(text);
            _builder.Append('\n');
            return this;
        }

        public SourceWriter Open(string header)
        {
            Line(header);
            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        /// <summary>Writes every line of <paramref name="text"/> behind <c>/// </c>.</summary>
        public SourceWriter Doc(string text)
        {
            foreach (var line in text.Split(new[] { '\n' }, StringSplitOptions.None))
            {
                Line(line.Length == 0 ? "///" : "/// " + line);
            }
            return this;
        }

        public override string ToString() => _builder.ToString();
    }
}
