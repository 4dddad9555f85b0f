// Test-only: a libumockdev testbed driven from Swift (hotplug tests). The
// wrappers hide GObject/GError so the Swift side sees plain C types.
#include <umockdev.h>

static inline void *evald_testbed_new(void) { return umockdev_testbed_new(); }

/// Returns NULL on success, else an error message the caller must g_free.
static inline char *evald_testbed_add_from_file(void *testbed, const char *path) {
    GError *error = NULL;
    if (umockdev_testbed_add_from_file((UMockdevTestbed *)testbed, path, &error)) return NULL;
    char *message = g_strdup(error->message);
    g_error_free(error);
    return message;
}

static inline char *evald_testbed_load_ioctl(void *testbed, const char *device, const char *path) {
    GError *error = NULL;
    if (umockdev_testbed_load_ioctl((UMockdevTestbed *)testbed, device, path, &error)) return NULL;
    char *message = g_strdup(error->message);
    g_error_free(error);
    return message;
}

static inline void evald_testbed_uevent(void *testbed, const char *syspath, const char *action) {
    umockdev_testbed_uevent((UMockdevTestbed *)testbed, syspath, action);
}

static inline void evald_free(char *text) { g_free(text); }

static inline char *evald_testbed_load_evemu_events(void *testbed, const char *device, const char *path) {
    GError *error = NULL;
    if (umockdev_testbed_load_evemu_events((UMockdevTestbed *)testbed, device, path, &error)) return NULL;
    char *message = g_strdup(error->message);
    g_error_free(error);
    return message;
}

static inline char *evald_testbed_load_script(void *testbed, const char *device, const char *path) {
    GError *error = NULL;
    if (umockdev_testbed_load_script((UMockdevTestbed *)testbed, device, path, &error)) return NULL;
    char *message = g_strdup(error->message);
    g_error_free(error);
    return message;
}

static inline void evald_testbed_remove_device(void *testbed, const char *syspath) {
    umockdev_testbed_remove_device((UMockdevTestbed *)testbed, syspath);
}
