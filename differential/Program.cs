using WasmHarness.Differential.Generator;
using WasmHarness.Validation;

var failures = 0;
for (var seed = 0UL; seed < 3000; seed++)
{
    var module = ModuleGenerator.Generate(Unstructured.FromSeed(seed, 4096));
    try
    {
        ModuleValidator.Validate(module);
    }
    catch (Exception e)
    {
        if (failures++ < 5) Console.WriteLine($"{seed}: {e.Message}");
    }
}
Console.WriteLine($"failures {failures}");
