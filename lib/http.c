/*
 * http.c - request/response lifetime, the API envelope, query strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

void
med_req_free(struct med_req *req)
{
	for (int i = 0; i < req->nqs; i++) {
		free(req->qs[i].key);
		free(req->qs[i].val);
	}
	req->nqs = 0;
	while (req->nparams > 0)
		free(req->params[--req->nparams]);
	cJSON_Delete(req->json);
	req->json = NULL;
	free(req->query_vals);
	free(req->body_vals);
	req->query_vals = req->body_vals = NULL;
	req->query_spec = req->body_spec = NULL;
}

void
med_resp_free(struct med_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
}

/* The fallback when even the envelope cannot be allocated. */
static const char oom_body[] =
    "{\"success\":false,\"data\":null,\"message\":\"Service temporarily unavailable\"}";

int
med_reply(struct med_resp *resp, int status, cJSON *data, const char *message)
{
	cJSON *env = cJSON_CreateObject();

	free(resp->body);
	resp->body = NULL;
	resp->status = status;
	/* An envelope is JSON and never cacheable, whatever the answer held before. */
	resp->content_type = NULL;
	resp->cache_control = NULL;
	if (env == NULL)
		goto oom;
	if (cJSON_AddBoolToObject(env, "success", status >= 200 && status < 300) == NULL)
		goto oom;
	if (data == NULL)
		data = cJSON_CreateNull();
	if (data == NULL || !cJSON_AddItemToObject(env, "data", data)) {
		cJSON_Delete(data);
		goto oom;
	}
	data = NULL;
	if ((message != NULL ? cJSON_AddStringToObject(env, "message", message) :
	    cJSON_AddNullToObject(env, "message")) == NULL)
		goto oom;
	if ((resp->body = cJSON_PrintUnformatted(env)) == NULL)
		goto oom;
	cJSON_Delete(env);
	return status;
oom:
	cJSON_Delete(env);
	cJSON_Delete(data);
	resp->status = 503;
	resp->body = strdup(oom_body);
	return resp->status;
}

int
med_ok(struct med_resp *resp, cJSON *data)
{
	return med_reply(resp, 200, data, NULL);
}

int
med_created(struct med_resp *resp, cJSON *data)
{
	return med_reply(resp, 201, data, NULL);
}

int
med_no_content(struct med_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->status = 204;
	resp->content_type = NULL;
	return 204;
}

int
med_ok_text(struct med_resp *resp, const char *content_type, char *text)
{
	free(resp->body);
	resp->body = text;
	resp->status = 200;
	resp->content_type = content_type;
	return 200;
}

int
med_error(struct med_resp *resp, int status, const char *message)
{
	return med_reply(resp, status, NULL, message);
}

int
med_unauthorized(struct med_resp *resp, const char *message)
{
	resp->www_authenticate = 1;
	return med_error(resp, 401, message);
}

/* "body.email: Field required" style sentence for the message. */
static void
invalid_message(char *buf, size_t size, const char *where, const char *field, const char *msg)
{
	if (field != NULL)
		snprintf(buf, size, "%s.%s: %s", where, field, msg);
	else
		snprintf(buf, size, "%s: %s", where, msg);
}

int
med_invalid(struct med_resp *resp, const char *where, const char *field,
    const char *msg, const char *type)
{
	cJSON *data = cJSON_CreateObject(), *detail, *item, *loc;
	char sentence[512];

	if (data == NULL || (detail = cJSON_AddArrayToObject(data, "detail")) == NULL ||
	    (item = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(data);
		return med_reply(resp, 422, NULL, msg);
	}
	cJSON_AddItemToArray(detail, item);
	if ((loc = cJSON_AddArrayToObject(item, "loc")) != NULL) {
		cJSON_AddItemToArray(loc, cJSON_CreateString(where));
		if (field != NULL)
			cJSON_AddItemToArray(loc, cJSON_CreateString(field));
	}
	cJSON_AddStringToObject(item, "msg", msg);
	cJSON_AddStringToObject(item, "type", type);
	invalid_message(sentence, sizeof sentence, where, field, msg);
	return med_reply(resp, 422, data, sentence);
}

int
med_fail(struct med_resp *resp, enum med_err e)
{
	switch (e) {
	case MED_OK:
		return med_error(resp, 500, "Internal error");
	case MED_EINVAL:
		return med_error(resp, 400, "Bad request");
	case MED_ENOTFOUND:
		return med_error(resp, 404, "Not found");
	case MED_ECONFLICT:
		return med_error(resp, 409, "Conflict");
	case MED_EAUTH:
	case MED_EEXPIRED:
		return med_unauthorized(resp, "Could not validate credentials");
	case MED_EFORBIDDEN:
		return med_error(resp, 403, "Forbidden");
	case MED_EBUSY:
	case MED_ENOMEM:
		/* Transient: the client may retry. */
		resp->retry_after = 1;
		return med_error(resp, 503, "Service temporarily unavailable");
	case MED_EFULL:
		resp->retry_after = 60;
		return med_error(resp, 507, "Insufficient storage");
	case MED_ESTORAGE:
		resp->retry_after = 5;
		return med_error(resp, 503, "Storage unavailable");
	default:
		return med_error(resp, 500, "Internal error");
	}
}

const char *
med_query(const struct med_req *req, const char *name)
{
	for (int i = 0; i < req->nqs; i++)
		if (strcmp(req->qs[i].key, name) == 0)
			return req->qs[i].val;
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into a new string; NULL on a bad escape or NUL. */
static char *
url_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				goto bad;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0')
			goto bad;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

enum med_err
med_parse_query(struct med_req *req)
{
	const char *q = req->query;

	if (q == NULL || req->nqs > 0)
		return MED_OK;
	while (*q != '\0') {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);
		size_t klen = eq != NULL ? (size_t)(eq - q) : len;

		if (len > 0) {
			if (req->nqs == MED_MAX_QUERY)
				return MED_ERANGE;
			req->qs[req->nqs].key = url_decode(q, klen);
			req->qs[req->nqs].val = eq != NULL ?
			    url_decode(eq + 1, len - klen - 1) : strdup("");
			if (req->qs[req->nqs].key == NULL || req->qs[req->nqs].val == NULL) {
				free(req->qs[req->nqs].key);
				free(req->qs[req->nqs].val);
				return MED_EINVAL;
			}
			req->nqs++;
		}
		q += len;
		if (*q == '&')
			q++;
	}
	return MED_OK;
}
