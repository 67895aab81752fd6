namespace WasmHarness.Bench;

/// <summary>The two summaries the quick modes (<c>--compare</c>, <c>--cold</c>) and the closing note print.</summary>
internal static class Averages
{
    /// <summary>The middle of <paramref name="values"/> (the upper one of an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The geometric mean, the average of ratios.</summary>
    public static double GeometricMean(IEnumerable<double> ratios) => Math.Exp(ratios.Average(Math.Log));
}
