using FashionMnist;
Console.WriteLine(LeNet5.Summary);
Console.WriteLine(CourseLeNet.Summary);
