/*
 * mail.c - outbox messages as RFC 5322 mail, through the mail command (mail.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "command.h"
#include "mail.h"
#include "template.h"
#include "util.h"

/* RFC 5322 2.1.1: no line longer than 998 octets. */
#define LINE_MAX_OCTETS 998
/*
 * RFC 2047: an encoded word is at most 75 characters; "=?UTF-8?B?" and
 * "?=" take 12, leaving 60 base64 characters: 45 bytes of text.
 */
#define WORD_BYTES 45
/* The kind whose deprecated RESET_MAIL_COMMAND contract still holds. */
#define RESET_KIND "password_reset"

enum med_err
mail_message_id(const char *from, char out[MAIL_MSGID_MAX])
{
	char hex[33], domain[MAIL_MSGID_MAX - 40];
	const char *at = strrchr(from, '@');
	size_t n = 0;
	enum med_err e;

	if ((e = util_random_hex(hex, 16)) != MED_OK)
		return e;
	/* The domain runs to the end, a '>' or a space; only its safe characters count. */
	for (const char *p = at != NULL ? at + 1 : ""; *p != '\0' && *p != '>' && *p != ' ' &&
	    n + 1 < sizeof domain; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			domain[n++] = *p;
	domain[n] = '\0';
	snprintf(out, MAIL_MSGID_MAX, "<%s@%s>", hex, n > 0 ? domain : "localhost");
	return MED_OK;
}

void
mail_date(int64_t t, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	/* Names spelled out here: strftime's %a and %b follow the locale. */
	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * s as RFC 2047 "B" encoded words, folded onto continuation lines; each
 * word ends on a whole UTF-8 character, as the RFC requires.
 */
static void
put_encoded(struct strbuf *t, const char *s)
{
	unsigned char b64[4 * WORD_BYTES / 3 + 1];
	size_t len = strlen(s), n;
	int first = 1;

	while (len > 0) {
		n = len < WORD_BYTES ? len : WORD_BYTES;
		while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		EVP_EncodeBlock(b64, (const unsigned char *)s, (int)n);
		if (!first)
			strbuf_puts(t, "\n ");
		strbuf_puts(t, "=?UTF-8?B?");
		strbuf_puts(t, (const char *)b64);
		strbuf_puts(t, "?=");
		first = 0;
		s += n;
		len -= n;
	}
}

/* A header value as is when ASCII, else encoded. */
static void
put_phrase(struct strbuf *t, const char *s)
{
	if (is_ascii(s))
		strbuf_puts(t, s);
	else
		put_encoded(t, s);
}

/* "Name <addr>" with a non-ASCII name encoded; a bare address as is. */
static void
put_from(struct strbuf *t, const char *from)
{
	const char *lt = strchr(from, '<');
	char name[256];
	size_t n;

	if (lt == NULL || is_ascii(from)) {
		strbuf_puts(t, from);
		return;
	}
	for (n = (size_t)(lt - from); n > 0 && from[n - 1] == ' '; n--)
		;
	snprintf(name, sizeof name, "%.*s", (int)n, from);
	put_encoded(t, name);
	strbuf_puts(t, " ");
	strbuf_puts(t, lt);
}

static int
one_line(const char *s)
{
	return strpbrk(s, "\r\n") == NULL && strlen(s) <= LINE_MAX_OCTETS - 16;
}

static int
body_ok(const char *body)
{
	size_t len = strlen(body), run = 0;

	if (!util_utf8_valid(body, len) || strchr(body, '\r') != NULL)
		return 0;
	for (const char *p = body; *p != '\0'; p++) {
		run = *p == '\n' ? 0 : run + 1;
		if (run > LINE_MAX_OCTETS)
			return 0;
	}
	return 1;
}

enum med_err
mail_compose(const char *from, const char *to, const char *subject, const char *body,
    const char *message_id, int64_t date, char **out)
{
	struct strbuf t = { NULL, 0, 0, 0 };
	char when[40];

	*out = NULL;
	if (!one_line(from) || !one_line(to) || !one_line(subject) || !one_line(message_id) ||
	    !body_ok(body))
		return MED_EINVAL;
	mail_date(date, when);
	strbuf_puts(&t, "From: ");
	put_from(&t, from);
	strbuf_puts(&t, "\nTo: ");
	strbuf_puts(&t, to);
	strbuf_puts(&t, "\nSubject: ");
	put_phrase(&t, subject);
	strbuf_puts(&t, "\nDate: ");
	strbuf_puts(&t, when);
	strbuf_puts(&t, "\nMessage-ID: ");
	strbuf_puts(&t, message_id);
	strbuf_puts(&t, "\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    /* RFC 3834: vacation robots must not answer. */
	    "Auto-Submitted: auto-generated\n"
	    "\n");
	strbuf_puts(&t, body);
	if (t.len == 0 || t.p[t.len - 1] != '\n')
		strbuf_puts(&t, "\n");
	if (t.oom) {
		free(t.p);
		return MED_ENOMEM;
	}
	*out = t.p;
	return MED_OK;
}

/* The command ran: success, or a retryable failure described in err. */
static enum med_err
ran(enum med_err e, const struct cmd_result *r, int timeout_ms, char *err, size_t errsz)
{
	if (e != MED_OK)
		cmd_describe(r, timeout_ms, err, errsz);
	return e;
}

/*
 * The deprecated RESET_MAIL_COMMAND contract: the address as $1, the bare
 * token and a newline on standard input.
 */
static enum med_err
send_legacy(const struct med_mail_config *cfg, const struct mail_msg *m, char *err,
    size_t errsz, int *permanent)
{
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(m->params, "token");
	int timeout_ms = cfg->timeout_seconds * 1000;
	struct cmd_result r;
	char *line;
	size_t len;
	enum med_err e;

	if (!cJSON_IsString(token)) {
		*permanent = 1;
		snprintf(err, errsz, "no token to hand to RESET_MAIL_COMMAND");
		return MED_EINVAL;
	}
	len = strlen(token->valuestring);
	if ((line = malloc(len + 2)) == NULL)
		return MED_ENOMEM;
	memcpy(line, token->valuestring, len);
	memcpy(line + len, "\n", 2);
	e = cmd_run(cfg->reset_command, m->recipient, line, len + 1, timeout_ms, &r);
	OPENSSL_cleanse(line, len);
	free(line);
	return ran(e, &r, timeout_ms, err, errsz);
}

/* Render, compose and pipe the mail into MAIL_COMMAND. */
static enum med_err
send_mail(const struct med_mail_config *cfg, const struct mail_msg *m, char *err,
    size_t errsz, int *permanent)
{
	char *subject = NULL, *body = NULL, *text = NULL;
	int timeout_ms = cfg->timeout_seconds * 1000;
	struct cmd_result r;
	enum med_err e;

	e = tpl_render(m->kind, m->locale, m->params, &subject, &body);
	if (e == MED_OK)
		e = mail_compose(cfg->from, m->recipient, subject, body, m->message_id, m->date, &text);
	if (e != MED_OK) {
		*permanent = e != MED_ENOMEM;
		snprintf(err, errsz, "cannot build the %s message (%s): %s", m->kind, m->locale,
		    med_strerror(e));
	} else {
		e = ran(cmd_run(cfg->command, NULL, text, strlen(text), timeout_ms, &r), &r,
		    timeout_ms, err, errsz);
		OPENSSL_cleanse(text, strlen(text));
	}
	if (body != NULL)
		OPENSSL_cleanse(body, strlen(body));
	free(subject);
	free(body);
	free(text);
	return e;
}

enum med_err
mail_send(const struct med_mail_config *cfg, const struct mail_msg *m, char *err,
    size_t errsz, int *permanent)
{
	*permanent = 0;
	err[0] = '\0';
	if (strcmp(m->channel, "email") != 0) {
		*permanent = 1;
		snprintf(err, errsz, "no sender for channel %s", m->channel);
		return MED_EINVAL;
	}
	if (strcmp(m->kind, RESET_KIND) == 0 && cfg->reset_command[0] != '\0')
		return send_legacy(cfg, m, err, errsz, permanent);
	return send_mail(cfg, m, err, errsz, permanent);
}
