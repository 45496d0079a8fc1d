using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ModelDsl.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
