/*
 * gen.c - fill a fresh clinic database with years of clinic data for the
 * benchmark:
 *
 *   gen DATA_DIR
 *
 * DATA_DIR must not hold a clinic.db yet.  The schema comes from the
 * library (med_ctx_open with create), then seed.sql, so the bench can log
 * in as the demo accounts (password "Algeria123!").  On top of that:
 *
 *   - 200 doctors (users + profiles), 1-2 specialties, one of 12 cities,
 *     weekly windows on five weekdays (09-12 and 14-17);
 *   - one booking doctor (bench.booking@example.dz) with 00:00-24:00
 *     windows every day and no appointments: POST /appointments in the
 *     bench books its free slots;
 *   - 50,000 patients (users + profiles) and one booking patient
 *     (bench.patient@example.dz) without appointments;
 *   - 1,000,000 appointments on the 30-minute grid of the windows, from
 *     4.5 years ago to half a year ahead: past ones COMPLETED (85 %) or
 *     CANCELLED, future ones SCHEDULED; never overlapping per doctor (one
 *     per slot) nor per patient (see pick_patient());
 *   - the busiest doctor is the seeded samir.bensalah (about 80 % of his
 *     slots booked), and the seeded patient amina.benali has a few hundred
 *     of his appointments;
 *   - 200,000 medical records and 300,000 billing entries, each tied to a
 *     completed appointment.
 *
 * Every generated account shares ONE scrypt hash of "Algeria123!",
 * computed once: 50,000 hashes at ~0.1 s each would take over an hour and
 * measure nothing.  Ids are v4-shaped UUIDs from a fixed-seed generator,
 * so two runs produce the same data (relative to the day they run).
 *
 * Speed: journal_mode=OFF and synchronous=OFF while loading (a failed run
 * is simply deleted), one transaction per table, prepared statements, a
 * large page cache; WAL is switched back on at the end, as the workers
 * expect.  Prints the time of each phase.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"
#include "embedded.h"
#include "med.h"
#include "pwhash.h"
#include "util.h"

#define N_DOCTORS 200
#define N_PATIENTS 50000
#define N_APPTS 1000000
#define N_RECORDS 200000
#define N_BILLINGS 300000
#define N_SAMIR 10000          /* appointments of the busiest doctor */
#define AMINA_EVERY 20         /* every 20th of samir's goes to amina */
#define SLOT 1800              /* 30 minutes */
#define DAYS_PAST 1643         /* 4.5 years */
#define DAYS_FUTURE 183        /* half a year */

#define SEED_SAMIR "4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001"
#define SEED_AMINA "3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001"
#define PASSWORD "Algeria123!"

/* The seeded doctors occupy indexes 0..4 of the doctor table below. */
#define N_SEEDED_DOCTORS 5
#define N_ALL_DOCTORS (N_SEEDED_DOCTORS + N_DOCTORS)

static const char *const cities[] = {
	"Alger", "Oran", "Constantine", "Annaba", "Blida", "Batna", "Sétif",
	"Tlemcen", "Béjaïa", "Tizi Ouzou", "Biskra", "Ouargla",
};
static const char *const first_names[] = {
	"Amine", "Yasmine", "Karim", "Lina", "Mehdi", "Imane", "Rachid", "Sonia",
	"Walid", "Meriem", "Omar", "Nour", "Farid", "Asma", "Nabil", "Rym",
};
static const char *const last_names[] = {
	"Belkacem", "Boudiaf", "Haddad", "Mansouri", "Saadi", "Zerrouki", "Kaci",
	"Brahimi", "Ouali", "Lounis", "Meziane", "Taleb", "Djebbar", "Amrani",
};
static const char *const blood_types[] = { "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-" };
static const char *const diagnoses[] = {
	"Hypertension artérielle", "Diabète de type 2", "Rhinopharyngite", "Eczéma",
	"Lombalgie", "Otite moyenne", "Migraine", "Asthme", "Gastro-entérite", "Contrôle de routine",
};

/* A doctor as the generator sees it: id and the weekly 30-minute slots. */
struct doc {
	char id[MED_UUID_LEN + 1];
	int nslots;
	int wday[64];       /* 0 = Monday */
	int secs[64];       /* slot start, seconds after local midnight */
};

/* One generated appointment, kept for the records and billing passes. */
struct appt {
	int64_t start;
	uint32_t n;         /* ordinal: the id is derived from it */
	int32_t patient;    /* index; -1 = amina */
	uint16_t doctor;
	uint8_t status;     /* 0 scheduled, 1 completed, 2 cancelled */
};

