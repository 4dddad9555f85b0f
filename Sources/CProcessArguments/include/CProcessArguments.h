#ifndef EVALD_C_PROCESS_ARGUMENTS_H
#define EVALD_C_PROCESS_ARGUMENTS_H

/// The argument vector glibc passed to this program's ELF constructors, kept
/// before anything else could lose it (see ProcessArguments.c).
/// `evald_process_argc()` is 0 when no constructor received it.
int evald_process_argc(void);
char *const *evald_process_argv(void);

/// Whether the constructor handed the vector to the Swift runtime, so that
/// `CommandLine.arguments` is right even where the runtime's own lookup fails.
int evald_process_arguments_overrode_runtime(void);

#endif
