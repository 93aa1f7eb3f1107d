/*
 * live.c - the events of a transaction, queued while it runs and posted
 * to nchan's publisher after it committed (see live.h).
 *
 * The transport is a plain HTTP/1.0 POST per event on a non-blocking
 * socket, every step bounded by one deadline for the whole request: the
 * library stays free of FastCGI and of any HTTP client library, and a
 * publisher that hangs cannot hold a worker.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "live.h"
#include "util.h"

struct live_event {
	enum appt_change_kind kind;
	char appointment_id[MED_UUID_LEN + 1];
	char doctor_id[MED_UUID_LEN + 1];
	int64_t at;
};

struct live_queue {
	size_t n;
	int merged;        /* more than LIVE_QUEUE_MAX: one appointments.changed */
	int mixed;         /* the merged events name more than one doctor */
	char doctor_id[MED_UUID_LEN + 1]; /* the first event's doctor */
	int64_t at;        /* the last event's time */
	struct live_event ev[LIVE_QUEUE_MAX];
};

static const char *
kind_name(enum appt_change_kind k)
{
	switch (k) {
	case APPT_BOOKED: return "appointment.booked";
	case APPT_MOVED: return "appointment.moved";
	case APPT_CANCELLED: return "appointment.cancelled";
	case APPT_STATUS: return "appointment.status";
	}
	return "appointment.changed";
}

/* The socket address of target; 0, or -1 when it is not one live.h allows. */
static int
target_addr(const char *target, struct sockaddr_storage *ss, socklen_t *len)
{
	static const char http[] = "http://";
	char host[INET_ADDRSTRLEN];
	const char *colon;
	char *end;
	long port;

	memset(ss, 0, sizeof *ss);
	if (target[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (strlen(target) >= sizeof un->sun_path)
			return -1;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, target, strlen(target) + 1);
		*len = (socklen_t)sizeof *un;
		return 0;
	}
	if (strncmp(target, http, sizeof http - 1) != 0)
		return -1;
	target += sizeof http - 1;
	if ((colon = strchr(target, ':')) == NULL || (size_t)(colon - target) >= sizeof host)
		return -1;
	memcpy(host, target, (size_t)(colon - target));
	host[colon - target] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || (*end != '\0' && strcmp(end, "/") != 0) ||
	    port < 1 || port > 65535)
		return -1;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return -1;
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	*len = (socklen_t)sizeof *in;
	return 0;
}

enum med_err
live_target_check(const char *target)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (target[0] == '\0')
		return MED_OK;
	return target_addr(target, &ss, &len) == 0 ? MED_OK : MED_EINVAL;
}

enum med_err
live_queue(struct med_ctx *ctx, const struct appt_change *c)
{
	struct live_queue *q = ctx->live;
	struct live_event *ev;

	if (q == NULL && (q = ctx->live = calloc(1, sizeof *q)) == NULL)
		return MED_ENOMEM;
	if (q->n == 0 && !q->merged)
		snprintf(q->doctor_id, sizeof q->doctor_id, "%s", c->doctor_id);
	else if (strcmp(q->doctor_id, c->doctor_id) != 0)
		q->mixed = 1;
	q->at = med_now(ctx);
	if (q->n == LIVE_QUEUE_MAX) {
		q->merged = 1;
		return MED_OK;
	}
	ev = &q->ev[q->n++];
	ev->kind = c->kind;
	snprintf(ev->appointment_id, sizeof ev->appointment_id, "%s", c->appointment_id);
	snprintf(ev->doctor_id, sizeof ev->doctor_id, "%s", c->doctor_id);
	ev->at = q->at;
	return MED_OK;
}

void
live_drop(struct med_ctx *ctx)
{
	if (ctx->live != NULL)
		memset(ctx->live, 0, sizeof *ctx->live);
}

void
live_free(struct med_ctx *ctx)
{
	free(ctx->live);
	ctx->live = NULL;
}

