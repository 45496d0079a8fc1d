namespace ModelDsl.Zoo;

/// <summary>
/// LeNet-5 (LeCun et al. 1998) in its modern form: 28×28 input padded by 2 in the first convolution,
/// tanh, average pooling, 61,706 parameters.
/// </summary>
[Model(Input = [1, 28, 28])]
public partial class LeNet5
{
    [Conv2D(6, Kernel = 5, Padding = 2)] public partial Layer C1 { get; }
    [Tanh]                               public partial Layer A1 { get; }
    [AvgPool2D(2)]                       public partial Layer S2 { get; }
    [Conv2D(16, Kernel = 5)]             public partial Layer C3 { get; }
    [Tanh]                               public partial Layer A3 { get; }
    [AvgPool2D(2)]                       public partial Layer S4 { get; }
    [Dense(120), Tanh]                   public partial Layer F5 { get; }   // flattening is implied
    [Dense(84), Tanh]                    public partial Layer F6 { get; }
    [Dense(10)]                          public partial Layer Logits { get; }
}

/// <summary>
/// The LeNet of the PyTorch examples used in the course notes: conv 20@5×5, max-pool 2, conv 50@5×5,
/// max-pool 2, dense 500, dense 10, with ReLU; 431,080 parameters.
/// </summary>
[Model(Input = [1, 28, 28])]
public partial class CourseLeNet
{
    [Conv2D(20, Kernel = 5), ReLU] public partial Layer Conv1 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool1 { get; }
    [Conv2D(50, Kernel = 5), ReLU] public partial Layer Conv2 { get; }
    [MaxPool2D(2)]                 public partial Layer Pool2 { get; }
    [Dense(500), ReLU]             public partial Layer Fc1 { get; }
    [Dense(10)]                    public partial Layer Fc2 { get; }
}
