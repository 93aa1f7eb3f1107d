/*
 * profiles.h - who a user is in the clinic: the patient or doctor profile
 * behind an account, and whether a doctor treats a patient.  Shared by
 * every domain that scopes data to its owner.
 */
#ifndef PROFILES_H
#define PROFILES_H

#include "http.h"

/*
 * Rule: who manages a doctor's schedule, services and time off: an admin,
 * the front desk when staff_ok, or that doctor while the DOCTOR role
 * holds.  MED_OK, MED_EFORBIDDEN, or a database error.
 */
enum med_err profile_may_manage_doctor(struct med_ctx *ctx, const struct med_req *req,
    const char *doctor_id, int staff_ok);

/* Patient / doctor id of a user; MED_ENOTFOUND when the user has no profile. */
enum med_err profile_patient_of_user(struct med_ctx *ctx, const char *user_id,
    char out[MED_UUID_LEN + 1]);
enum med_err profile_doctor_of_user(struct med_ctx *ctx, const char *user_id,
    char out[MED_UUID_LEN + 1]);

/*
 * The caller's own patient / doctor profile id.  On failure resp already
 * holds the answer: 404 "Patient profile not found" / "Doctor profile not
 * found" (MED_ENOTFOUND), or the failure's 5xx; return resp->status then.
 */
enum med_err profile_own_patient(struct med_ctx *ctx, const struct med_req *req,
    char id[MED_UUID_LEN + 1], struct med_resp *resp);
enum med_err profile_own_doctor(struct med_ctx *ctx, const struct med_req *req,
    char id[MED_UUID_LEN + 1], struct med_resp *resp);

/* MED_OK when the row exists, MED_ENOTFOUND when not. */
enum med_err profile_patient_exists(struct med_ctx *ctx, const char *patient_id);
enum med_err profile_doctor_exists(struct med_ctx *ctx, const char *doctor_id);

/*
 * 1 when the doctor has at least one appointment (any status) with the
 * patient, 0 when not, -1 on database error.  This is the relationship
 * that lets a doctor read a patient's profile or write their records.
 */
int profile_doctor_treats(struct med_ctx *ctx, const char *doctor_id, const char *patient_id);

struct fld;
struct fval;

/*
 * The first n fields of specs, read by name from the route's body into v:
 * the column order of a profile's INSERT and partial UPDATE.
 */
void profile_fields(const struct med_req *req, const struct fld *specs, int n, struct fval *v);

enum profile_kind { PROFILE_PATIENT, PROFILE_DOCTOR };

/*
 * DELETE of a profile by an admin, inside the route's transaction: 204
 * and a "delete" audit row, 404 when there is no such profile, 409 when
 * it has history (appointments, records, bills, reviews) that must not be
 * cascaded away with it.
 */
int profile_delete(struct med_ctx *ctx, const struct med_req *req, enum profile_kind kind,
    const char *id, struct med_resp *resp);

#endif
