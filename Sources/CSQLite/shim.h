#include <sqlite3.h>

/// Turns off SQLite's memory statistics, before the library is first used:
/// with them on, every sqlite3_malloc and sqlite3_free takes one global mutex
/// (about a tenth of the queue writer's time in a profile). evald never reads
/// sqlite3_memory_used(). sqlite3_config is variadic, so Swift cannot call it.
/// Returns SQLITE_MISUSE, harmlessly, once SQLite is already initialised.
static inline int evald_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
