namespace ModelDsl.Generators.Tests;

/// <summary>Model declarations used by several tests.</summary>
internal static class Sources
{
    public const string LeNet5 = """
        using ModelDsl;

        namespace Demo;

        [Model(Input = [1, 28, 28])]
        public partial class LeNet5
        {
            [Conv2D(6, Kernel = 5, Padding = 2)]  partial Layer C1 { get; }
            [Tanh]                                partial Layer A1 { get; }
            [AvgPool2D(2)]                        partial Layer S2 { get; }
            [Conv2D(16, Kernel = 5)]              partial Layer C3 { get; }
            [Tanh]                                partial Layer A3 { get; }
            [AvgPool2D(2)]                        partial Layer S4 { get; }
            [Dense(120), Tanh]                    partial Layer F5 { get; }
            [Dense(84), Tanh]                     partial Layer F6 { get; }
            [Dense(10)]                           partial Layer Logits { get; }
        }
        """;

    /// <summary>Every layer kind of the foundation, fused and standalone activations, Same padding, dropout, no-bias.</summary>
    public const string EveryLayer = """
        using ModelDsl;

        namespace Demo.Nested
        {
            public static partial class Outer
            {
                [Model(Input = [2, 8, 7])]
                internal partial class Everything
                {
                    [Conv2D(3, Kernel = 3, Stride = 2, PaddingMode = PaddingMode.Same, Bias = false), ReLU] public partial Layer C1 { get; }
                    [MaxPool2D(3, Stride = 1, Padding = 1)]                                                internal partial Layer P1 { get; }
                    [Sigmoid]                                                                               private partial Layer A1 { get; }
                    [AvgPool2D(2, PaddingMode = PaddingMode.Valid)]                                         partial Layer P2 { get; }
                    [Flatten]                                                                               partial Layer Flat { get; }
                    [Dropout(0.25)]                                                                         partial Layer Drop { get; }
                    [Dense(7, Bias = false), Tanh]                                                          partial Layer D1 { get; }
                    [Dense(4)]                                                                              partial Layer D2 { get; }
                    [Softmax]                                                                               partial Layer Probabilities { get; }
                }
            }
        }
        """;
}
