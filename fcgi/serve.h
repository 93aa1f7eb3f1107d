/*
 * serve.h - one serving process: accept FastCGI requests on the listening
 * socket (fd 0) and answer them until SIGTERM or SIGINT.
 */
#ifndef SERVE_H
#define SERVE_H

#include "med.h"
#include "log.h"

/*
 * Open this process's own database connection and access log, serve, and
 * close them again.  Returns the exit status: 0 after a stop request, 1 on
 * a failure to start or to accept.  Call it in the process that serves,
 * after any fork: SQLite connections must never cross one.
 */
int serve(const struct med_config *cfg, struct logs *lg);

#endif
