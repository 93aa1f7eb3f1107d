/*
 * template.h - the texts of the outbox's messages: templates/KIND.LOCALE.txt,
 * compiled in (scripts/embed-templates.sh), so the sender never depends on
 * the source tree or an installed copy at run time.
 *
 * A template is "Subject: ...", an empty line, then the body; {{name}}
 * stands for the parameter name of the message.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "med.h"

/* The embedded files, NULL-terminated; name is "KIND.LOCALE". */
struct tpl_file {
	const char *name;
	const char *text;
};
extern const struct tpl_file tpl_files[];

/* The locale used when a user has none, or one without a template. */
#define TPL_DEFAULT_LOCALE "fr"

/*
 * The locale a message to a user with locale `pref` (users.locale, may be
 * NULL or "") is written in: "en" for any English preference, "ar" for
 * any Arabic one, else the default.  Always one of ours, so it fits a
 * short buffer.
 */
const char *tpl_locale(const char *pref);
/*
 * The languages there are messages in, NULL-terminated: what a user may
 * choose (users.locale; an FT_ENUM of the request specs).
 */
extern const char *const tpl_locales[];

/* 1 when a template exists for kind (in the default locale at least). */
int tpl_exists(const char *kind);

/*
 * Render kind in locale (falling back to the default locale) with the
 * values of params (an object of strings and integers): *subject and
 * *body, malloc'd.  MED_ENOTFOUND: no such template; MED_EINVAL: a
 * placeholder without a value, a value with a line break in the subject,
 * or a malformed template.
 */
enum med_err tpl_render(const char *kind, const char *locale, const cJSON *params,
    char **subject, char **body);

#endif
