using WasmHarness.Fuzz.Targets;

namespace WasmHarness.Fuzz;

/// <summary>
/// An in-process fuzz loop without AFL++: every seed, then <c>iterations</c> mutants of random seeds (a fixed random
/// seed, so a run is repeatable). The smoke tests and <c>fuzz selftest</c> use it.
/// </summary>
public static class SelfFuzz
{
    public sealed record Result(int Executions, IReadOnlyDictionary<Outcome, int> Outcomes, IReadOnlyList<(string Signature, byte[] Input)> Findings)
    {
        public string Summary =>
            $"{string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Value} {o.Key.ToString().ToLowerInvariant()}"))}; {Findings.Count} distinct findings";
    }

    public static Result Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int iterations, int randomSeed)
    {
        var mutator = new Mutator(randomSeed);
        var random = new Random(randomSeed);
        var outcomes = new Dictionary<Outcome, int>();
        var findings = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var executions = 0;
        void Execute(byte[] input)
        {
            executions++;
            try
            {
                var outcome = target.Run(input);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (Exception e)
            {
                findings.TryAdd(Triage.Signature(e), input);
            }
        }
        foreach (var seed in seeds)
        {
            Execute(seed);
        }
        for (var i = 0; i < iterations && seeds.Count > 0; i++)
        {
            var parent = seeds[random.Next(seeds.Count)];
            Execute(mutator.Mutate(parent, seeds[random.Next(seeds.Count)]));
        }
        return new Result(executions, outcomes, [.. findings.Select(f => (f.Key, f.Value))]);
    }
}
