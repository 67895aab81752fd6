// Turns spec, fuzz and benchmark results into HTML/Markdown dashboards.
// Not built yet: see issue 10. Until then this program says so and fails, rather than pretending.
Console.Error.WriteLine("reports: not implemented yet (issue 10).");
return 2;
