// copy SRC DST: copies a file, then reports the size of the copy.
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: copy SRC DST\n"); return 2; }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { fprintf(stderr, "copy: %s: %s\n", argv[1], strerror(errno)); return 1; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { fprintf(stderr, "copy: %s: %s\n", argv[2], strerror(errno)); return 1; }
    char buffer[1000];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) fwrite(buffer, 1, n, out);
    fclose(in);
    fclose(out);
    struct stat st;
    if (stat(argv[2], &st) != 0) { perror("stat"); return 1; }
    printf("copied %lld bytes\n", (long long)st.st_size);
    return 0;
}
