/*
 * command.h - run an administrator's command (MAIL_COMMAND and the like)
 * with a time limit, without the shell ever seeing our data: the command
 * line is `sh -c COMMAND sh [ARG]`, what it reads arrives on its standard
 * input.
 *
 * The library installs no signal handlers: standard input is a socket
 * pair written with MSG_NOSIGNAL (a command that exits without reading
 * costs an EPIPE, not a SIGPIPE), and the child's signal mask and
 * dispositions are reset before exec, whatever the program did to its own.
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stddef.h>
#include "med.h"

/* What a run gives back: how it ended and the start of what it printed. */
struct cmd_result {
	int exited;          /* 1: exited by itself, with exit_status */
	int exit_status;
	int signal;          /* the signal that ended it, 0 if none */
	int timed_out;       /* 1: killed (with its process group) at the time limit */
	char output[256];    /* first bytes of its stdout and stderr, NUL-terminated */
};

/*
 * Run command (by /bin/sh) with $1 = arg when arg != NULL, input[0..len)
 * on standard input (then end of file), stdout and stderr captured.  The
 * command runs in its own process group; after timeout_ms the whole group
 * is killed (SIGKILL), so a hung mailer and whatever it started go away.
 * MED_OK when it exited with status 0; MED_EIO when it failed, was killed
 * or timed out (r says which); MED_EIO/MED_ENOMEM when it could not start.
 */
enum med_err cmd_run(const char *command, const char *arg, const char *input, size_t len,
    int timeout_ms, struct cmd_result *r);

/* One line for logs and last_error: "exit 75: relay refused", "timed out after 30 s". */
void cmd_describe(const struct cmd_result *r, int timeout_ms, char *buf, size_t size);

#endif
