using ModelDsl.Generators.Parsing;

namespace ModelDsl.Analyzers.Tests;

/// <summary>The parser sees only written arguments; its defaults must be the attribute classes' own.</summary>
public class ParserDefaultsTests
{
    [Fact]
    public void ParserDefaults_MatchTheAttributeClasses()
    {
        Assert.Equal(ModelParser.DefaultConvKernel, new Conv2DAttribute(1).Kernel);
        Assert.Equal(ModelParser.DefaultConvStride, new Conv2DAttribute(1).Stride);
        Assert.Equal(ModelParser.DefaultPoolStride, new MaxPool2DAttribute(2).Stride);
        Assert.Equal(ModelParser.DefaultPoolStride, new AvgPool2DAttribute(2).Stride);
        Assert.Equal(0, new Conv2DAttribute(1).Padding);
        Assert.Equal(0, new MaxPool2DAttribute(2).Padding);
        Assert.Equal(PaddingMode.Explicit, new Conv2DAttribute(1).PaddingMode);
        Assert.True(new Conv2DAttribute(1).Bias);
        Assert.True(new DenseAttribute(1).Bias);
    }

    [Fact]
    public void PaddingModeValues_MatchTheParsersMirror()
    {
        Assert.Equal(
            Enum.GetValues<PaddingMode>().Select(m => (m.ToString(), (int)m)),
            Enum.GetValues<ModelDsl.Generators.Model.PadMode>().Select(m => (m.ToString(), (int)m)));
    }
}
