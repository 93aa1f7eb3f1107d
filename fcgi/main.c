/*
 * medfcgi - the FastCGI worker: FastCGI parameters in, struct med_req to
 * med_handle(), struct med_resp back out as a CGI response.
 *
 *   medfcgi [-w N | --workers N | --single]
 *
 * The listening socket is fd 0, where spawn-fcgi and systemd's
 * StandardInput=socket put it; with systemd's own socket passing
 * (LISTEN_FDS) it is fd 3 and moves to fd 0.  Two ways to run:
 *
 *   pool    N > 0 (default MED_WORKERS, else 2 per online CPU): this
 *           process is a master supervising N serving children (pool.c);
 *           it creates missing JWT keys before it forks them;
 *   single  -w 0, --single or MED_WORKERS=0, and by default when systemd
 *           passed the socket with LISTEN_FDS: this process serves
 *           (serve.c) and whoever started it restarts it.  Several single
 *           workers may share one socket; valgrind wants this mode too.
 *           The keys must exist (medadm init): it refuses to start without.
 *
 * The files by concern: adapter.c (FastCGI <-> med_req/med_resp), log.c
 * (worker.log, access.log), serve.c (one serving process), pool.c (the
 * master); this one only starts up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "med.h"
#include "log.h"
#include "pool.h"
#include "serve.h"

#define SD_LISTEN_FDS_START 3

static void
usage(FILE *f)
{
	fprintf(f, "usage: medfcgi [-w N | --workers N | --single]\n"
	    "Run under spawn-fcgi or systemd (listening socket on fd 0, or passed\n"
	    "with LISTEN_FDS).  N worker processes under a master (default\n"
	    "$MED_WORKERS, else 2 per CPU); 0 or --single serves in this one process,\n"
	    "the default when systemd passed the socket with LISTEN_FDS.\n"
	    "Logs go to $MED_DATA_DIR/log/.\n");
}

/* A worker count: digits only, 0..POOL_MAX_WORKERS. */
static int
parse_workers(const char *s, int *n)
{
	long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > POOL_MAX_WORKERS)
			return -1;
	}
	*n = (int)v;
	return 0;
}

/*
 * Socket-activated workers are started one per unit instance by systemd,
 * which also restarts them: a pool under each would multiply the count
 * and hide deaths from systemd, so that start means single, even when the
 * environment file shared with the pooled unit sets MED_WORKERS.
 */
static int
default_workers(int activated, int *n)
{
	const char *env = getenv("MED_WORKERS");
	long cpus;

	if (activated) {
		*n = 0;
		return 0;
	}
	if (env != NULL && *env != '\0')
		return parse_workers(env, n);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	*n = cpus * 2 > POOL_MAX_WORKERS ? POOL_MAX_WORKERS : (int)(cpus * 2);
	return 0;
}

