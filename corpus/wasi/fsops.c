// fsops: file system operations and their errors, printed as errno names, for comparison across engines.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *what, int result) {
    printf("%-40s %s\n", what, result == 0 ? "ok" : strerror(errno));
}

int main(void) {
    report("mkdir made", mkdir("made", 0755));
    report("mkdir made (again)", mkdir("made", 0755));
    report("mkdir missing/x", mkdir("missing/x", 0755));
    report("mkdir inside.txt/x", mkdir("inside.txt/x", 0755));
    int fd = open("made/file.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    report("open made/file.txt O_CREAT|O_EXCL", fd < 0 ? -1 : 0);
    if (fd >= 0) { write(fd, "abc", 3); close(fd); }
    report("open made/file.txt O_CREAT|O_EXCL (again)", open("made/file.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 ? -1 : 0);
    report("open made O_WRONLY", open("made", O_WRONLY) < 0 ? -1 : 0);
    report("open inside.txt O_DIRECTORY", open("inside.txt", O_RDONLY | O_DIRECTORY) < 0 ? -1 : 0);
    report("open nothing.txt", open("nothing.txt", O_RDONLY) < 0 ? -1 : 0);
    report("rmdir made (not empty)", rmdir("made"));
    report("rmdir inside.txt", rmdir("inside.txt"));
    report("unlink made", unlink("made"));
    report("unlink nothing", unlink("nothing"));
    report("rename made/file.txt made/renamed.txt", rename("made/file.txt", "made/renamed.txt"));
    report("rename nothing x", rename("nothing", "x"));
    report("link made/renamed.txt hard.txt", link("made/renamed.txt", "hard.txt"));
    report("link made/renamed.txt inside.txt", link("made/renamed.txt", "inside.txt"));
    report("symlink inside.txt soft", symlink("inside.txt", "soft"));
    report("symlink x soft (again)", symlink("x", "soft"));
    char target[64] = {0};
    ssize_t n = readlink("soft", target, sizeof target - 1);
    printf("%-40s %s\n", "readlink soft", n < 0 ? strerror(errno) : target);
    report("readlink inside.txt", readlink("inside.txt", target, sizeof target) < 0 ? -1 : 0);
    struct stat st;
    report("stat made/renamed.txt", stat("made/renamed.txt", &st));
    printf("%-40s %lld\n", "size", (long long)st.st_size);
    report("lstat soft", lstat("soft", &st));
    printf("%-40s %s\n", "is link", S_ISLNK(st.st_mode) ? "yes" : "no");
    report("truncate made/renamed.txt 1", truncate("made/renamed.txt", 1));
    report("unlink soft", unlink("soft"));
    report("unlink made/renamed.txt", unlink("made/renamed.txt"));
    report("rmdir made", rmdir("made"));
    report("rmdir ..", rmdir(".."));
    report("mkdir ../out", mkdir("../out", 0755));
    report("rename inside.txt ../moved.txt", rename("inside.txt", "../moved.txt"));
    return 0;
}
