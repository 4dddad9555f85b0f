#include "crashvfs.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static sqlite3_vfs *base;
static sqlite3_vfs logging;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static crashvfs_entry *entries;
static size_t count, capacity;
static char *names[64];
static int name_count;

typedef struct {
    sqlite3_file header;    // must be first: SQLite sees a sqlite3_file
    int id;                 // -1: not logged (temp files)
    sqlite3_file *real;     // the base VFS's file, allocated after us
} logged_file;

static int file_id(const char *name) {
    for (int i = 0; i < name_count; i++) if (strcmp(names[i], name) == 0) return i;
    if (name_count == 64) return -1;
    names[name_count] = strdup(name);
    return name_count++;
}

static void append(int op, int file, int64_t offset, const void *data, int64_t length) {
    pthread_mutex_lock(&lock);
    if (count == capacity) {
        capacity = capacity ? capacity * 2 : 4096;
        entries = realloc(entries, capacity * sizeof *entries);
    }
    unsigned char *copy = NULL;
    if (length > 0) { copy = malloc((size_t)length); memcpy(copy, data, (size_t)length); }
    entries[count++] = (crashvfs_entry){ op, file, offset, length, copy };
    pthread_mutex_unlock(&lock);
}

#define REAL(f) (((logged_file *)(f))->real)
#define ID(f) (((logged_file *)(f))->id)

static int x_close(sqlite3_file *f) { int rc = REAL(f)->pMethods->xClose(REAL(f)); sqlite3_free(REAL(f)); return rc; }
static int x_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int x_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o) {
    int rc = REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
    if (rc == SQLITE_OK && ID(f) >= 0) append(CRASHVFS_WRITE, ID(f), o, b, n);
    return rc;
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 size) {
    int rc = REAL(f)->pMethods->xTruncate(REAL(f), size);
    if (rc == SQLITE_OK && ID(f) >= 0) append(CRASHVFS_TRUNCATE, ID(f), size, NULL, 0);
    return rc;
}
static int x_sync(sqlite3_file *f, int flags) {
    int rc = REAL(f)->pMethods->xSync(REAL(f), flags);
    if (rc == SQLITE_OK && ID(f) >= 0) append(CRASHVFS_SYNC, ID(f), 0, NULL, 0);
    return rc;
}
static int x_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int x_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int x_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int x_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int x_control(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int x_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int x_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int x_shm_map(sqlite3_file *f, int p, int s, int e, void volatile **m) { return REAL(f)->pMethods->xShmMap(REAL(f), p, s, e, m); }
static int x_shm_lock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void x_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int x_shm_unmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }
static int x_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int x_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods methods = {
    3, x_close, x_read, x_write, x_truncate, x_sync, x_size, x_lock, x_unlock, x_check, x_control,
    x_sector, x_device, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch,
};

static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out) {
    (void)vfs;
    logged_file *f = (logged_file *)file;
    f->real = sqlite3_malloc(base->szOsFile);
    if (!f->real) return SQLITE_NOMEM;
    memset(f->real, 0, (size_t)base->szOsFile);
    int rc = base->xOpen(base, name, f->real, flags, out);
    if (rc != SQLITE_OK) { sqlite3_free(f->real); f->header.pMethods = NULL; return rc; }
    // The database and its WAL are what a power cut acts on; the -shm index is
    // rebuilt from the WAL after a crash, temp files do not survive one.
    f->id = (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) ? file_id(name) : -1;
    f->header.pMethods = &methods;
    return SQLITE_OK;
}

static int x_delete(sqlite3_vfs *vfs, const char *name, int dirsync) {
    (void)vfs;
    int rc = base->xDelete(base, name, dirsync);
    if (rc == SQLITE_OK) {
        for (int i = 0; i < name_count; i++)
            if (strcmp(names[i], name) == 0) append(CRASHVFS_DELETE, i, 0, NULL, 0);
    }
    return rc;
}
static int x_access(sqlite3_vfs *v, const char *n, int f, int *r) { (void)v; return base->xAccess(base, n, f, r); }
static int x_full(sqlite3_vfs *v, const char *n, int o, char *out) { (void)v; return base->xFullPathname(base, n, o, out); }
static void *x_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return base->xDlOpen(base, n); }
static void x_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; base->xDlError(base, n, m); }
static void (*x_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return base->xDlSym(base, h, s); }
static void x_dlclose(sqlite3_vfs *v, void *h) { (void)v; base->xDlClose(base, h); }
static int x_random(sqlite3_vfs *v, int n, char *o) { (void)v; return base->xRandomness(base, n, o); }
static int x_sleep(sqlite3_vfs *v, int us) { (void)v; return base->xSleep(base, us); }
static int x_time(sqlite3_vfs *v, double *t) { (void)v; return base->xCurrentTime(base, t); }
static int x_error(sqlite3_vfs *v, int n, char *m) { (void)v; return base->xGetLastError(base, n, m); }
static int x_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return base->xCurrentTimeInt64(base, t); }

int crashvfs_install(void) {
    base = sqlite3_vfs_find(NULL);
    if (!base) return SQLITE_ERROR;
    logging = (sqlite3_vfs){
        2, (int)sizeof(logged_file), base->mxPathname, NULL, "crashlog", NULL,
        x_open, x_delete, x_access, x_full, x_dlopen, x_dlerror, x_dlsym, x_dlclose,
        x_random, x_sleep, x_time, x_error, x_time64,
    };
    return sqlite3_vfs_register(&logging, 1);
}

void crashvfs_uninstall(void) {
    sqlite3_vfs_unregister(&logging);
    if (base) sqlite3_vfs_register(base, 1);
}

size_t crashvfs_count(void) { pthread_mutex_lock(&lock); size_t n = count; pthread_mutex_unlock(&lock); return n; }
const crashvfs_entry *crashvfs_entry_at(size_t index) { return &entries[index]; }
const char *crashvfs_file_name(int file) { return names[file]; }
int crashvfs_file_count(void) { return name_count; }
