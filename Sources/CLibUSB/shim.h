#include <libusb-1.0/libusb.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <string.h>
#include <unistd.h>

// The evdev ioctls are function-like macros, which Swift cannot import; these
// wrappers give EvalDevices' evdev backend a callable form.

static inline int evald_evdev_grab(int fd, int grab) { return ioctl(fd, EVIOCGRAB, grab); }

static inline int evald_evdev_name(int fd, char *buffer, int length) {
    memset(buffer, 0, (size_t)length);
    return ioctl(fd, EVIOCGNAME(length - 1), buffer);
}

static inline int evald_evdev_phys(int fd, char *buffer, int length) {
    memset(buffer, 0, (size_t)length);
    return ioctl(fd, EVIOCGPHYS(length - 1), buffer);
}

static inline int evald_evdev_uniq(int fd, char *buffer, int length) {
    memset(buffer, 0, (size_t)length);
    return ioctl(fd, EVIOCGUNIQ(length - 1), buffer);
}

static inline int evald_evdev_id(int fd, struct input_id *id) { return ioctl(fd, EVIOCGID, id); }

static inline int evald_evdev_version(int fd, int *version) { return ioctl(fd, EVIOCGVERSION, version); }

// Asks the kernel to stamp this descriptor's events on `clock_id`
// (CLOCK_BOOTTIME), so an event's time is comparable with the boottime
// stamps of other input whatever the wall clock does.
static inline int evald_evdev_set_clock(int fd, int clock_id) { return ioctl(fd, EVIOCSCLOCKID, &clock_id); }

// HIDIOCGRAWINFO lives in linux/hidraw.h.
#include <linux/hidraw.h>
static inline int evald_hidraw_info(int fd, struct hidraw_devinfo *info) { return ioctl(fd, HIDIOCGRAWINFO, info); }
static inline int evald_hidraw_name(int fd, char *buffer, int length) {
    memset(buffer, 0, (size_t)length);
    return ioctl(fd, HIDIOCGRAWNAME(length - 1), buffer);
}

// A feature report to a hidraw device (byte 0 the report ID): the prompts'
// `feature` outputs. Output reports are a plain write().
static inline int evald_hidraw_set_feature(int fd, const unsigned char *report, int length) {
    return ioctl(fd, HIDIOCSFEATURE(length), report);
}

// Sets an evdev LED: an EV_LED event then a SYN_REPORT, written to the node.
static inline int evald_evdev_set_led(int fd, unsigned short code, int on) {
    struct input_event events[2];
    memset(events, 0, sizeof events);
    events[0].type = EV_LED;
    events[0].code = code;
    events[0].value = on ? 1 : 0;
    events[1].type = EV_SYN;
    events[1].code = SYN_REPORT;
    return (int)write(fd, events, sizeof events);
}
