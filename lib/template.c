/*
 * template.c - rendering the embedded message templates (template.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "template.h"
#include "util.h"

#define SUBJECT_PREFIX "Subject: "

const char *const tpl_locales[] = { "fr", "en", "ar", NULL };

/* pref names language lang ("en", "en-GB", "en_US"). */
static int
is_language(const char *pref, const char *lang)
{
	return pref != NULL && strncasecmp(pref, lang, 2) == 0 &&
	    (pref[2] == '\0' || pref[2] == '-' || pref[2] == '_');
}

const char *
tpl_locale(const char *pref)
{
	if (is_language(pref, "en"))
		return "en";
	if (is_language(pref, "ar"))
		return "ar";
	return TPL_DEFAULT_LOCALE;
}

static const char *
find_text(const char *kind, const char *locale)
{
	char name[96];

	if ((size_t)snprintf(name, sizeof name, "%s.%s", kind, locale) >= sizeof name)
		return NULL;
	for (const struct tpl_file *t = tpl_files; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	return NULL;
}

int
tpl_exists(const char *kind)
{
	return find_text(kind, TPL_DEFAULT_LOCALE) != NULL;
}

/* The text of parameter name (n bytes) from params into b; MED_EINVAL if none. */
static enum med_err
put_param(struct strbuf *b, const cJSON *params, const char *name, size_t n)
{
	char key[64], num[32];
	const cJSON *v;

	if (n == 0 || n >= sizeof key)
		return MED_EINVAL;
	memcpy(key, name, n);
	key[n] = '\0';
	v = cJSON_GetObjectItemCaseSensitive(params, key);
	if (cJSON_IsString(v)) {
		strbuf_put(b, v->valuestring, strlen(v->valuestring));
		return MED_OK;
	}
	if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble) {
		snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		strbuf_put(b, num, strlen(num));
		return MED_OK;
	}
	return MED_EINVAL;
}

/* Expand the n bytes at s into a new string *out. */
static enum med_err
expand(const char *s, size_t n, const cJSON *params, char **out)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *end = s + n, *open, *close;
	enum med_err e = MED_OK;

	*out = NULL;
	strbuf_put(&b, "", 0);
	while (s < end && e == MED_OK) {
		open = strstr(s, "{{");
		if (open == NULL || open >= end) {
			strbuf_put(&b, s, (size_t)(end - s));
			break;
		}
		strbuf_put(&b, s, (size_t)(open - s));
		if ((close = strstr(open + 2, "}}")) == NULL || close >= end) {
			e = MED_EINVAL;
			break;
		}
		e = put_param(&b, params, open + 2, (size_t)(close - open - 2));
		s = close + 2;
	}
	if (e == MED_OK && b.oom)
		e = MED_ENOMEM;
	if (e != MED_OK) {
		free(b.p);
		return e;
	}
	*out = b.p;
	return MED_OK;
}

enum med_err
tpl_render(const char *kind, const char *locale, const cJSON *params, char **subject,
    char **body)
{
	const char *text = find_text(kind, locale != NULL ? locale : TPL_DEFAULT_LOCALE), *eol;
	size_t plen = strlen(SUBJECT_PREFIX);
	enum med_err e;

	*subject = *body = NULL;
	if (text == NULL && (text = find_text(kind, TPL_DEFAULT_LOCALE)) == NULL)
		return MED_ENOTFOUND;
	if (strncmp(text, SUBJECT_PREFIX, plen) != 0 || (eol = strchr(text, '\n')) == NULL ||
	    eol[1] != '\n')
		return MED_EINVAL;
	if ((e = expand(text + plen, (size_t)(eol - text - plen), params, subject)) != MED_OK)
		return e;
	/* A value must not be able to add a header line. */
	if (strpbrk(*subject, "\r\n") != NULL) {
		e = MED_EINVAL;
		goto fail;
	}
	if ((e = expand(eol + 2, strlen(eol + 2), params, body)) != MED_OK)
		goto fail;
	return MED_OK;
fail:
	free(*subject);
	*subject = NULL;
	return e;
}
