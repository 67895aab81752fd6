using WasmHarness.Fuzz;

namespace WasmHarness.Tests.Fuzz;

/// <summary>The stats of a parallel AFL++ campaign (<c>fuzz/run.sh --jobs</c>): every instance's figures added up.</summary>
public sealed class CampaignStatsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("campaign-stats-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Instance(string name, long start, long runTime, long execs, long found, long queue, string coverage, int crashes)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        File.WriteAllLines(Path.Combine(dir, "fuzzer_stats"),
        [
            $"start_time        : {start}", $"last_update       : {start + runTime}", $"run_time          : {runTime}",
            $"execs_done        : {execs}", $"corpus_found      : {found}", $"corpus_count      : {queue}",
            $"saved_crashes     : {crashes}", "saved_hangs       : 0", $"bitmap_cvg        : {coverage}", "afl_version       : ++4.04c",
        ]);
    }

    [Fact]
    public void Instances_of_one_campaign_are_added_up()
    {
        Instance("main", 1000, 60, 300_000, 40, 500, "4.10%", 1);
        Instance("s1", 1002, 58, 280_000, 25, 520, "4.30%", 0);
        var whatsup = "Summary stats\n=============\n\n       Fuzzers alive : 0\n    Cumulative speed : 9666 execs/sec\n";
        var stats = CampaignStats.Read("decode", _dir, whatsup, corpusMinimized: 123);
        Assert.Equal(2, stats.Instances);
        Assert.Equal(580_000, stats.Executions);
        Assert.Equal(60, stats.RunTimeSeconds);
        Assert.Equal(9666.7, stats.ExecsPerSecond);
        Assert.Equal((65L, 520L, 1L), (stats.PathsFound, stats.PathsTotal, stats.Crashes));
        Assert.Equal("4.30%", stats.BitmapCoverage);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1000), stats.StartedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1060), stats.FinishedAt);
        Assert.Equal(123, stats.CorpusMinimized);
        Assert.Equal("9666 execs/sec", stats.Whatsup!["Cumulative speed"]);
    }

    [Fact]
    public void A_single_instance_reads_as_before()
    {
        Instance("default", 1000, 30, 90_000, 7, 107, "2.00%", 0);
        var stats = CampaignStats.Read("text", _dir);
        Assert.Equal((1, 90_000L, 3000.0, 7L), (stats.Instances, stats.Executions, stats.ExecsPerSecond, stats.PathsFound));
        Assert.Null(stats.Whatsup);
        Assert.Null(stats.CorpusMinimized);
    }
}
