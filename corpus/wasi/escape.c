// escape: tries to leave its preopened directory; prints what each attempt got. Every attempt must fail.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_open(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        char buffer[64] = {0};
        ssize_t n = read(fd, buffer, sizeof buffer - 1);
        printf("open %s: OPENED (%zd bytes)\n", path, n);
        close(fd);
    } else {
        printf("open %s: %s\n", path, strerror(errno));
    }
}

int main(void) {
    try_open("../secret.txt");
    try_open("sub/../../secret.txt");
    try_open("/etc/passwd");
    try_open("link-out");                 // a symlink to ../secret.txt made by the test
    try_open("link-abs");                 // a symlink to an absolute path made by the test
    if (symlink("../secret.txt", "made-link") == 0) try_open("made-link");
    else printf("symlink: %s\n", strerror(errno));
    try_open("inside.txt");
    return 0;
}
