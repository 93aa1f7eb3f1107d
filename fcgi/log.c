/*
 * log.c - worker.log and access.log (see log.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "med.h"
#include "log.h"

/* "2026-11-25T10:00:00.123Z"; always UTC whatever TZ (CLINIC_TZ) says. */
static void
utc_stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

int
log_open(const char *data_dir, const char *name, int *fd)
{
	char dir[MED_PATH_MAX + 8], path[MED_PATH_MAX + 64];

	*fd = -1;
	if ((size_t)snprintf(dir, sizeof dir, "%s/log", data_dir) >= sizeof dir ||
	    (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return *fd < 0 ? -1 : 0;
}

/*
 * One line, one write(2): O_APPEND makes concurrent lines from several
 * processes land whole.
 */
static int
log_write(int fd, const char *line, size_t len)
{
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

void
elog(const struct logs *lg, const char *fmt, ...)
{
	char line[1024], ts[40];
	va_list ap;
	int n, m;

	utc_stamp(ts, sizeof ts);
	n = snprintf(line, sizeof line, "ts=%s pid=%ld ", ts, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	(void)log_write(lg->error_fd >= 0 ? lg->error_fd : STDERR_FILENO, line, (size_t)n);
}

/*
 * Copy an attacker-controlled string for a log line: anything that could
 * split the line or fake a field (controls, space, quotes, backslash,
 * non-ASCII) becomes '?', and long values are cut and marked with "...".
 */
static void
log_clean(char *dst, size_t size, const char *src, size_t max)
{
	size_t i = 0;

	if (src == NULL || *src == '\0')
		src = "-";
	if (max > size - 4)
		max = size - 4;
	for (; src[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' ||
		    c == '\\' || c == '=') ? '?' : (char)c;
	}
	if (src[i] != '\0') {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

int
access_format(char line[LOG_LINE_MAX], const struct access_entry *a)
{
	char ts[40], method[LOG_METHOD_MAX + 4], path[LOG_PATH_MAX + 4];
	char user[MED_UUID_LEN + 4], rid[40];
	int n;

	utc_stamp(ts, sizeof ts);
	log_clean(method, sizeof method, a->method, LOG_METHOD_MAX);
	log_clean(path, sizeof path, a->path, LOG_PATH_MAX);
	log_clean(user, sizeof user, a->user_id, MED_UUID_LEN);
	log_clean(rid, sizeof rid, a->request_id, 36);
	n = snprintf(line, LOG_LINE_MAX,
	    "ts=%s pid=%ld method=%s path=%s status=%d us=%lld user=%s request=%s\n",
	    ts, (long)getpid(), method, path, a->status, (long long)a->us, user, rid);
	return n < 0 || n >= LOG_LINE_MAX ? -1 : n;
}

int
access_log(const struct logs *lg, const struct access_entry *a)
{
	char line[LOG_LINE_MAX];
	int n;

	if (lg->access_fd < 0 || (n = access_format(line, a)) < 0)
		return -1;
	return log_write(lg->access_fd, line, (size_t)n);
}
