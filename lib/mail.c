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

/* data as base64 lines of 76 characters (RFC 2045 6.8). */
static void
put_base64(struct strbuf *t, const char *data)
{
	unsigned char line[77];
	size_t len = strlen(data), n;

	for (; len > 0; data += n, len -= n) {
		n = len < 57 ? len : 57;
		EVP_EncodeBlock(line, (const unsigned char *)data, (int)n);
		strbuf_puts(t, (const char *)line);
		strbuf_puts(t, "\n");
	}
}

/* A boundary from the Message-ID's hex, which no part may contain. */
static enum med_err
boundary_for(const char *message_id, const char *body, const struct mail_attachment *att,
    char out[64])
{
	size_t n = 0;

	for (const char *p = message_id; *p != '\0' && *p != '@' && n < 32; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			out[n++] = *p;
	out[n] = '\0';
	snprintf(out + n, 64 - n, "=_part");
	/* "=_" never occurs in base64, so only the body could hold it. */
	if (strstr(body, out) != NULL || strpbrk(att->content_type, "\r\n") != NULL ||
	    strpbrk(att->filename, "\"\r\n") != NULL)
		return MED_EINVAL;
	return MED_OK;
}

enum med_err
mail_compose(const char *from, const char *to, const char *subject, const char *body,
    const char *message_id, int64_t date, char **out)
{
	return mail_compose_with(from, to, subject, body, message_id, date, NULL, out);
}

enum med_err
mail_compose_with(const char *from, const char *to, const char *subject, const char *body,
    const char *message_id, int64_t date, const struct mail_attachment *att, char **out)
{
	struct strbuf t = { NULL, 0, 0, 0 };
	char when[40], boundary[64];

	*out = NULL;
	if (!one_line(from) || !one_line(to) || !one_line(subject) || !one_line(message_id) ||
	    !body_ok(body))
		return MED_EINVAL;
	if (att != NULL && boundary_for(message_id, body, att, boundary) != MED_OK)
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
	    /* RFC 3834: vacation robots must not answer. */
	    "Auto-Submitted: auto-generated\n");
	if (att != NULL) {
		strbuf_puts(&t, "Content-Type: multipart/mixed; boundary=\"");
		strbuf_puts(&t, boundary);
		strbuf_puts(&t, "\"\n\nThis is a MIME message.\n--");
		strbuf_puts(&t, boundary);
		strbuf_puts(&t, "\n");
	}
	strbuf_puts(&t, "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n");
	strbuf_puts(&t, body);
	if (t.len == 0 || t.p[t.len - 1] != '\n')
		strbuf_puts(&t, "\n");
	if (att != NULL) {
		strbuf_puts(&t, "--");
		strbuf_puts(&t, boundary);
		strbuf_puts(&t, "\nContent-Type: ");
		strbuf_puts(&t, att->content_type);
		strbuf_puts(&t, "\nContent-Transfer-Encoding: base64\n"
		    "Content-Disposition: attachment; filename=\"");
		strbuf_puts(&t, att->filename);
		strbuf_puts(&t, "\"\n\n");
		put_base64(&t, att->data);
		strbuf_puts(&t, "--");
		strbuf_puts(&t, boundary);
		strbuf_puts(&t, "--\n");
	}
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

/*
 * The .ics of m as an attachment into *att; 0 when m has none.  A method
 * other than ours is a malformed message (MED_EINVAL).
 */
static enum med_err
ics_attachment(const struct mail_msg *m, struct mail_attachment *att, int *has)
{
	const cJSON *ics = cJSON_GetObjectItemCaseSensitive(m->params, "ics");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m->params, "ics_method");

	*has = 0;
	if (ics == NULL)
		return MED_OK;
	if (!cJSON_IsString(ics) || !cJSON_IsString(method))
		return MED_EINVAL;
	if (strcmp(method->valuestring, "REQUEST") == 0)
		att->content_type = "text/calendar; charset=utf-8; method=REQUEST";
	else if (strcmp(method->valuestring, "CANCEL") == 0)
		att->content_type = "text/calendar; charset=utf-8; method=CANCEL";
	else
		return MED_EINVAL;
	att->filename = "invite.ics";
	att->data = ics->valuestring;
	*has = 1;
	return MED_OK;
}

/* The text SMS_COMMAND reads: the number, a newline, the text (malloc'd). */
static enum med_err
sms_input(const char *number, const char *body, char **out)
{
	struct strbuf t = { NULL, 0, 0, 0 };
	size_t n = strlen(body);

	*out = NULL;
	if (strpbrk(number, "\r\n") != NULL)
		return MED_EINVAL;
	while (n > 0 && body[n - 1] == '\n')
		n--;
	strbuf_puts(&t, number);
	strbuf_puts(&t, "\n");
	strbuf_put(&t, body, n);
	strbuf_puts(&t, "\n");
	if (t.oom) {
		free(t.p);
		return MED_ENOMEM;
	}
	*out = t.p;
	return MED_OK;
}

/* Render and build what the command of m's channel reads, into *text. */
static enum med_err
build(const struct med_mail_config *cfg, const struct mail_msg *m, const char *subject,
    const char *body, char **text)
{
	struct mail_attachment att;
	int has;
	enum med_err e;

	if (strcmp(m->channel, "sms") == 0)
		return sms_input(m->recipient, body, text);
	if ((e = ics_attachment(m, &att, &has)) != MED_OK)
		return e;
	return mail_compose_with(cfg->from, m->recipient, subject, body, m->message_id, m->date,
	    has ? &att : NULL, text);
}

/* Render, compose and pipe the message into MAIL_COMMAND (or SMS_COMMAND). */
static enum med_err
send_mail(const struct med_mail_config *cfg, const struct mail_msg *m, char *err,
    size_t errsz, int *permanent)
{
	char *subject = NULL, *body = NULL, *text = NULL;
	int timeout_ms = cfg->timeout_seconds * 1000;
	const char *command = strcmp(m->channel, "sms") == 0 ? cfg->sms_command : cfg->command;
	struct cmd_result r;
	enum med_err e;

	e = tpl_render(m->kind, m->locale, m->params, &subject, &body);
	if (e == MED_OK)
		e = build(cfg, m, subject, body, &text);
	if (e != MED_OK) {
		*permanent = e != MED_ENOMEM;
		snprintf(err, errsz, "cannot build the %s message (%s): %s", m->kind, m->locale,
		    med_strerror(e));
	} else {
		e = ran(cmd_run(command, NULL, text, strlen(text), timeout_ms, &r), &r,
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
	if (strcmp(m->channel, "email") != 0 &&
	    (strcmp(m->channel, "sms") != 0 || cfg->sms_command[0] == '\0')) {
		*permanent = 1;
		snprintf(err, errsz, "no sender for channel %s", m->channel);
		return MED_EINVAL;
	}
	if (strcmp(m->kind, RESET_KIND) == 0 && cfg->reset_command[0] != '\0')
		return send_legacy(cfg, m, err, errsz, permanent);
	return send_mail(cfg, m, err, errsz, permanent);
}
