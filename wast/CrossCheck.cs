using WasmHarness.Engines;

using WasmHarness.Binary;
using WasmHarness.Text;

namespace WasmHarness.Wast;

/// <summary>One module on which wasmtime and we disagree.</summary>
public sealed record Disagreement(string File, int Line, string Ours, string Wasmtime);

/// <summary>The counts of the wasmtime cross-check, and every disagreement.</summary>
public sealed record CrossCheckResult(
    int AcceptedAgreed,
    int AcceptedDisagreed,
    int InvalidBinaryAgreed,
    int InvalidBinaryDisagreed,
    int InvalidTextAgreed,
    int InvalidTextDisagreed,
    int MalformedBinaryAgreed,
    int MalformedBinaryDisagreed,
    int WasmtimeCannotJudge,
    IReadOnlyList<Disagreement> Disagreements,
    IReadOnlyList<Disagreement> NotJudgedByWasmtime);

/// <summary>
/// Cross-checks our front end against wasmtime's: every module we accept is encoded by our encoder and must
/// be accepted by wasmtime; every binary module we reject as invalid or malformed must be rejected by wasmtime too. Text
/// modules we reject as invalid are encoded and checked the same way (reported apart: the encoding is ours).
/// Modules that wasmtime refuses for want of a feature it does not offer (the legacy exception instructions:
/// wasmtime 50's C API has no switch for them) are counted apart as not judged, never as agreement.
/// </summary>
public sealed class CrossCheck(IReferenceValidator wasmtime) : IDisposable
{
    private readonly IReferenceValidator _wasmtime = wasmtime;
    private readonly Lock _lock = new();
    private readonly List<Disagreement> _disagreements = [];
    private readonly List<Disagreement> _notJudged = [];
    private int _acceptedAgreed;
    private int _acceptedDisagreed;
    private int _invalidBinaryAgreed;
    private int _invalidBinaryDisagreed;
    private int _invalidTextAgreed;
    private int _invalidTextDisagreed;
    private int _malformedBinaryAgreed;
    private int _malformedBinaryDisagreed;

    /// <summary>Checks one module as it comes out of <see cref="ModuleLoader"/>.</summary>
    public void Observe(string file, ScriptModule scriptModule, LoadOutcome outcome)
    {
        if (outcome.RejectedBy == Stage.Malformed && outcome.Binary is { } malformed)
        {
            var error = _wasmtime.Validate(malformed);
            Count(file, scriptModule, error is not null, ref _malformedBinaryAgreed, ref _malformedBinaryDisagreed, $"malformed: {outcome.Reason}", "valid");
            return;
        }
        if (outcome.Module is null || outcome.RejectedBy is Stage.Malformed or Stage.Crash)
        {
            return;
        }

        if (outcome.Accepted)
        {
            var error = ValidateEncoding(outcome.Module);
            if (error is not null && _wasmtime.IsMissingFeature(error))
            {
                lock (_lock)
                {
                    _notJudged.Add(new(file, scriptModule.Location.Line, "valid", error));
                }
                return;
            }
            Count(file, scriptModule, error is null, ref _acceptedAgreed, ref _acceptedDisagreed, "valid", error ?? "");
        }
        else if (outcome.Binary is { } bytes)
        {
            var error = _wasmtime.Validate(bytes);
            Count(file, scriptModule, error is not null, ref _invalidBinaryAgreed, ref _invalidBinaryDisagreed, $"invalid: {outcome.Reason}", "valid");
        }
        else
        {
            var error = ValidateEncoding(outcome.Module);
            Count(file, scriptModule, error is not null, ref _invalidTextAgreed, ref _invalidTextDisagreed, $"invalid: {outcome.Reason}", "valid");
        }
    }

    public CrossCheckResult Result()
    {
        lock (_lock)
        {
            return new(_acceptedAgreed, _acceptedDisagreed, _invalidBinaryAgreed, _invalidBinaryDisagreed,
                _invalidTextAgreed, _invalidTextDisagreed, _malformedBinaryAgreed, _malformedBinaryDisagreed, _notJudged.Count,
                Sorted(_disagreements), Sorted(_notJudged));
        }
    }

    private static List<Disagreement> Sorted(IEnumerable<Disagreement> list) =>
        [.. list.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line)];

    private string? ValidateEncoding(Syntax.Module module)
    {
        byte[] encoded;
        try
        {
            encoded = ModuleEncoder.Encode(module);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"our encoder failed: {e.GetType().Name}: {e.Message}";
        }
        return _wasmtime.Validate(encoded);
    }

    private void Count(string file, ScriptModule module, bool agreed, ref int agreedCount, ref int disagreedCount, string ours, string theirs)
    {
        lock (_lock)
        {
            if (agreed)
            {
                agreedCount++;
            }
            else
            {
                disagreedCount++;
                _disagreements.Add(new(file, module.Location.Line, ours, theirs));
            }
        }
    }

    public void Dispose() => _wasmtime.Dispose();
}
