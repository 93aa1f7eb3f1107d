/*
 * export.h - everything the system holds on one patient, as one JSON
 * document (the patient's right of access).
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <cjson/cJSON.h>
#include "med.h"

#define EXPORT_FORMAT "medclinic-patient-export/1"

/*
 * who: the patient id, their user id or their email.  The document holds
 * the patient profile, the user account (never the password hash or the
 * token version), appointments, medical records, billings, insurance
 * policies and claims, reviews, favorite doctors and the audit trail of
 * who accessed the patient's data.  Columns keep their database names;
 * instants are RFC 3339 UTC, *_cents become amounts in currency units.
 * The read and its audit row ("export", entity "patient") are one
 * transaction.  MED_ENOTFOUND: no such patient.
 */
enum med_err export_patient(struct med_ctx *ctx, const char *who, cJSON **doc);

/*
 * The same patient as a FHIR R4 Bundle (fhir_patient_bundle()), audited
 * the same way ("export", detail "medadm export-patient --fhir").
 */
enum med_err export_patient_fhir(struct med_ctx *ctx, const char *who, cJSON **doc);

#endif
