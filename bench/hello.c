/*
 * hello.c - the bench-only hello-world FastCGI worker pool (the R2 ceiling of bench/RESULTS.md):
 * the same process model as medfcgi (spawn-fcgi hands the listening socket
 * on fd 0, a master forks N children that accept on it), but every request
 * is answered with one fixed JSON envelope, no library, no database.  What
 * it measures is the ceiling of nginx + FastCGI + fork-per-pool itself.
 *
 *   medfcgi-hello [-w N]      (N children, default 2 per CPU like medfcgi)
 *
 * The build installs it as build/bench/hello/medfcgi so scripts/stack.sh,
 * which starts "$BUILD/medfcgi", runs it unchanged.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#define MAX_WORKERS 256

/* Byte for byte what medfcgi sends for GET /health, headers included. */
#define BODY "{\"success\":true,\"data\":{\"status\":\"ok\"},\"message\":null}"
static const char answer[] =
    "Status: 200 OK\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 54\r\n"
    "\r\n"
    BODY;
_Static_assert(sizeof BODY - 1 == 54, "Content-Length above must match BODY");

static int
serve(const sigset_t *unblocked)
{
	FCGX_Request fr;

	/* Plain death on SIGTERM (libfcgi installed a handler that only sets a flag). */
	signal(SIGTERM, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, unblocked, NULL) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 ||
	    FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(answer, (int)sizeof answer - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	pid_t kids[MAX_WORKERS];
	sigset_t sigs, old;
	long n = sysconf(_SC_NPROCESSORS_ONLN) * 2;
	int sig = 0;

	if (argc == 3 && (strcmp(argv[1], "-w") == 0 || strcmp(argv[1], "--workers") == 0))
		n = strtol(argv[2], NULL, 10);
	else if (argc != 1) {
		fprintf(stderr, "usage: medfcgi-hello [-w N]\n");
		return 2;
	}
	/*
	 * The master only waits for a stop signal; children die with it.
	 * Blocked first: a SIGTERM arriving during start-up stays pending
	 * for sigwait() instead of being eaten by libfcgi's own handler.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &sigs, &old) != 0)
		return 1;
	if (n < 1 || n > MAX_WORKERS || FCGX_Init() != 0 || FCGX_IsCGI())
		return 1;
	for (long i = 0; i < n; i++) {
		if ((kids[i] = fork()) == 0)
			return serve(&old);
		if (kids[i] < 0)
			return 1;
	}
	while (sigwait(&sigs, &sig) != 0 && errno == EINTR)
		;
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