/* A seeded appointment: generated ones must not overlap it. */
struct busy {
	char doctor[MED_UUID_LEN + 1];
	char patient[MED_UUID_LEN + 1];
	int64_t start, end;
};

struct gen {
	struct med_ctx ctx;
	struct doc docs[N_ALL_DOCTORS];
	struct busy busy[64];
	int nbusy;
	struct appt *appts;
	size_t nappts;
	char hash[PWHASH_MAX];
	int64_t now;
	uint64_t rng;
};

/* ---- deterministic ids and randomness ------------------------------------ */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
rnd(struct gen *g)
{
	g->rng = mix64(g->rng);
	return g->rng;
}

/* Uniform in [0, n). */
static uint64_t
rnd_below(struct gen *g, uint64_t n)
{
	return rnd(g) % n;
}

/* A v4-shaped lowercase UUID, a function of (kind, n) only. */
static void
make_uuid(char out[MED_UUID_LEN + 1], unsigned kind, uint64_t n)
{
	uint64_t a = mix64(((uint64_t)kind << 40) ^ n), b = mix64(a ^ 0x5bd1e995ULL);

	a = (a & 0xffffffffffff0fffULL) | 0x4000ULL;                 /* version 4 */
	b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;     /* variant 10 */
	snprintf(out, MED_UUID_LEN + 1, "%08x-%04x-%04x-%04x-%012llx",
	    (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff,
	    (unsigned)(b >> 48), (unsigned long long)(b & 0xffffffffffffULL));
}

enum { K_DOC_USER = 1, K_DOC, K_AVAIL, K_PAT_USER, K_PAT, K_APPT, K_REC, K_BILL };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- SQL ------------------------------------------------------------------ */

static const char SQL_USER[] =
    "INSERT INTO users (id, email, password_hash, role_id, is_active, is_superuser,"
    " token_version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 1, 0, 0, ?5, ?5)";
static const char SQL_DOCTOR[] =
    "INSERT INTO doctors (id, user_id, first_name, last_name, phone, bio, years_experience,"
    " clinic_address, city, country, avg_rating, rating_count, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'Algérie', ?10, ?11, ?12, ?12)";
static const char SQL_DOC_SPEC[] =
    "INSERT OR IGNORE INTO doctor_specialties (doctor_id, specialty_id) VALUES (?1, ?2)";
static const char SQL_AVAIL[] =
    "INSERT INTO doctor_availability (id, doctor_id, weekday, start_time, end_time, is_active,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)";
static const char SQL_SEED_WINDOWS[] =
    "SELECT doctor_id, weekday, start_time, end_time FROM doctor_availability"
    " WHERE is_active = 1 ORDER BY doctor_id, weekday, start_time";
static const char SQL_SEED_DOCTORS[] = "SELECT id FROM doctors ORDER BY id";
static const char SQL_SEED_APPTS[] =
    "SELECT doctor_id, patient_id, start_time, end_time FROM appointments";
static const char SQL_PATIENT[] =
    "INSERT INTO patients (id, user_id, first_name, last_name, phone, date_of_birth, gender,"
    " address, city, country, blood_type, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'Algérie', ?10, ?11, ?11)";
static const char SQL_APPT[] =
    "INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time, reason, status,"
    " cancellation_reason, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char SQL_RECORD[] =
    "INSERT INTO medical_records (id, patient_id, doctor_id, diagnosis, treatment_plan,"
    " prescription, notes, recorded_at, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?7, ?7)";
static const char SQL_BILLING[] =
    "INSERT INTO billings (id, patient_id, appointment_id, amount_cents, currency, description,"
    " status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'DZD', ?5, ?6, ?7, ?7)";

static int
fail(struct gen *g, const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, sqlite3_errmsg(g->ctx.db));
	return -1;
}

/* Step an insert prepared with db_stmt(); -1 (and a message) on error. */
static int
step(struct gen *g, sqlite3_stmt *st, const char *what)
{
	if (db_step_done(st) != MED_OK)
		return fail(g, what);
	return 0;
}

static sqlite3_stmt *
stmt(struct gen *g, const char *sql)
{
	sqlite3_stmt *st = db_stmt(&g->ctx, sql);

	if (st == NULL)
		fail(g, "prepare");
	return st;
}

