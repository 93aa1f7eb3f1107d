/*
 * route_doc.c - the routing table rendered as data (format in route_doc.h).
 *
 * Every builder returns a new cJSON item or NULL when memory runs out; a
 * NULL anywhere makes route_doc() return NULL, never a partial document.
 */
#include <stdlib.h>
#include <string.h>

#include "route_doc.h"
#include "valid.h"

const char *
route_auth_name(enum route_auth a)
{
	switch (a) {
	case AUTH_NONE:
		return "none";
	case AUTH_OPTIONAL:
		return "optional";
	case AUTH_REQUIRED:
		return "required";
	}
	return NULL;
}

static const char *
tx_name(enum route_tx t)
{
	switch (t) {
	case TX_NONE:
		return "none";
	case TX_READ:
		return "read";
	case TX_WRITE:
		return "write";
	case TX_AUDIT:
		return "audit";
	}
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the ROLE_* bits of roles, sorted; NULL for a bit without a name. */
static cJSON *
role_list(unsigned roles)
{
	const char *names[sizeof roles * 8];
	size_t n = 0;

	for (unsigned i = 0; i < sizeof roles * 8; i++) {
		if ((roles & (1u << i)) == 0)
			continue;
		if ((names[n++] = role_name(1u << i)) == NULL)
			return NULL;
	}
	qsort(names, n, sizeof names[0], cmp_str);
	return cJSON_CreateStringArray(names, (int)n);
}

/* Add item under key to o, or free it; 1 on success (0 for a NULL item). */
static int
add_item(cJSON *o, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObject(o, key, item))
		return 1;
	cJSON_Delete(item);
	return 0;
}

/* Add key: number to o; 1 on success. */
static int
add_num(cJSON *o, const char *key, double v)
{
	return cJSON_AddNumberToObject(o, key, v) != NULL;
}

/* The JSON type of field f on the wire, and its format (NULL: none). */
static const char *
type_of(const struct fld *f, const char **format)
{
	*format = NULL;
	switch (f->type) {
	case FT_INT:
		return "integer";
	case FT_NUMBER:
		return "number";
	case FT_BOOL:
		return "boolean";
	case FT_MONEY:
		*format = "money";
		return "number";
	case FT_STRLIST:
	case FT_INTLIST:
		return "array";
	case FT_UUID:
		*format = "uuid";
		break;
	case FT_EMAIL:
		*format = "email";
		break;
	case FT_DATE:
		*format = "date";
		break;
	case FT_TIME:
		*format = "time";
		break;
	case FT_DATETIME:
		*format = "date-time";
		break;
	case FT_STRING:
	case FT_ENUM:
	case FT_CURRENCY:
		break;
	}
	return "string";
}

/* Lengths in code points; 0 leaves that side open (valid.c check_string). */
static int
add_lengths(cJSON *o, const struct fld *f)
{
	return (f->min <= 0 || add_num(o, "minLength", (double)f->min)) &&
	    (f->max <= 0 || add_num(o, "maxLength", (double)f->max));
}

/*
 * The limits of field f as valid.c checks them: 0,0 is an open range;
 * money bounds in cents become decimal amounts.
 */
static int
add_limits(cJSON *o, const struct fld *f)
{
	cJSON *items;
	int n = 0;

	switch (f->type) {
	case FT_STRING:
		return add_lengths(o, f);
	case FT_CURRENCY:
		return add_lengths(o, f) &&
		    cJSON_AddStringToObject(o, "pattern", "^[A-Z]{3}$") != NULL;
	case FT_INT:
		return (f->min == 0 && f->max == 0) ||
		    (add_num(o, "minimum", (double)f->min) && add_num(o, "maximum", (double)f->max));
	case FT_NUMBER:
		return (f->fmin == 0 && f->fmax == 0) ||
		    (add_num(o, "minimum", f->fmin) && add_num(o, "maximum", f->fmax));
	case FT_EMAIL:
		return add_num(o, "maxLength", FLD_EMAIL_MAX);
	case FT_ENUM:
		while (f->enumv != NULL && f->enumv[n] != NULL)
			n++;
		return add_item(o, "enum", cJSON_CreateStringArray(f->enumv, n));
	case FT_MONEY:
		/* Bounds in cents, inclusive (valid.h); 0 leaves that side open. */
		return (f->min <= 0 || add_num(o, "minimum", (double)f->min / 100.0)) &&
		    (f->max <= 0 || add_num(o, "maximum", (double)f->max / 100.0)) &&
		    add_num(o, "multipleOf", 0.01);
	case FT_STRLIST:
		return (items = cJSON_AddObjectToObject(o, "items")) != NULL &&
		    cJSON_AddStringToObject(items, "type", "string") != NULL &&
		    add_lengths(items, f) && add_num(o, "maxItems", FLD_STRLIST_MAX);
	case FT_INTLIST:
		return (items = cJSON_AddObjectToObject(o, "items")) != NULL &&
		    cJSON_AddStringToObject(items, "type", "integer") != NULL &&
		    add_num(items, "minimum", (double)f->min) &&
		    add_num(items, "maximum", (double)f->max) &&
		    add_num(o, "maxItems", FLD_INTLIST_MAX);
	case FT_BOOL:
	case FT_UUID:
	case FT_DATE:
	case FT_TIME:
	case FT_DATETIME:
		break;
	}
	return 1;
}

