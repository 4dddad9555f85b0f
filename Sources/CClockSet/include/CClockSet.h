#ifndef EVALD_CCLOCKSET_H
#define EVALD_CCLOCKSET_H

/// A timerfd on CLOCK_REALTIME armed far in the future with
/// TFD_TIMER_CANCEL_ON_SET: read(2) on it fails with ECANCELED whenever the
/// wall clock is set (NTP step, `date -s`, timedatectl), which is how the
/// agent re-arms its wall-clock deadlines at once instead of at its next
/// hourly look. Swift's Glibc module does not export timerfd.

/// The descriptor, armed; -1 with errno on failure.
int evald_clockset_open(void);

/// Blocks until something happens: 1 the wall clock was set (the timer is
/// re-armed), 0 woken by evald_clockset_wake, -1 an error (errno).
int evald_clockset_wait(int fd);

/// Makes a blocked (or the next) evald_clockset_wait return 0.
int evald_clockset_wake(int fd);

/// Sleeps `seconds` on CLOCK_MONOTONIC through the raw system call, not
/// libc's clock_nanosleep: a preloaded time faker (libfaketime) cannot stretch
/// it, so the stop deadline holds under one too. Returns 0, or -1 (errno).
int evald_sleep_monotonic_raw(unsigned seconds);

#endif
