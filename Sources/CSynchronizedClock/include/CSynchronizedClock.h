#ifndef EVALD_CSYNCHRONIZEDCLOCK_H
#define EVALD_CSYNCHRONIZEDCLOCK_H

struct timex;

/// Test support (a preload library): reports the kernel clock synchronised.
int adjtimex(struct timex *buf);

#endif
