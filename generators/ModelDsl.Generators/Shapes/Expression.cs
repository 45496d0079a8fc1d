using System;
using System.Collections.Generic;

namespace ModelDsl.Generators.Shapes
{
    /// <summary>
    /// Evaluates the small integer expressions of block layers (<c>"Width * 4"</c>, <c>"Stride != 1 || In != Width"</c>):
    /// integers, names bound by the block's parameters (and <c>In</c>), <c>+ - * / %</c>, comparisons,
    /// <c>&amp;&amp; || !</c> and parentheses. Booleans are 1 and 0. Never throws: an error comes back as text.
    /// </summary>
    internal sealed class Expression
    {
        private readonly string _text;
        private readonly IReadOnlyDictionary<string, long> _names;
        private int _at;
        private string? _error;

        private Expression(string text, IReadOnlyDictionary<string, long> names)
        {
            _text = text;
            _names = names;
        }

        /// <summary>The value of <paramref name="text"/>, or null with <paramref name="error"/> saying what is wrong.</summary>
        public static long? Evaluate(string text, IReadOnlyDictionary<string, long> names, out string error)
        {
            var e = new Expression(text, names);
            var value = e.Or();
            e.Skip();
            if (e._error is null && e._at < text.Length) e._error = $"unexpected '{text[e._at]}' at {e._at + 1}";
            error = e._error ?? "";
            return e._error is null ? value : null;
        }

        private long Or()
        {
            var left = And();
            while (Eat("||")) left = (left != 0) | (And() != 0) ? 1 : 0;
            return left;
        }

        private long And()
        {
            var left = Equality();
            while (Eat("&&")) left = (left != 0) & (Equality() != 0) ? 1 : 0;
            return left;
        }

        private long Equality()
        {
            var left = Relational();
            while (true)
            {
                if (Eat("==")) left = left == Relational() ? 1 : 0;
                else if (Eat("!=")) left = left != Relational() ? 1 : 0;
                else return left;
            }
        }

        private long Relational()
        {
            var left = Additive();
            while (true)
            {
                if (Eat("<=")) left = left <= Additive() ? 1 : 0;
                else if (Eat(">=")) left = left >= Additive() ? 1 : 0;
                else if (Eat("<")) left = left < Additive() ? 1 : 0;
                else if (Eat(">")) left = left > Additive() ? 1 : 0;
                else return left;
            }
        }

        private long Additive()
        {
            var left = Multiplicative();
            while (true)
            {
                if (Eat("+")) left = Clamp(left + Multiplicative());
                else if (Eat("-")) left = Clamp(left - Multiplicative());
                else return left;
            }
        }

        private long Multiplicative()
        {
            var left = Unary();
            while (true)
            {
                if (Eat("*")) left = Clamp(left * Unary());
                else if (Eat("/") || Eat("%"))
                {
                    var divide = _text[_at - 1] == '/';
                    var right = Unary();
                    if (right == 0)
                    {
                        _error ??= "division by zero";
                        return 0;
                    }
                    left = divide ? left / right : left % right;
                }
                else return left;
            }
        }

        private long Unary()
        {
            if (Eat("!")) return Unary() == 0 ? 1 : 0;
            if (Eat("-")) return -Unary();
            return Primary();
        }

        private long Primary()
        {
            Skip();
            if (Eat("("))
            {
                var value = Or();
                if (!Eat(")")) _error ??= "missing ')'";
                return value;
            }
            var start = _at;
            if (_at < _text.Length && char.IsDigit(_text[_at]))
            {
                while (_at < _text.Length && char.IsDigit(_text[_at])) _at++;
                return long.TryParse(_text.Substring(start, _at - start), out var number) ? Clamp(number) : Fail("number too large");
            }
            if (_at < _text.Length && (char.IsLetter(_text[_at]) || _text[_at] == '_'))
            {
                while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_')) _at++;
                var name = _text.Substring(start, _at - start);
                return _names.TryGetValue(name, out var bound) ? bound : Fail($"'{name}' is not a parameter of the block (known: {string.Join(", ", _names.Keys)})");
            }
            return Fail(_at < _text.Length ? $"unexpected '{_text[_at]}' at {_at + 1}" : "the expression ends too early");
        }

        private long Fail(string message)
        {
            _error ??= message;
            return 0;
        }

        /// <summary>Keeps values in int range, so a runaway product becomes a range error later rather than an overflow.</summary>
        private static long Clamp(long value) => Math.Max(int.MinValue, Math.Min(int.MaxValue, value));

        private void Skip()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at])) _at++;
        }

        private bool Eat(string token)
        {
            Skip();
            if (string.CompareOrdinal(_text, _at, token, 0, token.Length) != 0) return false;
            // '<' must not eat the first half of "<=", '!' not of "!=", '|' and '&' only doubled.
            if (token.Length == 1 && _at + 1 < _text.Length && _text[_at + 1] == '=' && token is "<" or ">" or "!" or "=") return false;
            _at += token.Length;
            return true;
        }
    }
}
