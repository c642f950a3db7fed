using Storefront.Api;
using Storefront.Api.Accounts;
using Storefront.Api.Caching;
using Storefront.Api.Catalog;
using Storefront.Api.Dashboard;
using Storefront.Api.Data;
using Storefront.Api.Diagnostics;
using Storefront.Api.Email;
using Storefront.Api.Files;
using Storefront.Api.Http;
using Storefront.Api.Inference;
using Storefront.Api.Inventory;
using Storefront.Api.Jobs;
using Storefront.Api.Lessons;
using Storefront.Api.Live;
using Storefront.Api.Orders;
using Storefront.Api.Products;
using Storefront.Api.Upstreams;

// appsettings.json is read from beside the binaries, whatever folder the service is started from.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// Port 8000, as the FastAPI original (docs/seeds.md); ASPNETCORE_URLS or --urls override it.
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://localhost:8000");

builder.AddHttpConventions()
    .AddTelemetry()
    .AddDiagnostics()
    .AddGracefulShutdown()
    .AddApiDocs()
    .AddData()
    .AddLessons()
    .AddCatalog()
    .AddUpstreams()
    .AddProducts()
    .AddCaching()
    .AddAccounts()
    .AddJobs()
    .AddEmail()
    .AddLive()
    .AddInventory()
    .AddOrders()
    .AddFiles()
    .AddInference()
    .AddDashboard();

var app = builder.Build();
if (DatabaseCommands.IsCommand(args)) return await DatabaseCommands.RunAsync(app, args);
if (UserCommands.IsCommand(args)) return await UserCommands.RunAsync(app, args);

// The middleware, step by step with the reason for each: RequestPipeline.cs.
app.UseRequestPipeline();

// Every route is mapped in one root group, so what all of them share is applied once: HEAD wherever GET is. (200 JSON
// answers carry their length because handlers answer JsonOk, Http/JsonOk.cs.)
var routes = app.MapGroup("").AnswerHeadWhereGetIs();
routes.MapApiDocs();
routes.MapHealth();
routes.MapMetrics();
routes.MapDiagnostics();
routes.MapLessons();
routes.MapProducts();
routes.MapCatalog();
routes.MapCaching();
routes.MapAccounts();
routes.MapJobs();
routes.MapEmail();
routes.MapLive();
routes.MapInventory();
routes.MapOrders();
routes.MapFiles();
routes.MapInference();
routes.MapDashboard();

await app.RunAsync();
return 0;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
