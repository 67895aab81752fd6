namespace WasmHarness.Fuzz;

/// <summary>
/// A small deterministic mutator (bit flips, interesting values, LEB128-friendly bytes, insertions, deletions,
/// block copies, splices): the in-process fuzz loop of <c>fuzz selftest</c> and of the smoke tests, where AFL++ is
/// not running. Not a replacement for AFL++'s coverage guidance; a way to keep the targets exercised.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[] s_interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x41, 0x0B, 0x10, 0x20, 0x60, 0x70, 0x7B, 0xFC, 0xFD, 0xFB];
    private readonly Random _random = new(seed);

    /// <summary>A mutant of <paramref name="input"/>, sometimes spliced with <paramref name="other"/>.</summary>
    public byte[] Mutate(byte[] input, byte[]? other = null)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            switch (_random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[_random.Next(data.Count)] = s_interesting[_random.Next(s_interesting.Length)];
                    break;
                case 2 when data.Count > 0:
                    data[_random.Next(data.Count)] = (byte)_random.Next(256);
                    break;
                case 3:
                    data.Insert(_random.Next(data.Count + 1), s_interesting[_random.Next(s_interesting.Length)]);
                    break;
                case 4 when data.Count > 1:
                {
                    var at = _random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(8)));
                    break;
                }
                case 5 when data.Count > 1:
                {
                    var from = _random.Next(data.Count);
                    var length = Math.Min(data.Count - from, 1 + _random.Next(16));
                    var block = data.GetRange(from, length);
                    data.InsertRange(_random.Next(data.Count + 1), block);
                    break;
                }
                case 6 when other is { Length: > 0 } && data.Count > 0:
                {
                    var cut = _random.Next(data.Count);
                    var otherCut = _random.Next(other.Length);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(otherCut).ToArray());
                    break;
                }
                case 7 when data.Count > 0:
                    data.RemoveRange(_random.Next(data.Count), 1);
                    break;
                default:
                    data.Add((byte)_random.Next(256));
                    break;
            }
        }
        return [.. data];
    }
}