/* The JSON text of event i of q, or of the merged event (i == -1); malloc'd. */
static char *
event_json(const struct live_queue *q, int i)
{
	cJSON *o = cJSON_CreateObject();
	char at[32];
	char *text = NULL;
	int ok;

	if (o == NULL)
		return NULL;
	if (i < 0) {
		util_fmt_instant(q->at, at);
		ok = cJSON_AddStringToObject(o, "kind", "appointments.changed") != NULL &&
		    (q->mixed ? cJSON_AddNullToObject(o, "doctor_id") != NULL :
		    cJSON_AddStringToObject(o, "doctor_id", q->doctor_id) != NULL);
	} else {
		const struct live_event *ev = &q->ev[i];

		util_fmt_instant(ev->at, at);
		ok = cJSON_AddStringToObject(o, "kind", kind_name(ev->kind)) != NULL &&
		    cJSON_AddStringToObject(o, "appointment_id", ev->appointment_id) != NULL &&
		    cJSON_AddStringToObject(o, "doctor_id", ev->doctor_id) != NULL;
	}
	if (ok && cJSON_AddStringToObject(o, "at", at) != NULL)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* Wait for events on fd until deadline (monotonic µs); 0, or -1 with errno. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - util_mono_us();
		int rc;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&p, 1, (int)((left + 999) / 1000));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* A connected non-blocking socket to target, or -1 with errno. */
static int
connect_by(const char *target, int64_t deadline)
{
	struct sockaddr_storage ss;
	socklen_t len, elen = sizeof(int);
	int fd, err = 0;

	if (target_addr(target, &ss, &len) != 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	/* A Unix socket with a full backlog says EAGAIN: nginx is swamped, give up. */
	if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0)
		return fd;
	if (err != 0)
		errno = err;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * POST one message to the channel; nchan answers 201 (subscribers got it)
 * or 202 (queued, nobody listening).  0, or -1 with why filled.
 */
static int
post_event(const char *target, const char *json, int64_t deadline, char *why, size_t size)
{
	char head[256], answer[64];
	size_t hlen, sent = 0, total, got = 0;
	int fd, status = 0, n;
	ssize_t rc;

	if ((fd = connect_by(target, deadline)) < 0) {
		snprintf(why, size, "connect: %s", strerror(errno));
		return -1;
	}
	n = snprintf(head, sizeof head, "POST /pub/" LIVE_CHANNEL " HTTP/1.0\r\nHost: localhost\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", strlen(json));
	hlen = (size_t)n;
	total = hlen + strlen(json);
	while (sent < total) {
		const char *p = sent < hlen ? head + sent : json + (sent - hlen);
		size_t len = sent < hlen ? hlen - sent : total - sent;

		if ((rc = send(fd, p, len, MSG_NOSIGNAL)) > 0)
			sent += (size_t)rc;
		else if ((rc == 0 || (errno != EAGAIN && errno != EINTR)) ||
		    wait_fd(fd, POLLOUT, deadline) != 0)
			goto io_failed;
	}
	/* The status line is all we need: "HTTP/1.1 201 Created". */
	while (got < sizeof answer - 1 && memchr(answer, '\n', got) == NULL) {
		if ((rc = recv(fd, answer + got, sizeof answer - 1 - got, 0)) > 0)
			got += (size_t)rc;
		else if (rc == 0 || (errno != EAGAIN && errno != EINTR) ||
		    wait_fd(fd, POLLIN, deadline) != 0)
			break;
	}
	answer[got] = '\0';
	close(fd);
	if (sscanf(answer, "HTTP/1.%*1d %3d", &status) == 1 && (status == 201 || status == 202))
		return 0;
	if (status != 0)
		snprintf(why, size, "answered %d", status);
	else
		snprintf(why, size, "%s", got == 0 ? "no answer in time" : "not an HTTP answer");
	return -1;
io_failed:
	snprintf(why, size, "send: %s", rc == 0 ? "closed" : strerror(errno));
	close(fd);
	return -1;
}

void
live_publish(struct med_ctx *ctx, char *note, size_t note_size)
{
	struct live_queue *q = ctx->live;
	int64_t deadline = util_mono_us() + (int64_t)LIVE_BUDGET_MS * 1000;
	size_t count, lost = 0;
	char why[64] = "";

	note[0] = '\0';
	if (q == NULL || (q->n == 0 && !q->merged))
		return;
	count = q->merged ? 1 : q->n;
	if (ctx->cfg.live_publish[0] == '\0') {
		live_drop(ctx);
		return;
	}
	for (size_t i = 0; i < count; i++) {
		char *json = event_json(q, q->merged ? -1 : (int)i);

		if (json == NULL) {
			snprintf(why, sizeof why, "out of memory");
		} else if (post_event(ctx->cfg.live_publish, json, deadline, why, sizeof why) == 0) {
			free(json);
			continue;
		}
		free(json);
		/* The next ones would meet the same publisher: give up on them too. */
		lost = count - i;
		break;
	}
	if (lost > 0)
		snprintf(note, note_size, "live: %zu of %zu events not published to %.80s: %s", lost,
		    count, ctx->cfg.live_publish, why);
	live_drop(ctx);
}
