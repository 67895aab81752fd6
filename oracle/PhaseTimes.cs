using System.Diagnostics;

namespace WasmHarness.Oracle;

/// <summary>
/// Wall-clock seconds spent per phase of a campaign ("generate", "jit: instantiate", "compare memories", ...), summed
/// over cases: the profile that says where a case's time goes (docs/differential.md). Measuring costs two timestamp
/// reads per phase, far below the microseconds any phase takes.
/// </summary>
public sealed class PhaseTimes
{
    private readonly Dictionary<string, double> _seconds = [];

    /// <summary>Seconds per phase, in the order phases were first seen.</summary>
    public IReadOnlyDictionary<string, double> Seconds => _seconds;

    /// <summary>Runs <paramref name="action"/> and adds its wall time to <paramref name="phase"/>, also when it throws.</summary>
    public T Time<T>(string phase, Func<T> action)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return action();
        }
        finally
        {
            Add(phase, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <inheritdoc cref="Time{T}(string, Func{T})"/>
    public void Time(string phase, Action action) => Time(phase, () =>
    {
        action();
        return 0;
    });

    public void Add(string phase, double seconds) => _seconds[phase] = _seconds.GetValueOrDefault(phase) + seconds;

    /// <summary>Moves what was measured into <paramref name="into"/> and starts again from zero.</summary>
    public void DrainInto(Dictionary<string, double> into)
    {
        foreach (var (phase, seconds) in _seconds)
        {
            into[phase] = into.GetValueOrDefault(phase) + seconds;
        }
        _seconds.Clear();
    }
}
