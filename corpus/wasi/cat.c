// cat: copies each file named on the command line (or stdin when none) to stdout.
#include <stdio.h>
#include <string.h>
#include <errno.h>

static int copy(FILE *in) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) {
        if (fwrite(buffer, 1, n, stdout) != n) return 1;
    }
    return ferror(in) ? 1 : 0;
}

int main(int argc, char **argv) {
    int status = 0;
    if (argc < 2) return copy(stdin);
    for (int i = 1; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        status |= copy(in);
        fclose(in);
    }
    return status;
}