/* Returns 0 to run, 1 to exit 0 (help), -1 on a usage error. */
static int
parse_args(int argc, char **argv, int activated, int *workers)
{
	if (default_workers(activated, workers) != 0) {
		fprintf(stderr, "medfcgi: MED_WORKERS must be 0..%d\n", POOL_MAX_WORKERS);
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--single") == 0) {
			*workers = 0;
		} else if ((strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--workers") == 0) &&
		    i + 1 < argc) {
			if (parse_workers(argv[++i], workers) != 0) {
				fprintf(stderr, "medfcgi: worker count must be 0..%d\n",
				    POOL_MAX_WORKERS);
				return -1;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 1;
		} else {
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

/*
 * systemd's own socket passing (sd_listen_fds(3)): a unit with Sockets=
 * and without StandardInput=socket gets the socket as fd 3, announced by
 * LISTEN_FDS and LISTEN_PID.  libfcgi accepts on fd 0 only, so the socket
 * moves there.  The variables go away either way, as sd_listen_fds()
 * does it, so nothing this process starts takes them for its own.
 * Returns 1 when the socket came this way, 0 when it did not, -1 when
 * the passed descriptors are unusable (we serve exactly one socket).
 */
static int
take_listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long v;
	int ours, one;

	if (pid == NULL || fds == NULL)
		return 0;
	errno = 0;
	v = strtol(pid, &end, 10);
	ours = errno == 0 && end != pid && *end == '\0' && v == (long)getpid();
	one = strcmp(fds, "1") == 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!ours)
		return 0;
	if (!one || dup2(SD_LISTEN_FDS_START, FCGI_LISTENSOCK_FILENO) < 0)
		return -1;
	close(SD_LISTEN_FDS_START);
	return 1;
}

/*
 * Open and close the database once before serving, so a missing or
 * unreadable database stops the start-up with one clear log line instead
 * of a stream of dying children.  The connection is closed before any
 * fork.
 *
 * With make_keys (the pool's master), missing JWT keys are created here,
 * before the fork, so every worker reads the same ones.  A single worker
 * leaves them to serve(), which refuses to start without them: several
 * single workers share a socket, and each would make keys of its own.
 */
static int
probe_database(const struct med_config *cfg, const struct logs *lg, int make_keys)
{
	struct med_ctx ctx;
	enum med_err e;

	if ((e = med_ctx_open(&ctx, cfg, 0)) != MED_OK) {
		elog(lg, "cannot open database %s: %s", cfg->db_path, med_strerror(e));
		return -1;
	}
	if (make_keys && (e = med_ctx_load_secrets(&ctx, 0)) == MED_ENOTFOUND &&
	    (e = med_ctx_load_secrets(&ctx, 1)) == MED_OK)
		elog(lg, "no JWT keys in %s/secrets: created them for the workers", cfg->data_dir);
	med_ctx_close(&ctx);
	if (e != MED_OK) {
		elog(lg, "cannot read or create the JWT keys in %s/secrets: %s", cfg->data_dir,
		    med_strerror(e));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct med_config cfg;
	struct logs lg = { -1, -1 };
	enum med_err e;
	sigset_t early;
	int activated, workers, rc;

	activated = take_listen_fds();
	if ((rc = parse_args(argc, argv, activated > 0, &workers)) != 0)
		return rc > 0 ? 0 : 2;
	if ((e = med_config_from_env(&cfg)) != MED_OK) {
		fprintf(stderr, "medfcgi: configuration: %s\n", med_strerror(e));
		return 1;
	}
	if (log_open(cfg.data_dir, "worker.log", &lg.error_fd) != 0)
		fprintf(stderr, "medfcgi: cannot open %s/log/worker.log: %s\n",
		    cfg.data_dir, strerror(errno));
	/*
	 * FCGX_Init() installs libfcgi's own signal handlers; a stop request
	 * arriving before ours are in place must stay pending, not be
	 * swallowed, so the stop signals are blocked from the start.
	 */
	sigemptyset(&early);
	sigaddset(&early, SIGTERM);
	sigaddset(&early, SIGINT);
	sigaddset(&early, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &early, NULL) != 0) {
		elog(&lg, "sigprocmask: %s", strerror(errno));
		rc = 1;
	} else if (activated < 0) {
		elog(&lg, "systemd passed a socket set other than exactly one listening socket");
		rc = 1;
	} else if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		elog(&lg, "fd 0 is not a FastCGI listening socket: start medfcgi with spawn-fcgi");
		rc = 1;
	} else if (probe_database(&cfg, &lg, workers > 0) != 0) {
		rc = 1;
	} else if (workers == 0) {
		elog(&lg, "serving in the foreground (single process%s)",
		    activated ? ", socket from systemd" : "");
		rc = serve(&cfg, &lg);
	} else {
		rc = pool_run(&cfg, &lg, workers);
	}
	if (lg.error_fd >= 0)
		close(lg.error_fd);
	return rc;
}
