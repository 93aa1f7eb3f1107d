/*
 * hello.c - the bench-only hello-world FastCGI worker pool (the R2 ceiling of bench/RESULTS.md):
 * the same process model as medfcgi (spawn-fcgi hands the listening socket
 * on fd 0, a master forks N children that accept on it), but every request
 * is answered with one fixed JSON envelope, no library, no database.  What
 * it measures is the ceiling of nginx + FastCGI + fork-per-pool itself.
 *
 * With a query string "bytes=N" (64 <= N <= 4 MiB) the answer is an
 * envelope of exactly N bytes instead, with the same headers: the
 * payload-matched ceiling of a route whose answers are N bytes long.
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

#define PAD_MIN 64
#define PAD_MAX (4 << 20)

/* The padded answer of the last size asked (a run asks one size). */
struct padded {
	char *text;
	long bytes;   /* body size it was built for; 0 = none */
	int len;      /* headers and body */
};

/* N from a query string "bytes=N" in range, else 0. */
static long
pad_size(const char *query)
{
	char *end;
	long n;

	if (query == NULL || strncmp(query, "bytes=", 6) != 0)
		return 0;
	n = strtol(query + 6, &end, 10);
	return *end == '\0' && n >= PAD_MIN && n <= PAD_MAX ? n : 0;
}

static int
pad_build(struct padded *p, long n)
{
	static const char head[] = "{\"success\":true,\"data\":\"", tail[] = "\",\"message\":null}";
	long fill = n - (long)(sizeof head - 1) - (long)(sizeof tail - 1);
	char hdr[160];
	int h = snprintf(hdr, sizeof hdr, "Status: 200 OK\r\nCache-Control: no-store\r\n"
	    "Content-Type: application/json\r\nContent-Length: %ld\r\n\r\n", n);
	char *t = realloc(p->text, (size_t)h + (size_t)n);

	if (t == NULL)
		return -1;
	memcpy(t, hdr, (size_t)h);
	memcpy(t + h, head, sizeof head - 1);
	memset(t + h + sizeof head - 1, 'x', (size_t)fill);
	memcpy(t + h + (long)(sizeof head - 1) + fill, tail, sizeof tail - 1);
	p->text = t;
	p->bytes = n;
	p->len = h + (int)n;
	return 0;
}

static int
serve(const sigset_t *unblocked)
{
	FCGX_Request fr;
	struct padded pad = { NULL, 0, 0 };

	/* Plain death on SIGTERM (libfcgi installed a handler that only sets a flag). */
	signal(SIGTERM, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, unblocked, NULL) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 ||
	    FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		long n = pad_size(FCGX_GetParam("QUERY_STRING", fr.envp));

		if (n != 0 && (n == pad.bytes || pad_build(&pad, n) == 0))
			FCGX_PutStr(pad.text, pad.len, fr.out);
		else
			FCGX_PutStr(answer, (int)sizeof answer - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	free(pad.text);
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
