// walk DIR: prints every entry under DIR, depth first, in sorted order, with a trailing / on directories.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk(const char *path, int depth) {
    DIR *dir = opendir(path);
    if (!dir) { perror(path); return; }
    char *names[256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 256) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], compare);
    for (int i = 0; i < count; i++) {
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        struct stat st;
        int isDir = lstat(child, &st) == 0 && S_ISDIR(st.st_mode);
        printf("%*s%s%s\n", depth * 2, "", names[i], isDir ? "/" : "");
        if (isDir) walk(child, depth + 1);
        free(names[i]);
    }
}

int main(int argc, char **argv) {
    walk(argc > 1 ? argv[1] : ".", 0);
    return 0;
}
