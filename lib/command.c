/*
 * command.c - running a command with a time limit (command.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"

/*
 * Without a pidfd (kernels before 5.3) the child's end is noticed by
 * polling waitpid() at this interval instead.
 */
#define REAP_TICK_MS 20

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: a clean slate for signals and file descriptors, then exec. */
static void
child_exec(int in_fd, int out_fd, const char *command, const char *arg)
{
	sigset_t none;
	int sig;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(127);
	/* Nothing of ours (the database, sockets) leaks into the command. */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	if (arg != NULL)
		execl("/bin/sh", "sh", "-c", command, "sh", arg, (char *)NULL);
	else
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The parent's side of one run. */
struct run {
	pid_t pid;
	int in_fd, out_fd, pid_fd;  /* -1 once closed (or no pidfd) */
	const char *input;
	size_t len, sent;
	size_t out_len;
	int reaped, status;
	struct cmd_result *r;
};

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Write what the command will take now; end of input once all is sent. */
static void
feed(struct run *x)
{
	ssize_t n;

	while (x->in_fd >= 0 && x->sent < x->len) {
		n = send(x->in_fd, x->input + x->sent, x->len - x->sent, MSG_NOSIGNAL);
		if (n > 0) {
			x->sent += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		close_fd(&x->in_fd);   /* it stopped reading: its exit status will tell */
	}
	if (x->in_fd >= 0 && x->sent == x->len)
		close_fd(&x->in_fd);
}

/* Keep the first bytes of the output, drain (and drop) the rest. */
static void
drain(struct run *x)
{
	char buf[1024];
	size_t room;
	ssize_t n;

	while (x->out_fd >= 0) {
		n = read(x->out_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close_fd(&x->out_fd);
			return;
		}
		room = sizeof x->r->output - 1 - x->out_len;
		if ((size_t)n < room)
			room = (size_t)n;
		memcpy(x->r->output + x->out_len, buf, room);
		x->out_len += room;
		x->r->output[x->out_len] = '\0';
	}
}

static void
try_reap(struct run *x)
{
	if (!x->reaped && waitpid(x->pid, &x->status, WNOHANG) == x->pid)
		x->reaped = 1;
}

/* Wait for input sent, output read and the child gone, or the deadline. */
static void
supervise(struct run *x, int64_t deadline)
{
	struct pollfd p[3];
	int n, wait_ms;

	for (;;) {
		feed(x);
		drain(x);
		try_reap(x);
		/* A grandchild may hold the output open: the child's exit is what counts. */
		if (x->reaped)
			return;
		if ((wait_ms = (int)(deadline - now_ms())) <= 0)
			return;
		n = 0;
		if (x->in_fd >= 0)
			p[n++] = (struct pollfd){ .fd = x->in_fd, .events = POLLOUT };
		if (x->out_fd >= 0)
			p[n++] = (struct pollfd){ .fd = x->out_fd, .events = POLLIN };
		if (x->pid_fd >= 0)
			p[n++] = (struct pollfd){ .fd = x->pid_fd, .events = POLLIN };
		else if (wait_ms > REAP_TICK_MS)
			wait_ms = REAP_TICK_MS;
		if (poll(p, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			return;
	}
}

static void
finish(struct run *x, int timed_out)
{
	if (!x->reaped) {
		/* The group: sh and whatever it started. */
		kill(-x->pid, SIGKILL);
		kill(x->pid, SIGKILL);
		while (waitpid(x->pid, &x->status, 0) < 0 && errno == EINTR)
			;
		x->reaped = 1;
		x->r->timed_out = timed_out;
	}
	drain(x);
	close_fd(&x->in_fd);
	close_fd(&x->out_fd);
	close_fd(&x->pid_fd);
	if (WIFEXITED(x->status)) {
		x->r->exited = 1;
		x->r->exit_status = WEXITSTATUS(x->status);
	} else if (WIFSIGNALED(x->status)) {
		x->r->signal = WTERMSIG(x->status);
	}
}

enum med_err
cmd_run(const char *command, const char *arg, const char *input, size_t len, int timeout_ms,
    struct cmd_result *r)
{
	struct run x = { .in_fd = -1, .out_fd = -1, .pid_fd = -1, .input = input, .len = len, .r = r };
	int in[2], out[2];
	int64_t deadline = now_ms() + timeout_ms;

	memset(r, 0, sizeof *r);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
		return MED_EIO;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return MED_EIO;
	}
	if ((x.pid = fork()) < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return MED_EIO;
	}
	if (x.pid == 0)
		child_exec(in[0], out[1], command, arg);
	/* Also here: the group must exist before any kill(-pid) below. */
	setpgid(x.pid, x.pid);
	close(in[0]);
	close(out[1]);
	x.in_fd = in[1];
	x.out_fd = out[0];
	x.pid_fd = (int)syscall(SYS_pidfd_open, x.pid, 0);
	if (set_nonblock(x.in_fd) != 0 || set_nonblock(x.out_fd) != 0) {
		finish(&x, 0);
		return MED_EIO;
	}
	supervise(&x, deadline);
	finish(&x, 1);
	return r->exited && r->exit_status == 0 ? MED_OK : MED_EIO;
}

/* The first line of the output, printable ASCII only. */
static void
first_line(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	for (; *s != '\0' && *s != '\n' && *s != '\r' && i + 1 < size; s++)
		buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	buf[i] = '\0';
}

void
cmd_describe(const struct cmd_result *r, int timeout_ms, char *buf, size_t size)
{
	char line[160];

	first_line(r->output, line, sizeof line);
	if (r->timed_out)
		snprintf(buf, size, "timed out after %d s, killed%s%s", timeout_ms / 1000,
		    line[0] != '\0' ? ": " : "", line);
	else if (r->exited && r->exit_status == 127 && line[0] == '\0')
		snprintf(buf, size, "exit 127 (command not found?)");
	else if (r->exited)
		snprintf(buf, size, "exit %d%s%s", r->exit_status, line[0] != '\0' ? ": " : "", line);
	else if (r->signal != 0)
		snprintf(buf, size, "killed by signal %d%s%s", r->signal, line[0] != '\0' ? ": " : "",
		    line);
	else
		snprintf(buf, size, "could not run the command");
}
