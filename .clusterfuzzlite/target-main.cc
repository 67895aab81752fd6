// One libFuzzer binary per fuzz target, for ClusterFuzzLite and OSS-Fuzz.
//
// libfuzzer-dotnet (SharpFuzz's libFuzzer driver) starts the .NET target named by the --target_path and
// --target_arg flags of its command line. ClusterFuzzLite runs every binary in $OUT with libFuzzer's flags only, so
// build.sh compiles libfuzzer-dotnet.cc with its LLVMFuzzerInitialize renamed to DriverInitialize (-D) and links
// it with this file, which adds the two flags: the .NET program published beside the binary (fuzz-bin/fuzz, found
// from /proc/self/exe, since $OUT is not at the same place when it runs) and this binary's target (FUZZ_TARGET,
// -D at compile time). libFuzzer itself ignores flags that start with "--".
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#ifndef FUZZ_TARGET
#error "compile with -DFUZZ_TARGET=\"name\""
#endif

extern "C" int DriverInitialize(int *argc, char ***argv);

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char self[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
    {
        return DriverInitialize(argc, argv);
    }
    self[length] = '\0';
    std::string dir(self);
    dir.erase(dir.rfind('/'));
    // Kept for the whole run: the driver keeps pointers into them.
    static std::string path = "--target_path=" + dir + "/fuzz-bin/fuzz";
    static std::string target = std::string("--target_arg=") + FUZZ_TARGET;
    static std::vector<char *> args;
    args.assign(*argv, *argv + *argc);
    args.push_back(&path[0]);
    args.push_back(&target[0]);
    args.push_back(nullptr);
    int count = static_cast<int>(args.size()) - 1;
    char **values = args.data();
    return DriverInitialize(&count, &values);
}
