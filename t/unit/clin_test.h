/*
 * clin_test.h - the cast of the clinical unit suites (records, billing,
 * audit), on top of unitkit.h.
 *
 * From seed.sql: patient A = Amina (P1), patient B = Sofiane (P2); doctor
 * X = Samir (D1), who has appointments with Amina; doctor Y = Nadia (D2),
 * who has none with Amina but one with Sofiane.
 */
#ifndef CLIN_TEST_H
#define CLIN_TEST_H

#include "unitkit.h"

#define E_ADMIN EM_ADMIN
#define E_STAFF EM_STAFF
#define E_A EM_AMINA
#define E_B EM_SOFIANE
#define E_X EM_SAMIR
#define E_Y EM_NADIA

#define U_ADMIN USR_ADMIN
#define U_A USR_AMINA
#define U_X USR_SAMIR
#define U_Y USR_NADIA
#define P_A PAT_AMINA
#define P_B PAT_SOFIANE
#define D_X DOC_SAMIR
#define D_Y DOC_NADIA
#define APPT_A_X "6b7f3e9d-8a02-4db4-9fc0-000000000005"
#define APPT_B_Y "6b7f3e9d-8a02-4db4-9fc0-000000000002"
#define REC_A "7c804fae-9b13-4ec5-a0d1-000000000001"
#define BILL_A "8d915abf-ac24-4fd6-b1e2-000000000001"
#define POLICY_A "9ea26bc0-bd35-4ae7-82f3-000000000001"
#define NOBODY NO_SUCH_ID

/* A token per identity of the cast. */
struct cast {
	char *admin, *staff, *a, *b, *x, *y;
};

static inline void
cast_open(struct med_ctx *ctx, struct cast *c)
{
	c->admin = ut_login(ctx, E_ADMIN);
	c->staff = ut_login(ctx, E_STAFF);
	c->a = ut_login(ctx, E_A);
	c->b = ut_login(ctx, E_B);
	c->x = ut_login(ctx, E_X);
	c->y = ut_login(ctx, E_Y);
}

static inline void
cast_close(struct cast *c)
{
	free(c->admin);
	free(c->staff);
	free(c->a);
	free(c->b);
	free(c->x);
	free(c->y);
}

/* The fixture of every clinical suite: a fresh seeded database, the cast logged in. */
static struct med_ctx ctx;
static struct cast c;

static void
setup(void)
{
	test_ctx_open(&ctx, 1);
	cast_open(&ctx, &c);
}

static void
teardown(void)
{
	cast_close(&c);
	test_ctx_close(&ctx);
}

#endif
