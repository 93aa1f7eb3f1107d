/*
 * mail.h - one message of the outbox as an RFC 5322 mail, handed to a
 * sendmail-compatible command (MAIL_COMMAND, `sendmail -t -i` reads the
 * recipients from the To: header and never takes a lone "." for the end).
 */
#ifndef MAIL_H
#define MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "med.h"

/* "<32 hex digits@domain>" plus the NUL, with room for a long domain. */
#define MAIL_MSGID_MAX 160

/*
 * A new Message-ID in the domain of from (MAIL_FROM: "addr@domain" or
 * "Name <addr@domain>"; "localhost" when it has none).
 */
enum med_err mail_message_id(const char *from, char out[MAIL_MSGID_MAX]);

/* t as an RFC 5322 date in UTC: "Tue, 03 Mar 2026 09:05:00 +0000". */
void mail_date(int64_t t, char out[40]);

/*
 * The whole message (header, empty line, body; lines end in LF as the
 * local sendmail expects) into *out, malloc'd.  A non-ASCII subject or
 * display name is written as RFC 2047 encoded words; the body is UTF-8,
 * 8bit.  MED_EINVAL: a line break in from, to or message_id, a body that
 * is not UTF-8, holds a CR or a line over 998 bytes.
 */
enum med_err mail_compose(const char *from, const char *to, const char *subject,
    const char *body, const char *message_id, int64_t date, char **out);

/* One message to deliver (the outbox row, parameters parsed). */
struct mail_msg {
	const char *kind;        /* the template */
	const char *channel;     /* "email" or "sms" */
	const char *recipient;
	const char *locale;
	const char *message_id;
	const cJSON *params;
	int64_t date;
};

/*
 * Render m and run the mail command on it within cfg->timeout_seconds.
 * On failure err says why in one line and *permanent tells whether trying
 * again could help (a missing template or parameter, an SMS with no SMS
 * sender: no; the command failing or hanging: yes).
 */
enum med_err mail_send(const struct med_mail_config *cfg, const struct mail_msg *m,
    char *err, size_t errsz, int *permanent);

#endif
