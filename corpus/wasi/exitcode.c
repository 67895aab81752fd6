// exitcode N: writes to stdout and stderr, then exits with N through exit() (proc_exit).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d\n", code);
    fprintf(stderr, "to stderr\n");
    exit(code);
}
