#include "CClockSet.h"

#include <errno.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

static int arm(int fd) {
    // Absolute and far beyond any real date (the kernel clamps it): the timer
    // never expires by itself, under libfaketime's offsets neither.
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)1 << 40;
    return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL);
}

int evald_clockset_open(void) {
    int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
    if (fd < 0) return -1;
    if (arm(fd) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int evald_clockset_wait(int fd) {
    for (;;) {
        uint64_t expirations = 0;
        ssize_t got = read(fd, &expirations, sizeof expirations);
        if (got == (ssize_t)sizeof expirations) return 0;
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno == ECANCELED) return arm(fd) == 0 ? 1 : -1;
        return -1;
    }
}

int evald_clockset_wake(int fd) {
    // Relative, one nanosecond: expires at once, whatever the wall clock says.
    struct itimerspec spec = {0};
    spec.it_value.tv_nsec = 1;
    return timerfd_settime(fd, 0, &spec, NULL);
}

int evald_sleep_monotonic_raw(unsigned seconds) {
    struct timespec left = {.tv_sec = (time_t)seconds, .tv_nsec = 0};
    for (;;) {
        struct timespec request = left;
        long rc = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &request, &left);
        if (rc == 0) return 0;
        // The raw call returns the error number itself (no errno) on some ABIs.
        if (rc == EINTR || (rc == -1 && errno == EINTR)) continue;
        return -1;
    }
}