/* ---- people --------------------------------------------------------------- */

static int
insert_user(struct gen *g, const char *id, const char *email, int role)
{
	sqlite3_stmt *st = stmt(g, SQL_USER);

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, email);
	db_bind_text(st, 3, g->hash);
	db_bind_int(st, 4, role);
	db_bind_int(st, 5, g->now - 5 * 365 * 86400LL);
	return step(g, st, "insert user");
}

static int
insert_window(struct gen *g, struct doc *d, uint64_t n, int wday, int from, int to)
{
	char id[MED_UUID_LEN + 1];
	sqlite3_stmt *st = stmt(g, SQL_AVAIL);

	if (st == NULL)
		return -1;
	make_uuid(id, K_AVAIL, n);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, d->id);
	db_bind_int(st, 3, wday);
	db_bind_int(st, 4, from);
	db_bind_int(st, 5, to);
	db_bind_int(st, 6, g->now);
	return step(g, st, "insert window");
}

/* A doctor: user, profile, specialties (spec2 0 = only one); windows are separate. */
static int
insert_doctor(struct gen *g, struct doc *d, uint64_t n, const char *email, const char *first,
    const char *last, const char *city, int spec1, int spec2)
{
	char uid[MED_UUID_LEN + 1], phone[24], addr[64];
	sqlite3_stmt *st;

	make_uuid(uid, K_DOC_USER, n);
	make_uuid(d->id, K_DOC, n);
	if (insert_user(g, uid, email, 2) != 0 || (st = stmt(g, SQL_DOCTOR)) == NULL)
		return -1;
	snprintf(phone, sizeof phone, "+21356%07llu", (unsigned long long)n);
	snprintf(addr, sizeof addr, "%llu rue de la Clinique", (unsigned long long)(n % 90 + 1));
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, uid);
	db_bind_text(st, 3, first);
	db_bind_text(st, 4, last);
	db_bind_text(st, 5, phone);
	db_bind_text(st, 6, "Praticien de la clinique, consultations sur rendez-vous.");
	db_bind_int(st, 7, (int64_t)rnd_below(g, 35) + 1);
	db_bind_text(st, 8, addr);
	db_bind_text(st, 9, city);
	sqlite3_bind_double(st, 10, 3.0 + (double)rnd_below(g, 21) / 10.0);
	db_bind_int(st, 11, (int64_t)rnd_below(g, 200));
	db_bind_int(st, 12, g->now - 5 * 365 * 86400LL);
	if (step(g, st, "insert doctor") != 0)
		return -1;
	for (int s = 0; s < 2; s++) {
		int spec = s == 0 ? spec1 : spec2;
		if (spec == 0)
			continue;
		if ((st = stmt(g, SQL_DOC_SPEC)) == NULL)
			return -1;
		db_bind_text(st, 1, d->id);
		db_bind_int(st, 2, spec);
		if (step(g, st, "insert specialty") != 0)
			return -1;
	}
	return 0;
}

/* Add the 30-minute slots of window [from, to) on wday to d's weekly grid. */
static void
add_slots(struct doc *d, int wday, int from, int to)
{
	for (int s = from; s + SLOT <= to && d->nslots < 64; s += SLOT) {
		d->wday[d->nslots] = wday;
		d->secs[d->nslots] = s;
		d->nslots++;
	}
}

