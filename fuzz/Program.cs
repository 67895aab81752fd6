// SharpFuzz targets and the AFL++ campaign driver.
// Not built yet: see issue 9. Until then this program says so and fails, rather than pretending.
Console.Error.WriteLine("fuzz: not implemented yet (issue 9).");
return 2;
