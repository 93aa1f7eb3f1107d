/*
 * medfcgi.h - limits and small types of the FastCGI worker (fcgi/main.c).
 *
 * Process model: spawn-fcgi starts one medfcgi with the listening socket
 * on fd 0.  That process is a master that never touches the database; it
 * forks N children, each of which opens its own struct med_ctx (SQLite
 * connections must never cross a fork) and accepts on the inherited
 * socket.  The master restarts children that die and, on SIGTERM, SIGINT
 * or SIGHUP, stops them and exits 0.
 */
#ifndef MEDFCGI_H
#define MEDFCGI_H

#include <stdint.h>
#include <sys/types.h>

#define MEDFCGI_MAX_WORKERS 256

/*
 * A body over MED_BODY_MAX is answered 413 without being stored; up to
 * this many bytes of it are read and discarded first so that nginx, which
 * writes the whole request before it reads the answer, sees a clean 413
 * instead of a broken pipe.  Bigger bodies are simply not read.
 */
#define MEDFCGI_DRAIN_MAX (16u * 1024 * 1024)

#define MEDFCGI_LOG_PATH_MAX 256   /* longest path written to access.log */
#define MEDFCGI_LOG_METHOD_MAX 16

/* Supervision timing, in milliseconds. */
#define MEDFCGI_FAST_DEATH_MS 1000 /* a child dying younger than this failed to start */
#define MEDFCGI_BACKOFF_MIN_MS 100
#define MEDFCGI_BACKOFF_MAX_MS 5000
#define MEDFCGI_STOP_GRACE_MS 10000 /* SIGTERM to SIGKILL on shutdown */
#define MEDFCGI_STOP_NUDGE_MS 500   /* repeat SIGTERM while children linger */

/* Log descriptors of one process; -1 when closed. */
struct logs {
	int error_fd;   /* <data_dir>/log/worker.log; stderr when -1 */
	int access_fd;  /* <data_dir>/log/access.log; children only */
};

/* One supervised child. */
struct slot {
	pid_t pid;            /* 0 when not running */
	int64_t started_ms;   /* monotonic */
	int64_t restart_ms;   /* monotonic time of the next start; 0 = none due */
	unsigned fails;       /* consecutive fast deaths, drives the backoff */
};

#endif
