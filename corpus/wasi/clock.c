// clock: checks that clocks move forward across a sleep and that random bytes are not all zero.
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

int main(void) {
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(20000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long elapsed = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept: %s\n", elapsed >= 15000000 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &r);
    printf("after 2020: %s\n", r.tv_sec > 1577836800 ? "yes" : "no");
    unsigned char bytes[32] = {0};
    getentropy(bytes, sizeof bytes);
    int nonzero = 0;
    for (int i = 0; i < 32; i++) nonzero |= bytes[i];
    printf("random: %s\n", nonzero ? "yes" : "no");
    return 0;
}
