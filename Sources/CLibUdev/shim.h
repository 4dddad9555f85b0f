// libudev (Debian: libudev-dev) for device enumeration, identity and the
// uevent monitor. libusb already loads libudev; umockdev emulates it in tests.
#include <libudev.h>
