/*
 * proc.h - run a program as a test would from a shell: its stdin from a
 * file, stdout and stderr captured.  Shared by the medadm unit suite and
 * the end-to-end suites that drive medadm against the stack's database.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>

/* Read a small file into buf (always NUL-terminated; "" when missing). */
void proc_slurp(const char *path, char *buf, size_t size);

/*
 * Run argv[0] with argv (NULL-terminated): stdin from in_path (NULL keeps
 * ours), stdout and stderr through the files out_path and err_path into
 * out[] and err[] (the files are removed).  Asserts the program exited
 * normally; returns its exit status.
 */
int proc_run(char *const argv[], const char *in_path, const char *out_path,
    const char *err_path, char *out, size_t out_size, char *err, size_t err_size);

#endif