static cJSON *
field_json(const struct fld *f)
{
	const char *format, *type = type_of(f, &format);
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "name", f->name) == NULL ||
	    cJSON_AddStringToObject(o, "type", type) == NULL ||
	    (format != NULL && cJSON_AddStringToObject(o, "format", format) == NULL) ||
	    !add_limits(o, f) ||
	    cJSON_AddBoolToObject(o, "required", (f->flags & FF_REQUIRED) != 0) == NULL ||
	    cJSON_AddBoolToObject(o, "nullable", (f->flags & FF_NULLABLE) != 0) == NULL ||
	    cJSON_AddBoolToObject(o, "cap", (f->flags & FF_CAP) != 0) == NULL)
		goto fail;
	if (f->refusal != NULL && cJSON_AddStringToObject(o, "refusal", f->refusal) == NULL)
		goto fail;
	if (f->roles != 0 && !add_item(o, "roles", role_list(f->roles)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* The fields of spec in order; JSON null for no spec. */
static cJSON *
spec_json(const struct med_spec *spec)
{
	cJSON *a, *f;

	if (spec == NULL)
		return cJSON_CreateNull();
	if ((a = cJSON_CreateArray()) == NULL)
		return NULL;
	for (int i = 0; i < spec->n; i++) {
		if ((f = field_json(&spec->f[i])) == NULL || !cJSON_AddItemToArray(a, f)) {
			cJSON_Delete(f);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

/* Every "{x}" of pattern, in order: "{x_id}" a UUID (valid.c valid_path_params), others a token. */
static cJSON *
path_params(const char *pattern)
{
	cJSON *a = cJSON_CreateArray(), *p;
	char name[64];

	for (const char *s = pattern; a != NULL && (s = strchr(s, '{')) != NULL; ) {
		size_t len = strcspn(++s, "}");

		if (len >= sizeof name)
			goto fail;
		memcpy(name, s, len);
		name[len] = '\0';
		s += len;
		if ((p = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(a, p) ||
		    cJSON_AddStringToObject(p, "name", name) == NULL ||
		    cJSON_AddStringToObject(p, "type", "string") == NULL ||
		    cJSON_AddStringToObject(p, "format",
		        valid_path_is_uuid(name, len) ? "uuid" : "token") == NULL)
			goto fail;
	}
	return a;
fail:
	cJSON_Delete(a);
	return NULL;
}

static cJSON *
route_json(const struct med_route *r)
{
	size_t blen = strlen(MED_API_BASE);
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || strncmp(r->pattern, MED_API_BASE "/", blen + 1) != 0 ||
	    route_auth_name(r->auth) == NULL || tx_name(r->tx) == NULL ||
	    cJSON_AddStringToObject(o, "method", r->method) == NULL ||
	    cJSON_AddStringToObject(o, "path", r->pattern + blen) == NULL ||
	    cJSON_AddStringToObject(o, "auth", route_auth_name(r->auth)) == NULL ||
	    !add_item(o, "roles", role_list(r->roles)) ||
	    cJSON_AddStringToObject(o, "tx", tx_name(r->tx)) == NULL ||
	    !add_item(o, "params", path_params(r->pattern)) ||
	    !add_item(o, "query", spec_json(r->query)) ||
	    !add_item(o, "body", spec_json(r->body))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
route_doc(const struct med_route *routes)
{
	cJSON *doc = cJSON_CreateObject(), *list, *r;

	if (doc == NULL || cJSON_AddStringToObject(doc, "base", MED_API_BASE) == NULL ||
	    !add_item(doc, "roles", role_list(ROLE_ANY)) ||
	    (list = cJSON_AddArrayToObject(doc, "routes")) == NULL)
		goto fail;
	for (; routes->handler != NULL; routes++)
		if ((r = route_json(routes)) == NULL || !cJSON_AddItemToArray(list, r)) {
			cJSON_Delete(r);
			goto fail;
		}
	return doc;
fail:
	cJSON_Delete(doc);
	return NULL;
}
