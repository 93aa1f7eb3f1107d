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

/* A file sent with a mail: text of a MIME type, carried base64 (CRLFs kept exact). */
struct mail_attachment {
	const char *content_type;  /* with its parameters: "text/calendar; method=REQUEST" */
	const char *filename;      /* plain ASCII, no quote */
	const char *data;
};

/*
 * mail_compose() with an attachment: a multipart/mixed message whose
 * first part is the text body (8bit UTF-8), the second att.  att NULL:
 * exactly mail_compose().  The boundary is derived from the Message-ID
 * and checked absent from the parts.
 */
enum med_err mail_compose_with(const char *from, const char *to, const char *subject,
    const char *body, const char *message_id, int64_t date,
    const struct mail_attachment *att, char **out);

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
 * A parameter "ics" (with "ics_method" REQUEST or CANCEL) goes as an
 * invite.ics attachment.  An SMS (channel "sms") goes to SMS_COMMAND: the
 * number on the first line of its standard input, then the text.  On
 * failure err says why in one line and *permanent tells whether trying
 * again could help (a missing template or parameter, an SMS with no SMS
 * sender: no; the command failing or hanging: yes).
 */
enum med_err mail_send(const struct med_mail_config *cfg, const struct mail_msg *m,
    char *err, size_t errsz, int *permanent);

#endif
