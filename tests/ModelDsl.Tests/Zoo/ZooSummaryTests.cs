using System.Globalization;
using System.Reflection;
using ModelDsl.Zoo;

namespace ModelDsl.Tests.Zoo;

/// <summary>Every model of the zoo compiled into a real model (not the stub of an invalid one) and prints its summary.</summary>
public class ZooSummaryTests
{
    public static TheoryData<string> ZooModels()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(LeNet5).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Model))).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            data.Add(type.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ZooModels))]
    public void ZooModel_PrintsItsSummary_WithEveryLayerAndTheTotal(string name)
    {
        var type = typeof(LeNet5).Assembly.GetType("ModelDsl.Zoo." + name)!;
        var summary = (ModelSummary)type.GetProperty("Summary", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var text = summary.ToString();
        Assert.StartsWith(name + ": input ", text);
        Assert.Contains(summary.TotalParameters.ToString("#,0", CultureInfo.InvariantCulture), text);
        Assert.All(summary.Layers, layer => Assert.Contains(layer.Name, text));
        Assert.Equal(summary.TotalParameters, (int)type.GetField("ParameterCount")!.GetValue(null)!);
    }

    [Fact]
    public void TheZoo_HasTheCourseArchitectures()
    {
        var names = typeof(LeNet5).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Model))).Select(t => t.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "LeNet5", "AlexNet", "ZFNet", "Vgg11", "Vgg13", "Vgg16", "Vgg19", "Vgg11Bn", "Vgg13Bn", "Vgg16Bn", "Vgg19Bn", "GoogLeNet",
            "ResNet18", "ResNet34", "ResNet50", "ResNet101", "ResNet152", "ResNeXt50", "WideResNet50", "SEResNet50",
            "DenseNet121", "DenseNet169", "DenseNet201", "MobileNetV2", "EfficientNetB0", "TimeSeriesCnn", "CifarResNet18", "FashionNet",
        }, names);
    }
}
