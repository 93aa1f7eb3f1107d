/*
 * loop.c - one API request, in process, N times: the library's own cost
 * without nginx or FastCGI, for profiling under callgrind.
 *
 *   loop DATA_DIR N METHOD PATH [QUERY [TOKEN [BODY]]]
 *
 * Prints the status of the last answer, its size and microseconds per
 * request.  Typical use, on a bench data directory (make bench with
 * BENCH_KEEP=1 leaves build/bench/work/api):
 *
 *   valgrind --tool=callgrind build/bench/loop build/bench/work/api 200 GET /api/v1/doctors
 *   perf record -g build/bench/loop build/bench/work/api 5000 GET /api/v1/users/me "" "$TOKEN"
 *
 * Requests that write (a POST, a record read with its audit rows) do
 * write to that database.  With LOOP_DUMP=FILE the last answer's body is
 * written to FILE (to check that an optimisation changed no byte).
 *
 * Bookings: with LOOP_SLOT_BASE=UNIX_SECONDS, "{start}" and "{end}" in BODY
 * become the instants of the 5-minute slot number i after that base for
 * request i, so N bookings of distinct slots can be profiled in process:
 *
 *   LOOP_SLOT_BASE=$(( ($(date +%s) / 86400 + 3) * 86400 )) build/bench/loop DIR 500 \
 *       POST /api/v1/appointments "" "$TOKEN" \
 *       '{"doctor_id":"…","start_time":"{start}","end_time":"{end}"}'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "med.h"
#include "route.h"

/* Copy BODY into OUT with {start} and {end} replaced by slot I's instants. */
static void
slot_body(char *out, size_t cap, const char *body, long long base, int i)
{
	char start[32], end[32];
	time_t t0 = (time_t)(base + (long long)i * 300), t1 = t0 + 300;
	size_t o = 0;

	strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	strftime(end, sizeof end, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t1));
	while (*body != '\0' && o + 1 < cap) {
		const char *v = strncmp(body, "{start}", 7) == 0 ? start :
		    strncmp(body, "{end}", 5) == 0 ? end : NULL;
		if (v == NULL) {
			out[o++] = *body++;
			continue;
		}
		body += v == start ? 7 : 5;
		for (; *v != '\0' && o + 1 < cap; v++)
			out[o++] = *v;
	}
	out[o] = '\0';
}

int
main(int argc, char **argv)
{
	char body[4096];
	const char *slot_base = getenv("LOOP_SLOT_BASE");
	struct med_config cfg;
	struct med_ctx ctx;
	struct timespec t0, t1;
	char auth[4096];
	int n, status = 0;
	size_t size = 0;

	if (argc < 5 || argc > 8 || (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: loop DATA_DIR N METHOD PATH [QUERY [TOKEN [BODY]]]\n");
		return 2;
	}
	if (med_config_from_env(&cfg) != MED_OK)
		return 1;
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", argv[1]);
	snprintf(cfg.db_path, sizeof cfg.db_path, "%s/clinic.db", argv[1]);
	if (med_ctx_open(&ctx, &cfg, 0) != MED_OK) {
		fprintf(stderr, "loop: cannot open %s\n", cfg.db_path);
		return 1;
	}
	/* The stack's keys, which signed the token it is given. */
	if (med_ctx_load_secrets(&ctx, 0) != MED_OK) {
		fprintf(stderr, "loop: no JWT keys in %s/secrets\n", cfg.data_dir);
		med_ctx_close(&ctx);
		return 1;
	}
	snprintf(auth, sizeof auth, "Bearer %s", argc > 6 ? argv[6] : "");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		struct med_req req;
		struct med_resp resp;
		memset(&req, 0, sizeof req);
		memset(&resp, 0, sizeof resp);
		req.method = argv[3];
		req.path = argv[4];
		req.query = argc > 5 && argv[5][0] != '\0' ? argv[5] : NULL;
		req.authorization = argc > 6 && argv[6][0] != '\0' ? auth : NULL;
		req.body = argc > 7 ? argv[7] : NULL;
		if (req.body != NULL && slot_base != NULL) {
			slot_body(body, sizeof body, argv[7], atoll(slot_base), i);
			req.body = body;
		}
		req.body_len = req.body != NULL ? strlen(req.body) : 0;
		req.content_type = "application/json";
		req.remote_addr = "127.0.0.1";
		med_handle(&ctx, &req, &resp);
		status = resp.status;
		size = resp.body != NULL ? strlen(resp.body) : 0;
		if (i == n - 1 && getenv("LOOP_DUMP") != NULL && resp.body != NULL) {
			FILE *f = fopen(getenv("LOOP_DUMP"), "w");
			if (f != NULL) {
				fputs(resp.body, f);
				fclose(f);
			}
		}
		med_req_free(&req);
		med_resp_free(&resp);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("status %d bytes %zu us_per_request %.1f\n", status, size,
	    ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / n);
	med_ctx_close(&ctx);
	return 0;
}
