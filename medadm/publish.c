/*
 * publish.c - medadm publish: the SMART Scheduling Links files written as
 * static files, the same bytes the workers serve under $bulk-publish
 * (lib/fhir_publish.h), for a clinic that prefers a timer and a static
 * server.  Each file is written beside its name and renamed into place,
 * so a reader never sees half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fhir_publish.h"
#include "medadm.h"
#include "util.h"

struct out {
	FILE *f;
	long lines;
};

static enum med_err
file_line(const char *line, size_t len, void *arg)
{
	struct out *o = arg;

	if (fwrite(line, 1, len, o->f) != len || fputc('\n', o->f) == EOF)
		return MED_EIO;
	o->lines++;
	return MED_OK;
}

/* path.tmp filled by fill(), then renamed to path. */
static enum med_err
write_file(struct med_ctx *ctx, const char *path, const char *type, cJSON *manifest, long *lines)
{
	char tmp[MED_PATH_MAX + 8];
	struct out o = { NULL, 0 };
	enum med_err e = MED_OK;
	char *text;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((o.f = fopen(tmp, "w")) == NULL)
		return MED_EIO;
	if (manifest != NULL) {
		if ((text = cJSON_PrintUnformatted(manifest)) == NULL)
			e = MED_ENOMEM;
		else if (fputs(text, o.f) == EOF || fputc('\n', o.f) == EOF)
			e = MED_EIO;
		free(text);
	} else {
		e = fhir_publish(ctx, type, file_line, &o);
	}
	if (fclose(o.f) != 0 && e == MED_OK)
		e = MED_EIO;
	if (e == MED_OK && rename(tmp, path) != 0)
		e = MED_EIO;
	if (e != MED_OK)
		(void)remove(tmp);
	*lines = o.lines;
	return e;
}

int
cmd_publish(struct adm *a, int argc, char **argv)
{
	char path[MED_PATH_MAX], files[512];
	const char *dir;
	cJSON *manifest;
	int64_t t0 = util_mono_us();
	size_t n = strlen(a->cfg.public_url);
	long lines, total = 0;
	enum med_err e;

	if (argc != 1 || argv[0][0] == '-' || argv[0][0] == '\0')
		return ADM_USAGE;
	dir = argv[0];
	/* One snapshot: the files agree with each other. */
	if ((e = db_begin_read(&a->ctx)) != MED_OK)
		return adm_fail("publish", e);
	for (int i = 0; fhir_publish_types[i] != NULL && e == MED_OK; i++) {
		snprintf(path, sizeof path, "%s/%s.ndjson", dir, fhir_publish_types[i]);
		e = write_file(&a->ctx, path, fhir_publish_types[i], NULL, &lines);
		total += lines;
	}
	db_rollback(&a->ctx);
	if (e != MED_OK) {
		fprintf(stderr, "medadm: publish: %s: %s\n", path, e == MED_EIO ? strerror(errno) :
		    med_strerror(e));
		return ADM_FAIL;
	}
	while (n > 0 && a->cfg.public_url[n - 1] == '/')
		n--;
	snprintf(files, sizeof files, "%.*s/fhir/r4/$bulk-publish", (int)n, a->cfg.public_url);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	if ((manifest = fhir_publish_manifest(&a->ctx, files)) == NULL)
		return adm_fail("publish", MED_ENOMEM);
	e = write_file(&a->ctx, path, NULL, manifest, &lines);
	cJSON_Delete(manifest);
	if (e != MED_OK) {
		fprintf(stderr, "medadm: publish: %s: %s\n", path, strerror(errno));
		return ADM_FAIL;
	}
	printf("published %ld resources into %s in %.0f ms\n", total, dir,
	    (double)(util_mono_us() - t0) / 1000.0);
	return ADM_OK;
}
