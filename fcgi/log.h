/*
 * log.h - the worker's two log files under <data_dir>/log/: worker.log
 * (start-up, supervision and failures) and access.log (one line per
 * request).  spawn-fcgi points stdout and stderr at /dev/null, so these
 * files are the only place a worker can be heard.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_PATH_MAX 256   /* longest request path written to access.log */
#define LOG_METHOD_MAX 16
#define LOG_LINE_MAX (LOG_PATH_MAX + 256)

/* Log descriptors of one process; -1 when closed. */
struct logs {
	int error_fd;   /* worker.log; stderr when -1 */
	int access_fd;  /* access.log; serving processes only */
};

/* Open <data_dir>/log/<name> for appending, creating the directory. */
int log_open(const char *data_dir, const char *name, int *fd);

/* worker.log: "ts=... pid=... <message>". */
void elog(const struct logs *lg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * What the access log records of one request: never the query string,
 * headers or body, where tokens and passwords travel.  The strings come
 * from the client and are cleaned when the line is made.
 */
struct access_entry {
	const char *method;
	const char *path;
	int status;
	int64_t us;
	const char *user_id;
	const char *request_id;
};

/*
 * The line of a in line[LOG_LINE_MAX], newline included: "ts=... pid=...
 * method=... path=... status=... us=... user=... request=...".  Returns its length,
 * or -1 if it does not fit (it always does).
 */
int access_format(char line[LOG_LINE_MAX], const struct access_entry *a);

/* Append the line of a to access.log; -1 on failure, which never fails a request. */
int access_log(const struct logs *lg, const struct access_entry *a);

#endif