/* The seeded doctors, their windows and appointments, as loaded by seed.sql. */
static int
load_seeded(struct gen *g)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	if ((st = stmt(g, SQL_SEED_DOCTORS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < N_SEEDED_DOCTORS)
		db_col_copy(st, 0, g->docs[n++].id, sizeof g->docs[0].id);
	sqlite3_reset(st);
	/* Samir first: index 0 is the busiest doctor below. */
	if (n != N_SEEDED_DOCTORS || strcmp(g->docs[0].id, SEED_SAMIR) != 0) {
		fprintf(stderr, "gen: seed.sql changed: expected %d doctors, samir first\n",
		    N_SEEDED_DOCTORS);
		return -1;
	}
	if ((st = stmt(g, SQL_SEED_WINDOWS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *doc = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; i < N_SEEDED_DOCTORS; i++)
			if (strcmp(doc, g->docs[i].id) == 0)
				add_slots(&g->docs[i], sqlite3_column_int(st, 1),
				    sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
	}
	sqlite3_reset(st);
	if ((st = stmt(g, SQL_SEED_APPTS)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && g->nbusy < 64) {
		struct busy *b = &g->busy[g->nbusy++];
		db_col_copy(st, 0, b->doctor, sizeof b->doctor);
		db_col_copy(st, 1, b->patient, sizeof b->patient);
		b->start = sqlite3_column_int64(st, 2);
		b->end = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return 0;
}

static int
gen_doctors(struct gen *g)
{
	char email[64];
	/* Five weekdays each: Mon-Fri, or a shifted week for one in three. */
	static const int weeks[3][5] = { { 0, 1, 2, 3, 4 }, { 1, 2, 3, 4, 5 }, { 0, 2, 3, 5, 6 } };
	struct doc book;
	uint64_t win = 1;

	for (int i = 0; i < N_DOCTORS; i++) {
		struct doc *d = &g->docs[N_SEEDED_DOCTORS + i];
		int spec1 = (int)(i % 10) + 1, spec2 = i % 3 == 0 ? (int)((i / 10) % 10) + 1 : 0;
		snprintf(email, sizeof email, "doctor%03d@bench.example.dz", i);
		if (insert_doctor(g, d, (uint64_t)i, email, first_names[i % 16],
		    last_names[(i / 16) % 14], cities[(i / 3) % 12], spec1,
		    spec2 == spec1 ? 0 : spec2) != 0)
			return -1;
		for (int k = 0; k < 5; k++) {
			int wd = weeks[i % 3][k];
			if (insert_window(g, d, win++, wd, 9 * 3600, 12 * 3600) != 0 ||
			    insert_window(g, d, win++, wd, 14 * 3600, 17 * 3600) != 0)
				return -1;
			add_slots(d, wd, 9 * 3600, 12 * 3600);
			add_slots(d, wd, 14 * 3600, 17 * 3600);
		}
	}
	/* The booking doctor: every day, all day, no history. */
	memset(&book, 0, sizeof book);
	if (insert_doctor(g, &book, 999999, "bench.booking@example.dz", "Bench", "Booking",
	    "Alger", 6, 0) != 0)
		return -1;
	for (int wd = 0; wd < 7; wd++)
		if (insert_window(g, &book, win++, wd, 0, 86400) != 0)
			return -1;
	/* The directory's search keys, as lib/doctors.c keeps them. */
	return db_exec(&g->ctx, "UPDATE doctors SET first_name_key = med_fold(first_name),"
	    " last_name_key = med_fold(last_name), city_key = med_fold(city)") == MED_OK ? 0 : -1;
}

static int
gen_patients(struct gen *g)
{
	char uid[MED_UUID_LEN + 1], pid[MED_UUID_LEN + 1], email[64], phone[24], dob[16], addr[64];

	for (int i = 0; i <= N_PATIENTS; i++) {
		/* Index N_PATIENTS is the booking patient: no appointments. */
		int bookie = i == N_PATIENTS;
		sqlite3_stmt *st;
		make_uuid(uid, K_PAT_USER, (uint64_t)i);
		make_uuid(pid, K_PAT, (uint64_t)i);
		if (bookie)
			snprintf(email, sizeof email, "bench.patient@example.dz");
		else
			snprintf(email, sizeof email, "patient%05d@bench.example.dz", i);
		if (insert_user(g, uid, email, 3) != 0 || (st = stmt(g, SQL_PATIENT)) == NULL)
			return -1;
		snprintf(phone, sizeof phone, "+21355%07d", i);
		snprintf(dob, sizeof dob, "%04d-%02d-%02d", 1940 + (int)rnd_below(g, 80),
		    1 + (int)rnd_below(g, 12), 1 + (int)rnd_below(g, 28));
		snprintf(addr, sizeof addr, "%d cité des Jardins", i % 200 + 1);
		db_bind_text(st, 1, pid);
		db_bind_text(st, 2, uid);
		db_bind_text(st, 3, first_names[rnd_below(g, 16)]);
		db_bind_text(st, 4, last_names[rnd_below(g, 14)]);
		db_bind_text(st, 5, phone);
		db_bind_text(st, 6, dob);
		db_bind_text(st, 7, rnd_below(g, 2) ? "F" : "M");
		db_bind_text(st, 8, addr);
		db_bind_text(st, 9, cities[rnd_below(g, 12)]);
		db_bind_text(st, 10, blood_types[rnd_below(g, 8)]);
		db_bind_int(st, 11, g->now - 5 * 365 * 86400LL);
		if (step(g, st, "insert patient") != 0)
			return -1;
	}
	return 0;
}

/* ---- appointments --------------------------------------------------------- */

/*
 * The patient of doctor di's appointment at instant t: a per-instant
 * random base plus the doctor's index.  Two doctors booked at the same
 * instant differ in index by less than N_PATIENTS, so they never get the
 * same patient; all slots lie on one 30-minute grid and last 30 minutes,
 * so different instants never overlap.  No patient is double-booked.
 */
static int32_t
pick_patient(int64_t t, int di)
{
	return (int32_t)((mix64((uint64_t)t) + (uint64_t)di) % N_PATIENTS);
}

/* Whether a candidate collides with a seeded appointment of its doctor or patient. */
static int
hits_seed(const struct gen *g, const char *doctor, const char *patient, int64_t start)
{
	for (int i = 0; i < g->nbusy; i++) {
		const struct busy *b = &g->busy[i];
		if (b->start < start + SLOT && start < b->end &&
		    (strcmp(b->doctor, doctor) == 0 || strcmp(b->patient, patient) == 0))
			return 1;
	}
	return 0;
}

/* The clinic-local date where the generated period starts. */
static void
period_start(const struct gen *g, int *y, int *m, int *d)
{
	int wd, secs;

	util_utc_to_local(g->now, y, m, d, &wd, &secs);
	util_add_days(y, m, d, -DAYS_PAST);
}

/*
 * The weekly slots of doctor di over the whole period, in order: count
 * them (pass 0, into *candidates), or take exactly `want` of them with
 * Knuth's selection sampling (pass 1, given the count of pass 0).
 */
static void
gen_appts_of(struct gen *g, int di, uint64_t want, int pass, uint64_t *candidates)
{
	const struct doc *d = &g->docs[di];
	uint64_t seen = 0, taken = 0;
	int y, m, day;

	period_start(g, &y, &m, &day);
	for (int k = 0; k < DAYS_PAST + DAYS_FUTURE; k++, util_add_days(&y, &m, &day, 1)) {
		int64_t midnight = util_local_to_utc(y, m, day, 0);
		int wd, ly, lm, ld, secs;
		util_utc_to_local(midnight + 43200, &ly, &lm, &ld, &wd, &secs);
		for (int s = 0; s < d->nslots; s++) {
			char pid[MED_UUID_LEN + 1];
			int64_t t;
			int32_t p;
			if (d->wday[s] != wd)
				continue;
			t = util_local_to_utc(y, m, day, d->secs[s]);
			p = pick_patient(t, di);
			make_uuid(pid, K_PAT, (uint64_t)p);
			if (di < N_SEEDED_DOCTORS && hits_seed(g, d->id, pid, t))
				continue;
			if (di == 0 && hits_seed(g, d->id, SEED_AMINA, t))
				continue;
			if (pass == 0) {
				seen++;
				continue;
			}
			/* Algorithm S: take with probability (want - taken) / (left). */
			if (rnd_below(g, *candidates - seen) < want - taken) {
				struct appt *a = &g->appts[g->nappts];
				a->start = t;
				a->n = (uint32_t)g->nappts;
				a->patient = di == 0 && taken % AMINA_EVERY == 0 ? -1 : p;
				a->doctor = (uint16_t)di;
				a->status = t >= g->now ? 0 : rnd_below(g, 100) < 85 ? 1 : 2;
				g->nappts++;
				taken++;
			}
			seen++;
		}
	}
	if (pass == 0)
		*candidates = seen;
}

static int
insert_appts(struct gen *g)
{
	static const char *const reasons[] = {
		"Consultation", "Contrôle", "Suivi de traitement", "Première consultation",
		"Renouvellement d'ordonnance", "Résultats d'analyses",
	};
	char id[MED_UUID_LEN + 1], pid[MED_UUID_LEN + 1];

	for (size_t i = 0; i < g->nappts; i++) {
		const struct appt *a = &g->appts[i];
		sqlite3_stmt *st = stmt(g, SQL_APPT);
		if (st == NULL)
			return -1;
		make_uuid(id, K_APPT, a->n);
		if (a->patient < 0)
			snprintf(pid, sizeof pid, "%s", SEED_AMINA);
		else
			make_uuid(pid, K_PAT, (uint64_t)a->patient);
		db_bind_text(st, 1, id);
		db_bind_text(st, 2, g->docs[a->doctor].id);
		db_bind_text(st, 3, pid);
		db_bind_int(st, 4, a->start);
		db_bind_int(st, 5, a->start + SLOT);
		db_bind_text(st, 6, reasons[a->n % 6]);
		db_bind_text(st, 7, a->status == 0 ? "SCHEDULED" : a->status == 1 ? "COMPLETED" : "CANCELLED");
		db_bind_text(st, 8, a->status == 2 ? "Empêchement du patient" : NULL);
		db_bind_int(st, 9, a->start - 14 * 86400);
		if (step(g, st, "insert appointment") != 0)
			return -1;
	}
	return 0;
}

static int
gen_appts(struct gen *g)
{
	uint64_t cand[N_ALL_DOCTORS], others = 0, want_others = N_APPTS - N_SAMIR;

	if ((g->appts = calloc(N_APPTS, sizeof *g->appts)) == NULL) {
		fprintf(stderr, "gen: out of memory\n");
		return -1;
	}
	for (int di = 0; di < N_ALL_DOCTORS; di++) {
		gen_appts_of(g, di, 0, 0, &cand[di]);
		if (di > 0)
			others += cand[di];
	}
	if (cand[0] < N_SAMIR || others < want_others) {
		fprintf(stderr, "gen: not enough slots (%llu, %llu)\n",
		    (unsigned long long)cand[0], (unsigned long long)others);
		return -1;
	}
	gen_appts_of(g, 0, N_SAMIR, 1, &cand[0]);
	/* The others share the rest in proportion to their slots, exactly. */
	for (int di = 1; di < N_ALL_DOCTORS; di++) {
		uint64_t want = want_others * cand[di] / others;
		want_others -= want;
		others -= cand[di];
		gen_appts_of(g, di, want, 1, &cand[di]);
	}
	return insert_appts(g);
}

/* Exactly n of the completed appointments (selection sampling), via insert(). */
static int
each_completed(struct gen *g, uint64_t n, int (*insert)(struct gen *, const struct appt *, uint64_t))
{
	uint64_t completed = 0, taken = 0, seen = 0;

	for (size_t i = 0; i < g->nappts; i++)
		completed += g->appts[i].status == 1;
	if (completed < n) {
		fprintf(stderr, "gen: only %llu completed appointments\n", (unsigned long long)completed);
		return -1;
	}
	for (size_t i = 0; i < g->nappts && taken < n; i++) {
		if (g->appts[i].status != 1)
			continue;
		if (rnd_below(g, completed - seen) < n - taken) {
			if (insert(g, &g->appts[i], taken) != 0)
				return -1;
			taken++;
		}
		seen++;
	}
	return 0;
}

static void
appt_patient(const struct appt *a, char pid[MED_UUID_LEN + 1])
{
	if (a->patient < 0)
		snprintf(pid, MED_UUID_LEN + 1, "%s", SEED_AMINA);
	else
		make_uuid(pid, K_PAT, (uint64_t)a->patient);
}

static int
insert_record(struct gen *g, const struct appt *a, uint64_t n)
{
	char id[MED_UUID_LEN + 1], pid[MED_UUID_LEN + 1];
	sqlite3_stmt *st = stmt(g, SQL_RECORD);

	if (st == NULL)
		return -1;
	make_uuid(id, K_REC, n);
	appt_patient(a, pid);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, pid);
	db_bind_text(st, 3, g->docs[a->doctor].id);
	db_bind_text(st, 4, diagnoses[n % 10]);
	db_bind_text(st, 5, "Surveillance, contrôle dans trois mois");
	db_bind_text(st, 6, n % 3 == 0 ? NULL : "Paracétamol 1 g, 3 fois par jour pendant 5 jours");
	db_bind_int(st, 7, a->start + SLOT);
	return step(g, st, "insert record");
}

static int
insert_billing(struct gen *g, const struct appt *a, uint64_t n)
{
	static const char *const statuses[] = { "PAID", "PAID", "PAID", "PENDING", "VOID", "REFUNDED" };
	char id[MED_UUID_LEN + 1], pid[MED_UUID_LEN + 1], aid[MED_UUID_LEN + 1];
	sqlite3_stmt *st = stmt(g, SQL_BILLING);

	if (st == NULL)
		return -1;
	make_uuid(id, K_BILL, n);
	make_uuid(aid, K_APPT, a->n);
	appt_patient(a, pid);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, pid);
	db_bind_text(st, 3, aid);
	db_bind_int(st, 4, 150000 + (int64_t)(n % 20) * 25000);
	db_bind_text(st, 5, "Consultation");
	db_bind_text(st, 6, statuses[n % 6]);
	db_bind_int(st, 7, a->start + SLOT);
	return step(g, st, "insert billing");
}

/* ---- driver --------------------------------------------------------------- */

static int
exec(struct gen *g, const char *sql)
{
	if (db_exec(&g->ctx, sql) != MED_OK)
		return fail(g, sql);
	return 0;
}

/* Run fn in one transaction and print how long it took. */
static int
phase(struct gen *g, const char *name, int (*fn)(struct gen *))
{
	double t0 = now_s();

	if (exec(g, "BEGIN") != 0)
		return -1;
	if (fn(g) != 0) {
		db_rollback(&g->ctx);
		return -1;
	}
	if (exec(g, "COMMIT") != 0)
		return -1;
	printf("gen: %-22s %7.1f s\n", name, now_s() - t0);
	fflush(stdout);
	return 0;
}

static int
gen_records(struct gen *g)
{
	return each_completed(g, N_RECORDS, insert_record);
}

static int
gen_billings(struct gen *g)
{
	return each_completed(g, N_BILLINGS, insert_billing);
}

static int
seed(struct gen *g)
{
	if (exec(g, med_seed_sql) != 0 || load_seeded(g) != 0)
		return -1;
	return 0;
}

/* Integrity: the foreign keys of everything loaded (checks were off while loading). */
static int
verify(struct gen *g)
{
	static const char SQL_FK[] = "PRAGMA foreign_key_check";
	sqlite3_stmt *st = stmt(g, SQL_FK);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gen: foreign key check failed\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct gen g;
	struct med_config cfg;
	struct stat sb;
	double t0 = now_s();
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: gen DATA_DIR\n");
		return 2;
	}
	if (med_config_from_env(&cfg) != MED_OK) {
		fprintf(stderr, "gen: bad configuration in the environment\n");
		return 1;
	}
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", argv[1]);
	if ((size_t)snprintf(cfg.db_path, sizeof cfg.db_path, "%s/clinic.db", argv[1]) >=
	    sizeof cfg.db_path) {
		fprintf(stderr, "gen: path too long\n");
		return 1;
	}
	if (stat(cfg.db_path, &sb) == 0) {
		fprintf(stderr, "gen: %s exists: gen wants a fresh directory\n", cfg.db_path);
		return 1;
	}
	if (med_ctx_open(&g.ctx, &cfg, 1) != MED_OK) {
		fprintf(stderr, "gen: cannot create %s\n", cfg.db_path);
		return 1;
	}
	/* A fresh data directory, as medadm init makes it: bench/run.sh copies its keys. */
	if (med_ctx_load_secrets(&g.ctx, 1) != MED_OK) {
		fprintf(stderr, "gen: cannot create the JWT keys in %s/secrets\n", cfg.data_dir);
		med_ctx_close(&g.ctx);
		return 1;
	}
	g.now = (int64_t)time(NULL);
	g.rng = 20260101;
	/* One hash for everyone (see the top of the file). */
	if (pwhash_hash(PASSWORD, g.hash) != MED_OK) {
		fprintf(stderr, "gen: pwhash failed\n");
		goto out;
	}
	/* Bulk load: no journal, no fsync, no FK checks (verified at the end). */
	if (exec(&g, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
	    " PRAGMA cache_size=-1048576") != 0)
		goto out;
	if (phase(&g, "seed.sql", seed) != 0 ||
	    phase(&g, "doctors", gen_doctors) != 0 ||
	    phase(&g, "patients", gen_patients) != 0 ||
	    phase(&g, "appointments", gen_appts) != 0 ||
	    phase(&g, "medical records", gen_records) != 0 ||
	    phase(&g, "billing", gen_billings) != 0 ||
	    phase(&g, "foreign key check", verify) != 0)
		goto out;
	if (exec(&g, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON") != 0)
		goto out;
	printf("gen: %zu appointments, %d records, %d billings, %d+%d doctors, %d patients\n",
	    g.nappts, N_RECORDS, N_BILLINGS, N_SEEDED_DOCTORS, N_DOCTORS + 1, N_PATIENTS + 1);
	printf("gen: total %.1f s\n", now_s() - t0);
	rc = 0;
out:
	free(g.appts);
	med_ctx_close(&g.ctx);
	return rc;
}
