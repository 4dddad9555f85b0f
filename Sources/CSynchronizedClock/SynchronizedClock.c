// Test support, never linked into evald: a preload library whose adjtimex(2)
// reports the kernel clock as synchronised (TIME_OK, STA_UNSYNC clear).
//
// Why: evald trusts its wall clock when the kernel says NTP keeps it, and a
// CI machine or container often says it does not. A test that moves evald's
// calendar with libfaketime then also needs the kernel's word for the faked
// clock, or it depends on the platform simulator's `Date` (which libfaketime
// makes stale). Preloaded next to libfaketime:
//   LD_PRELOAD=libfaketime.so.1:libevald-test-synchronized-clock.so
// evald looks adjtimex up with dlsym(RTLD_DEFAULT, ...), so this one is found first.

#include "CSynchronizedClock.h"

#include <string.h>
#include <sys/timex.h>

int adjtimex(struct timex *buf) {
    memset(buf, 0, sizeof *buf);
    buf->status = STA_PLL;
    buf->maxerror = 1000;
    buf->esterror = 100;
    return TIME_OK;
}
