using BenchmarkDotNet.Running;
using Storefront.Micro;

BenchmarkSwitcher.FromAssembly(typeof(DashboardListenerBenchmarks).Assembly).Run(args);
