// Why this file exists
// --------------------
// On Linux, Swift's runtime (libswiftCore, stdlib/public/stubs/CommandLine.cpp
// since Swift 5.9) does not get argc/argv from main(). A static C++ constructor
// in libswiftCore finds the stack through /proc/self/maps and walks back from
// `environ` to argc. That fails in two cases seen with evald:
//   * no /proc (a chroot, a minimal container): no stack found, no arguments;
//   * LD_PRELOAD=libfaketime.so.1: libfaketime's constructor calls
//     setenv("FAKETIME_SHARED", ...), glibc moves `environ` to the heap, the
//     walk finds no stack pointer and CommandLine.arguments is [].
//     (The `faketime` wrapper sets FAKETIME_SHARED before exec, so setenv only
//     replaces a value in place and `environ` stays on the stack: it works.)
//
// glibc calls every ELF constructor with (argc, argv, envp), taken from the
// initial stack before any setenv, and needs no /proc. This constructor keeps
// them and hands them to the runtime's documented override hook, which the
// runtime consults first when `CommandLine` is first used (lazily, after all
// constructors have run).

#include "CProcessArguments.h"

#include <stddef.h>

// Exported by libswiftCore ("findable by dlopen() for JIT purposes"); Swift
// calling convention. Weak, so a runtime without it degrades to its own lookup.
extern void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc)
    __attribute__((swiftcall, weak));

static int kept_argc;
static char **kept_argv;
static int overrode_runtime;

__attribute__((constructor))
static void evald_keep_process_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc <= 0 || argv == NULL) return;
    kept_argc = argc;
    kept_argv = argv;
    if (_swift_stdlib_overrideUnsafeArgvArgc != NULL) {
        _swift_stdlib_overrideUnsafeArgvArgc(argv, argc);
        overrode_runtime = 1;
    }
}

int evald_process_argc(void) { return kept_argc; }

char *const *evald_process_argv(void) { return kept_argv; }

int evald_process_arguments_overrode_runtime(void) { return overrode_runtime; }
