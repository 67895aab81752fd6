namespace WasmHarness.Wasi.Host;

/// <summary>Linux errno values to WASI's.</summary>
internal static class HostErrno
{
    public static Errno ToWasi(int errno) => errno switch
    {
        1 => Errno.Perm,
        2 => Errno.NoEnt,
        5 => Errno.Io,
        9 => Errno.Badf,
        11 => Errno.Again,
        12 => Errno.NoMem,
        13 => Errno.Acces,
        14 => Errno.Fault,
        16 => Errno.Busy,
        17 => Errno.Exist,
        18 => Errno.Xdev,
        20 => Errno.NotDir,
        21 => Errno.IsDir,
        22 => Errno.Inval,
        23 => Errno.Nfile,
        24 => Errno.Mfile,
        26 => Errno.TxtBsy,
        27 => Errno.Fbig,
        28 => Errno.NoSpc,
        29 => Errno.Spipe,
        30 => Errno.Rofs,
        31 => Errno.Mlink,
        32 => Errno.Pipe,
        36 => Errno.NameTooLong,
        38 => Errno.NoSys,
        39 => Errno.NotEmpty,
        40 => Errno.Loop,
        95 => Errno.NotSup,
        122 => Errno.Dquot,
        _ => Errno.Io,
    };

    /// <summary>The errno for an exception thrown by a .NET API (streams, <see cref="RandomAccess"/>).</summary>
    public static Errno FromException(Exception e) => e switch
    {
        WasiErrorException wasi => wasi.Errno,
        FileNotFoundException or DirectoryNotFoundException => Errno.NoEnt,
        UnauthorizedAccessException => Errno.Acces,
        PathTooLongException => Errno.NameTooLong,
        IOException io when io.HResult is > 0 and < 200 => ToWasi(io.HResult),
        IOException => Errno.Io,
        ArgumentException => Errno.Inval,
        NotSupportedException => Errno.NotSup,
        _ => Errno.Io,
    };
}
