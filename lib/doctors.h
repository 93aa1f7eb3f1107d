/*
 * doctors.h - the Doctor object, shared by doctors.c and the favorites
 * list in reviews.c.
 */
#ifndef DOCTORS_H
#define DOCTORS_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

/*
 * Columns of a Doctor row (table alias d), specialties included as one
 * JSON array column, so a page of doctors is a single statement: no query
 * per doctor.  Ordered by ds.specialty_id (= s.id): the primary key order
 * of doctor_specialties, so no sort per doctor.
 */
#define DOCTOR_COLUMNS \
    "d.id, d.user_id, d.first_name, d.last_name, d.phone, d.bio, d.years_experience," \
    " d.clinic_address, d.city, d.country, d.avg_rating, d.rating_count, d.created_at," \
    " d.updated_at, (SELECT json_group_array(json_object('id', x.id, 'name', x.name," \
    " 'description', x.description)) FROM (SELECT s.id, s.name, s.description" \
    " FROM doctor_specialties ds JOIN specialties s ON s.id = ds.specialty_id" \
    " WHERE ds.doctor_id = d.id ORDER BY ds.specialty_id) x), d.min_notice_minutes," \
    " d.booking_horizon_days"

/* A Doctor object from a row selected with DOCTOR_COLUMNS first; NULL on ENOMEM. */
cJSON *doctor_json(sqlite3_stmt *st);

#endif
