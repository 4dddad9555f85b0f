// A test-only SQLite VFS that passes every call to the default VFS and logs,
// per file, every write, truncate and sync in order: the material from which
// a test builds the file images a power cut at any point would leave
// (the model of SQLite's own src/test6.c: writes after a file's last sync may
// be lost, reordered or torn). Not linked into anything shipped.
#ifndef CRASHVFS_H
#define CRASHVFS_H
#include <stddef.h>
#include <stdint.h>

enum crashvfs_op { CRASHVFS_WRITE = 0, CRASHVFS_TRUNCATE = 1, CRASHVFS_SYNC = 2, CRASHVFS_DELETE = 3 };

typedef struct crashvfs_entry {
    int op;
    int file;              // index into crashvfs_file_name
    int64_t offset;        // write offset, or the truncated size
    int64_t length;        // bytes written (data points at them)
    const unsigned char *data;
} crashvfs_entry;

// Registers the logging VFS as the default. Returns 0 (SQLITE_OK) on success.
int crashvfs_install(void);
// Restores the previous default VFS; the log stays readable.
void crashvfs_uninstall(void);
// Entries logged so far; the pointer is valid until the next logged call.
size_t crashvfs_count(void);
const crashvfs_entry *crashvfs_entry_at(size_t index);
// The path of a logged file.
const char *crashvfs_file_name(int file);
int crashvfs_file_count(void);
#endif
