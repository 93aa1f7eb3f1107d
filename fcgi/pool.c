/*
 * pool.c - the prefork master of the workers (see pool.h).
 *
 * Each child opens its own database connection in serve() after the fork
 * and dies with the master (PR_SET_PDEATHSIG), so a killed master never
 * leaves orphans accepting on the socket.  The master takes its signals
 * synchronously with sigtimedwait(): no handler runs in it, and the
 * restart timers and the signals are one wait.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"
#include "serve.h"
#include "util.h"

/* Supervision timing, in milliseconds. */
#define FAST_DEATH_MS 1000 /* a child dying younger than this failed to start */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define STOP_GRACE_MS 10000 /* SIGTERM to SIGKILL on shutdown */
#define STOP_NUDGE_MS 500   /* repeat SIGTERM while children linger */

/* One supervised child. */
struct slot {
	pid_t pid;            /* 0 when not running */
	int64_t started_ms;   /* monotonic */
	int64_t restart_ms;   /* monotonic time of the next start; 0 = none due */
	unsigned fails;       /* consecutive fast deaths, drives the backoff */
};

struct master {
	const struct med_config *cfg;
	struct logs *lg;
	struct slot *slots;
	int n;
	pid_t pid;
	sigset_t sigs;   /* blocked; taken with sigtimedwait() */
};


static void
on_chld(int sig)
{
	(void)sig;   /* only there so SIGCHLD is never discarded */
}

static int
master_signals(struct master *m)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_chld;
	if (sigaction(SIGCHLD, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -1;
	sigemptyset(&m->sigs);
	sigaddset(&m->sigs, SIGCHLD);
	sigaddset(&m->sigs, SIGTERM);
	sigaddset(&m->sigs, SIGINT);
	sigaddset(&m->sigs, SIGHUP);
	return sigprocmask(SIG_BLOCK, &m->sigs, NULL);
}

/* In the child after fork(): die with the master, then serve. */
static int
child_main(struct master *m)
{
	int rc;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != m->pid)
		return 1;
	rc = serve(m->cfg, m->lg);
	free(m->slots);
	return rc;
}

static void
slot_start(struct master *m, struct slot *s)
{
	pid_t pid = fork();

	if (pid == 0)
		exit(child_main(m));   /* exit(), not _exit(): sanitizers report at exit */
	if (pid < 0) {
		elog(m->lg, "fork failed: %s", strerror(errno));
		s->fails++;
		s->restart_ms = (util_mono_us() / 1000) + BACKOFF_MAX_MS;
		return;
	}
	s->pid = pid;
	s->started_ms = (util_mono_us() / 1000);
	s->restart_ms = 0;
}

/* Restart at once after a normal death; back off after fast deaths. */
static int64_t
backoff_ms(unsigned fails)
{
	int64_t d = BACKOFF_MIN_MS;

	if (fails == 0)
		return 0;
	while (--fails > 0 && d < BACKOFF_MAX_MS)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static void
log_death(const struct master *m, pid_t pid, int st)
{
	if (WIFSIGNALED(st))
		elog(m->lg, "child %ld killed by signal %d (%s)", (long)pid,
		    WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		elog(m->lg, "child %ld exited with status %d", (long)pid,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Collect dead children; schedule restarts unless stopping.  Returns the
 * number of children still running. */
static int
reap(struct master *m, int stopping)
{
	int st, live = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < m->n; i++) {
			struct slot *s = &m->slots[i];
			if (s->pid != pid)
				continue;
			log_death(m, pid, st);
			s->pid = 0;
			if (stopping)
				break;
			s->fails = (util_mono_us() / 1000) - s->started_ms < FAST_DEATH_MS ? s->fails + 1 : 0;
			s->restart_ms = (util_mono_us() / 1000) + backoff_ms(s->fails);
			if (s->fails > 0)
				elog(m->lg, "child died %u time(s) right after start; restart in %lld ms",
				    s->fails, (long long)backoff_ms(s->fails));
		}
	}
	for (int i = 0; i < m->n; i++)
		live += m->slots[i].pid != 0;
	return live;
}

/* Start the children that are due; return ms until the next one is (-1: none). */
static int64_t
start_due(struct master *m)
{
	int64_t next = -1, now = (util_mono_us() / 1000);

	for (int i = 0; i < m->n; i++) {
		struct slot *s = &m->slots[i];
		if (s->pid != 0 || s->restart_ms == 0)
			continue;
		if (s->restart_ms <= now)
			slot_start(m, s);
		if (s->pid == 0 && (next < 0 || s->restart_ms - now < next))
			next = s->restart_ms > now ? s->restart_ms - now : 0;
	}
	return next;
}

/* Wait up to ms (forever if < 0) for one of m->sigs; returns it, or 0. */
static int
wait_signal(const struct master *m, int64_t ms)
{
	struct timespec ts;
	int sig;

	if (ms < 0)
		sig = sigwaitinfo(&m->sigs, NULL);
	else {
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		sig = sigtimedwait(&m->sigs, NULL, &ts);
	}
	return sig < 0 ? 0 : sig;
}

static void
signal_all(const struct master *m, int sig)
{
	for (int i = 0; i < m->n; i++)
		if (m->slots[i].pid > 0)
			kill(m->slots[i].pid, sig);
}

/* SIGTERM every child, repeat it while they linger, SIGKILL after the grace. */
static void
stop_children(struct master *m)
{
	int64_t deadline = (util_mono_us() / 1000) + STOP_GRACE_MS;

	signal_all(m, SIGTERM);
	while (reap(m, 1) > 0) {
		int64_t left = deadline - (util_mono_us() / 1000);
		if (left <= 0) {
			elog(m->lg, "children still running after %d ms; killing them",
			    STOP_GRACE_MS);
			signal_all(m, SIGKILL);
			deadline = INT64_MAX;
			left = STOP_NUDGE_MS;
		}
		if (wait_signal(m, left < STOP_NUDGE_MS ? left : STOP_NUDGE_MS) == 0 &&
		    deadline != INT64_MAX)
			signal_all(m, SIGTERM);
	}
}

int
pool_run(const struct med_config *cfg, struct logs *lg, int n)
{
	struct master m = { cfg, lg, NULL, n, getpid() };
	int sig = 0;

	if (master_signals(&m) != 0) {
		elog(lg, "signal setup failed: %s", strerror(errno));
		return 1;
	}
	if ((m.slots = calloc((size_t)n, sizeof *m.slots)) == NULL) {
		elog(lg, "out of memory");
		return 1;
	}
	elog(lg, "master starting %d workers", n);
	for (int i = 0; i < n; i++)
		m.slots[i].restart_ms = 1;   /* due now */
	while (sig != SIGTERM && sig != SIGINT && sig != SIGHUP) {
		reap(&m, 0);
		sig = wait_signal(&m, start_due(&m));
	}
	elog(lg, "master stopping on signal %d", sig);
	stop_children(&m);
	free(m.slots);
	elog(lg, "master stopped");
	return 0;
}
