#!/usr/bin/env python3
"""openapi.py - write openapi.json, the OpenAPI 3.1 description of /api/v1.

    python3 scripts/openapi.py > openapi.json

The document is generated, not hand-edited, so every operation gets the same
envelope, error responses and security block.  The routing table in
lib/route.c stays the authority on which routes exist and who may call them:
t/unit/test_openapi.c fails when this document and the table disagree (a
route missing on either side, a method, the auth mode or the roles).  When
you add or change a route, change OPS below, regenerate, and run that test.

Each operation carries two extensions the test reads:
  x-auth   "none" | "optional" | "required"   (route.h enum route_auth)
  x-roles  the role names of the route's ROLE_* bits (sorted)
Standard library only; no network.
"""
import json
import sys

ALL_ROLES = ["ADMIN", "DOCTOR", "PATIENT", "STAFF"]


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def nullable(schema):
    """A 3.1 nullable: the type list gains "null"."""
    s = dict(schema)
    t = s.get("type")
    if isinstance(t, str):
        s["type"] = [t, "null"]
    return s


def string(maxlen=None, minlen=None, **kw):
    s = {"type": "string"}
    if minlen is not None:
        s["minLength"] = minlen
    if maxlen is not None:
        s["maxLength"] = maxlen
    s.update(kw)
    return s


UUID = {"type": "string", "format": "uuid",
        "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        "example": "3f0c2a4e-8d1b-4c55-9e0a-6b7f1d2c3e4f"}
INSTANT = {"type": "string", "format": "date-time", "example": "2026-12-01T09:30:00Z",
           "description": "RFC 3339 instant, emitted in UTC."}
INSTANT_IN = {"type": "string", "example": "2026-12-01T09:30:00+01:00",
              "description": "RFC 3339 date-time. With an offset it is that instant; "
                             "without one it is read as clinic-local time (CLINIC_TZ)."}
DATE = {"type": "string", "format": "date", "example": "1990-04-17"}
WALL = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "09:00:00", "description": "Clinic-local wall-clock time, HH:MM:SS or HH:MM."}
MONEY = {"type": "number", "exclusiveMinimum": 0, "maximum": 99999999.99, "multipleOf": 0.01,
         "example": 2500.00, "description": "Amount with 2 decimals (stored as integer cents)."}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
APPT_STATUS = ["SCHEDULED", "COMPLETED", "CANCELLED"]
BILL_STATUS = ["PENDING", "PAID", "VOID", "REFUNDED"]
CLAIM_STATUS = ["PENDING", "SUBMITTED", "APPROVED", "REJECTED", "PAID"]


def obj(props, required=(), **kw):
    s = {"type": "object", "properties": props}
    if required:
        s["required"] = list(required)
    s.update(kw)
    return s


def out(props):
    """A response object: every property is always present."""
    return obj(props, required=list(props.keys()))


PATIENT_FIELDS = {
    "first_name": nullable(string(100)), "last_name": nullable(string(100)),
    "phone": nullable(string(20)), "date_of_birth": nullable(DATE),
    "gender": nullable(string(20)), "address": nullable(string(255)),
    "city": nullable(string(100)), "country": nullable(string(100)),
    "blood_type": nullable(string(5)), "allergies": nullable(string(500)),
    "chronic_conditions": nullable(string(500)), "medications": nullable(string(500)),
    "emergency_contact_name": nullable(string(100)),
    "emergency_contact_phone": nullable(string(20)),
}
DOCTOR_FIELDS = {
    "first_name": nullable(string(100)), "last_name": nullable(string(100)),
    "phone": nullable(string(20)), "bio": nullable(string()),
    "years_experience": nullable({"type": "integer", "minimum": 0}),
    "clinic_address": nullable(string(255)), "city": nullable(string(100)),
    "country": nullable(string(100)),
}

SCHEMAS = {
    "ValidationIssue": out({
        "loc": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                "example": ["body", "email"],
                "description": '["body", field], ["query", name] or ["path", name].'},
        "msg": string(), "type": string()}),
    "Error": obj({
        "success": {"const": False}, "data": {"type": "null"},
        "message": string(example="Insufficient role permissions")},
        required=["success", "data", "message"],
        description="Every error except 422: data is null, message a short sentence."),
    "ValidationError": obj({
        "success": {"const": False},
        "data": out({"detail": {"type": "array", "items": ref("ValidationIssue")}}),
        "message": string(description="The first problem, in words.")},
        required=["success", "data", "message"]),
    "Health": out({"status": {"const": "ok"}}),
    "TokenPair": out({"access_token": string(), "refresh_token": string(),
                      "token_type": {"const": "bearer"}}),
    "Message": out({"message": string()}),
    "Role": out({"id": {"type": "integer"}, "name": {"enum": ALL_ROLES}}),
    "User": out({"id": UUID, "email": string(format="email"), "is_active": {"type": "boolean"},
                 "is_superuser": {"type": "boolean"}, "created_at": INSTANT,
                 "role": {"oneOf": [ref("Role"), {"type": "null"}]}}),
    "Patient": out(dict({"id": UUID, "user_id": UUID}, **PATIENT_FIELDS,
                        created_at=INSTANT, updated_at=INSTANT)),
    "PatientInput": obj(dict(PATIENT_FIELDS),
                        description="Partial updates change only the fields present; null clears one."),
    "PatientCreate": obj(dict({"user_id": UUID}, **PATIENT_FIELDS), required=["user_id"]),
    "Specialty": out({"id": {"type": "integer"}, "name": string(),
                      "description": nullable(string())}),
    "Doctor": out(dict({"id": UUID, "user_id": UUID}, **DOCTOR_FIELDS,
                       avg_rating={"type": "number", "minimum": 0, "maximum": 5},
                       rating_count={"type": "integer", "minimum": 0},
                       created_at=INSTANT, updated_at=INSTANT,
                       specialties={"type": "array", "items": ref("Specialty")})),
    "DoctorInput": obj(dict(DOCTOR_FIELDS, specialties={
        "type": "array", "items": string(minlen=1),
        "description": "Specialty names; unknown names are created, matching is case-insensitive."})),
    "DoctorCreate": obj(dict({"user_id": UUID}, **DOCTOR_FIELDS, specialties={
        "type": "array", "items": string(minlen=1)}), required=["user_id"],
        description="The user must have the role DOCTOR (400 otherwise)."),
    "Availability": out({"id": UUID, "doctor_id": UUID, "weekday": {"enum": WEEKDAYS},
                         "start_time": WALL, "end_time": WALL, "is_active": {"type": "boolean"},
                         "created_at": INSTANT, "updated_at": INSTANT}),
    "AvailabilityCreate": obj({"weekday": {"enum": WEEKDAYS}, "start_time": WALL,
                               "end_time": WALL, "is_active": {"type": "boolean", "default": True}},
                              required=["weekday", "start_time", "end_time"],
                              description="end_time > start_time (422); windows of one doctor on "
                                          "one weekday must not overlap (409)."),
    "AvailabilityPatch": obj({"weekday": {"enum": WEEKDAYS}, "start_time": WALL,
                              "end_time": WALL, "is_active": {"type": "boolean"}}),
    "Slot": out({"start_time": INSTANT, "end_time": INSTANT}),
    "Favorite": out({"id": UUID, "doctor_id": UUID, "created_at": INSTANT}),
    "Review": out({"id": UUID, "patient_id": nullable(UUID), "doctor_id": UUID,
                   "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                   "comment": nullable(string(1000)), "created_at": INSTANT}),
    "ReviewCreate": obj({"rating": {"type": "integer", "minimum": 1, "maximum": 5},
                         "comment": nullable(string(1000))}, required=["rating"]),
    "Appointment": out({"id": UUID, "doctor_id": UUID, "patient_id": UUID,
                        "start_time": INSTANT, "end_time": INSTANT,
                        "reason": nullable(string(500)), "status": {"enum": APPT_STATUS},
                        "cancellation_reason": nullable(string()),
                        "created_at": INSTANT, "updated_at": INSTANT}),
    "AppointmentCreate": obj({"doctor_id": UUID, "start_time": INSTANT_IN, "end_time": INSTANT_IN,
                              "reason": nullable(string(500)),
                              "patient_id": dict(UUID, description="ADMIN/STAFF book on behalf of "
                                                 "this patient; ignored for PATIENT.")},
                             required=["doctor_id", "start_time", "end_time"]),
    "Reschedule": obj({"start_time": INSTANT_IN, "end_time": INSTANT_IN},
                      required=["start_time", "end_time"]),
    "Cancel": obj({"cancellation_reason": nullable(string())}),
    "StatusChange": obj({"status": {"enum": APPT_STATUS}}, required=["status"],
                        description="Allowed: SCHEDULED->COMPLETED, SCHEDULED->CANCELLED."),
    "Record": out({"id": UUID, "patient_id": UUID, "doctor_id": nullable(UUID),
                   "diagnosis": string(500), "treatment_plan": nullable(string(1000)),
                   "prescription": nullable(string(1000)), "notes": nullable(string(1000)),
                   "recorded_at": INSTANT, "created_at": INSTANT, "updated_at": INSTANT}),
    "RecordCreate": obj({"patient_id": UUID,
                         "doctor_id": dict(UUID, description="ADMIN only; a DOCTOR is the author."),
                         "diagnosis": string(500, 1), "treatment_plan": nullable(string(1000)),
                         "prescription": nullable(string(1000)), "notes": nullable(string(1000)),
                         "recorded_at": INSTANT_IN},
                        required=["patient_id", "diagnosis"]),
    "RecordPatch": obj({"diagnosis": string(500, 1), "treatment_plan": nullable(string(1000)),
                        "prescription": nullable(string(1000)), "notes": nullable(string(1000)),
                        "recorded_at": INSTANT_IN}),
    "Billing": out({"id": UUID, "patient_id": UUID, "appointment_id": nullable(UUID),
                    "amount": MONEY, "currency": string(pattern="^[A-Z]{3}$"),
                    "description": nullable(string()), "status": {"enum": BILL_STATUS},
                    "created_at": INSTANT, "updated_at": INSTANT}),
    "BillingCreate": obj({"patient_id": UUID, "appointment_id": UUID, "amount": MONEY,
                          "currency": string(pattern="^[A-Z]{3}$", default="USD"),
                          "description": nullable(string()),
                          "status": {"enum": BILL_STATUS, "default": "PENDING"}},
                         required=["amount"],
                         description="patient_id or appointment_id is required; "
                                     "if both, they must agree (400)."),
    "BillingPatch": obj({"amount": MONEY, "currency": string(pattern="^[A-Z]{3}$"),
                         "description": nullable(string()), "status": {"enum": BILL_STATUS}}),
    "Policy": out({"id": UUID, "patient_id": UUID, "provider_name": string(),
                   "policy_number": string(), "coverage_details": nullable(string()),
                   "created_at": INSTANT, "updated_at": INSTANT}),
    "PolicyCreate": obj({"patient_id": UUID, "provider_name": string(minlen=1),
                         "policy_number": string(minlen=1), "coverage_details": nullable(string())},
                        required=["patient_id", "provider_name", "policy_number"]),
    "PolicyPatch": obj({"provider_name": string(minlen=1), "policy_number": string(minlen=1),
                        "coverage_details": nullable(string())}),
    "Claim": out({"id": UUID, "policy_id": UUID, "billing_id": nullable(UUID),
                  "status": {"enum": CLAIM_STATUS}, "notes": nullable(string()),
                  "created_at": INSTANT, "updated_at": INSTANT}),
    "ClaimCreate": obj({"policy_id": UUID,
                        "billing_id": dict(UUID, description="Must belong to the policy's patient (400)."),
                        "status": {"enum": CLAIM_STATUS, "default": "PENDING"},
                        "notes": nullable(string())}, required=["policy_id"]),
    "ClaimPatch": obj({"status": {"enum": CLAIM_STATUS}, "notes": nullable(string())}),
    "AuditEntry": out({"id": {"type": "integer"}, "at": INSTANT, "user_id": nullable(UUID),
                       "role": nullable(string()), "action": string(), "entity": string(),
                       "entity_id": nullable(string()), "outcome": string(),
                       "detail": nullable(string())}),
    "UserMePatch": obj({"email": string(254, format="email"), "password": string(128, 8)},
                       description="role, is_active or is_superuser present: 403."),
    "UserPatch": obj({"email": string(254, format="email"), "password": string(128, 8),
                      "role": {"enum": ALL_ROLES}, "is_active": {"type": "boolean"},
                      "is_superuser": {"type": "boolean"}}),
    "Credentials": obj({"email": string(254, format="email"), "password": string(128, 8)},
                       required=["email", "password"]),
    "Login": obj({"email": string(254), "password": string(128)}, required=["email", "password"]),
    "RefreshRequest": obj({"refresh_token": string(1024, 1)}, required=["refresh_token"]),
    "ForgotRequest": obj({"email": string(254, format="email")}, required=["email"]),
    "ResetRequest": obj({"reset_token": string(1024, 1), "new_password": string(128, 8)},
                        required=["reset_token", "new_password"]),
}

ERRORS = {
    "400": ("BadRequest", "Business-rule violation; message says which."),
    "401": ("Unauthorized", "Missing, invalid, expired or revoked token."),
    "403": ("Forbidden", 'Wrong role or not the owner ("Insufficient role permissions", '
                         '"Inactive user", "Forbidden").'),
    "404": ("NotFound", "No such resource."),
    "409": ("Conflict", "Duplicate unique value or overlapping booking/window."),
    "413": ("TooLarge", "Request body over 1 MiB."),
    "422": ("Unprocessable", "Request validation failed."),
}


def responses_components():
    r = {}
    for code, (name, desc) in ERRORS.items():
        schema = ref("ValidationError") if code == "422" else ref("Error")
        r[name] = {"description": desc, "content": {"application/json": {"schema": schema}}}
        if code == "401":
            r[name]["headers"] = {"WWW-Authenticate": {
                "description": "Always Bearer.", "schema": {"const": "Bearer"}}}
    return r


def envelope(data):
    return {"type": "object", "required": ["success", "data", "message"],
            "properties": {"success": {"const": True}, "data": data,
                           "message": {"type": ["string", "null"]}}}


PAGING = [{"$ref": "#/components/parameters/skip"}, {"$ref": "#/components/parameters/limit"}]


def q(name, schema, desc):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


APPT_FILTERS = PAGING + [
    q("status", {"enum": APPT_STATUS}, "Only appointments in this status."),
    q("from", INSTANT_IN, "Only appointments starting at or after this instant."),
    q("to", INSTANT_IN, "Only appointments starting before this instant."),
]

# (method, path, auth, roles, tag, summary, description, params, body, (status, data), errors)
# roles: list of role names, "ANY" for all four, [] for public/optional.
OPS = []


def op(method, path, auth, roles, tag, summary, ok, body=None, params=(), errors=(), desc=None,
       body_required=True):
    OPS.append(dict(method=method, path=path, auth=auth,
                    roles=ALL_ROLES if roles == "ANY" else sorted(roles), tag=tag,
                    summary=summary, ok=ok, body=body, params=list(params), errors=list(errors),
                    desc=desc, body_required=body_required))


def arr(name):
    return {"type": "array", "items": ref(name)}


A, D, P, S = "ADMIN", "DOCTOR", "PATIENT", "STAFF"

op("get", "/health", "none", [], "Health", "Liveness", (200, ref("Health")))

op("post", "/auth/register", "none", [], "Auth", "Register a PATIENT account and log in",
   (200, ref("TokenPair")), ref("Credentials"), errors=["409", "422"],
   desc="Creates a user with role PATIENT (the role cannot be chosen here). "
        "409 \"Email already registered\".")
op("post", "/auth/login", "none", [], "Auth", "Log in", (200, ref("TokenPair")), ref("Login"),
   errors=["401", "422"],
   desc='401 "Invalid credentials" for an unknown email and a wrong password alike; '
        "inactive users cannot log in.")
op("post", "/auth/refresh", "none", [], "Auth", "Rotate the refresh token",
   (200, ref("TokenPair")), ref("RefreshRequest"), errors=["401", "422"],
   desc="The presented refresh token is revoked. Presenting an already-rotated refresh "
        "token again revokes the whole family (every session of the user).")
op("post", "/auth/logout", "optional", [], "Auth", "Log out this session",
   (200, ref("Message")), params=[{
       "name": "X-Refresh-Token", "in": "header", "required": False,
       "schema": string(1024), "description": "The refresh token of this session, to revoke it too."}],
   desc="No body. Revokes the presented access token (Authorization) and refresh token "
        "(X-Refresh-Token) by jti. Never fails: idempotent.")
op("post", "/auth/forgot", "none", [], "Auth", "Request a password reset",
   (200, ref("Message")), ref("ForgotRequest"), errors=["422"],
   desc="Same answer for unknown emails. The reset token is never returned by the API; "
        "it is delivered out of band (medadm, or the configured mail command).")
op("post", "/auth/reset", "none", [], "Auth", "Reset the password with a reset token",
   (200, ref("Message")), ref("ResetRequest"), errors=["400", "422"],
   desc='400 "Invalid or expired reset token". Single use; ends every session of the user.')

op("get", "/users/me", "required", "ANY", "Users", "The caller", (200, ref("User")))
op("patch", "/users/me", "required", "ANY", "Users", "Change own email or password",
   (200, ref("User")), ref("UserMePatch"), errors=["409", "422"],
   desc='403 "You cannot change your role" if role is present; 403 too for is_active or '
        "is_superuser. A password change ends every other session.")
op("get", "/users", "required", [A], "Users", "List users", (200, arr("User")), params=PAGING,
   errors=["422"])
op("patch", "/users/{user_id}", "required", [A], "Users", "Update a user", (200, ref("User")),
   ref("UserPatch"), errors=["400", "404", "409", "422"], desc='400 "Invalid role".')

op("get", "/patients", "required", [A, S], "Patients", "List patients", (200, arr("Patient")),
   params=PAGING, errors=["422"])
op("post", "/patients", "required", [A], "Patients", "Create a patient profile for a user",
   (201, ref("Patient")), ref("PatientCreate"), errors=["400", "404", "409", "422"],
   desc='400 "user_id is required".')
op("get", "/patients/me", "required", [P, A], "Patients", "Own patient profile",
   (200, ref("Patient")), errors=["404"])
op("post", "/patients/me", "required", [P, A], "Patients", "Create own patient profile",
   (201, ref("Patient")), ref("PatientInput"), errors=["409", "422"])
op("patch", "/patients/me", "required", [P, A], "Patients", "Update own patient profile",
   (200, ref("Patient")), ref("PatientInput"), errors=["404", "422"])
op("get", "/patients/{patient_id}", "required", [A, S, D], "Patients", "One patient",
   (200, ref("Patient")), errors=["404", "422"],
   desc="A DOCTOR only for a patient who has an appointment with them (403 otherwise).")
op("patch", "/patients/{patient_id}", "required", [A], "Patients", "Update a patient",
   (200, ref("Patient")), ref("PatientInput"), errors=["404", "422"])
op("delete", "/patients/{patient_id}", "required", [A], "Patients", "Delete a patient",
   (204, None), errors=["404", "409", "422"], desc="409 when the patient has history.")

op("get", "/doctors", "none", [], "Doctors", "Search doctors", (200, arr("Doctor")),
   params=PAGING + [
       q("name", string(100), "Case-insensitive substring of the first or last name."),
       q("specialty", string(100), "Exact specialty name, case-insensitive."),
       q("city", string(100), "Exact city, case-insensitive."),
       q("min_rating", {"type": "number", "minimum": 0, "maximum": 5}, "Minimum avg_rating.")],
   errors=["422"])
op("post", "/doctors", "required", [A], "Doctors", "Create a doctor profile for a user",
   (201, ref("Doctor")), ref("DoctorCreate"), errors=["400", "404", "409", "422"],
   desc='400 "User is not a doctor"; 409 when the profile exists.')
op("get", "/doctors/specialties", "none", [], "Doctors", "All specialties",
   (200, arr("Specialty")))
op("get", "/doctors/me/profile", "required", [D, A], "Doctors", "Own doctor profile",
   (200, ref("Doctor")), errors=["404"])
op("post", "/doctors/me/profile", "required", [D, A], "Doctors", "Create own doctor profile",
   (201, ref("Doctor")), ref("DoctorInput"), errors=["409", "422"])
op("patch", "/doctors/me/profile", "required", [D, A], "Doctors", "Update own doctor profile",
   (200, ref("Doctor")), ref("DoctorInput"), errors=["404", "422"])
op("get", "/doctors/me/favorites", "required", [P], "Favorites", "Own favorite doctors",
   (200, arr("Doctor")), params=PAGING, errors=["404", "422"])
op("patch", "/doctors/availability/{availability_id}", "required", [A, D], "Availability",
   "Update an availability window", (200, ref("Availability")), ref("AvailabilityPatch"),
   errors=["404", "409", "422"], desc="ADMIN, or the DOCTOR owning the window (403 otherwise).")
op("delete", "/doctors/availability/{availability_id}", "required", [A, D], "Availability",
   "Delete an availability window", (204, None), errors=["404", "422"],
   desc="ADMIN, or the DOCTOR owning the window (403 otherwise).")
op("get", "/doctors/{doctor_id}", "none", [], "Doctors", "One doctor", (200, ref("Doctor")),
   errors=["404", "422"])
op("patch", "/doctors/{doctor_id}", "required", [A], "Doctors", "Update a doctor",
   (200, ref("Doctor")), ref("DoctorInput"), errors=["404", "422"])
op("delete", "/doctors/{doctor_id}", "required", [A], "Doctors", "Delete a doctor",
   (204, None), errors=["404", "409", "422"], desc="409 when the doctor has history.")
op("get", "/doctors/{doctor_id}/availability", "none", [], "Availability",
   "A doctor's weekly windows", (200, arr("Availability")), errors=["404", "422"])
op("post", "/doctors/{doctor_id}/availability", "required", [A, D], "Availability",
   "Add a weekly window", (201, ref("Availability")), ref("AvailabilityCreate"),
   errors=["404", "409", "422"], desc="ADMIN, or the DOCTOR owning the profile (403 otherwise).")
op("get", "/doctors/{doctor_id}/availability/slots", "none", [], "Availability",
   "Bookable slots", (200, arr("Slot")), params=[
       q("start_date", DATE, "First day (clinic-local); default today."),
       q("days", {"type": "integer", "minimum": 1, "maximum": 62, "default": 7}, "Number of days."),
       q("slot_minutes", {"type": "integer", "minimum": 5, "maximum": 480, "default": 30},
         "Slot length in minutes.")],
   errors=["400", "404", "422"],
   desc="Consecutive slots inside each active window, minus past slots and slots that "
        "overlap a SCHEDULED appointment; ascending. 400 on bad values.")
op("post", "/doctors/{doctor_id}/favorite", "required", [P], "Favorites", "Favorite a doctor",
   (201, ref("Favorite")), errors=["404", "422"], desc="Idempotent. Needs a patient profile.")
op("delete", "/doctors/{doctor_id}/favorite", "required", [P], "Favorites",
   "Unfavorite a doctor", (204, None), errors=["404", "422"])
op("get", "/doctors/{doctor_id}/reviews", "optional", [], "Reviews", "A doctor's reviews",
   (200, arr("Review")), params=PAGING, errors=["404", "422"],
   desc="patient_id is null unless the caller is that patient or an admin.")
op("post", "/doctors/{doctor_id}/reviews", "required", [P], "Reviews", "Review a doctor",
   (201, ref("Review")), ref("ReviewCreate"), errors=["404", "409", "422"],
   desc="Only a patient with a COMPLETED appointment with the doctor (403 otherwise); one "
        "review per patient and doctor (409).")

op("post", "/appointments", "required", [P, A, S], "Appointments", "Book an appointment",
   (201, ref("Appointment")), ref("AppointmentCreate"), errors=["400", "404", "409", "422"],
   desc="Checks in order: patient exists (404), doctor exists (404), end after start (400), "
        "not in the past (400), inside one active availability window (400), no overlap "
        "with the doctor's or the patient's SCHEDULED appointments (409).")
op("get", "/appointments/me", "required", [P, A], "Appointments", "Own appointments (patient)",
   (200, arr("Appointment")), params=APPT_FILTERS, errors=["404", "422"],
   desc='404 "Patient profile not found". Newest first.')
op("get", "/appointments/doctor/me", "required", [D, A], "Appointments",
   "Own appointments (doctor)", (200, arr("Appointment")), params=APPT_FILTERS,
   errors=["404", "422"], desc='404 "Doctor profile not found". Newest first.')
op("get", "/appointments/{appointment_id}", "required", "ANY", "Appointments",
   "One appointment", (200, ref("Appointment")), errors=["404", "422"],
   desc="The owner patient, the owner doctor, ADMIN or STAFF (403 otherwise).")
op("post", "/appointments/{appointment_id}/cancel", "required", "ANY", "Appointments",
   "Cancel an appointment", (200, ref("Appointment")), ref("Cancel"),
   params=[q("cancellation_reason", string(), "May be given here or in the body.")],
   errors=["400", "404", "422"], body_required=False,
   desc="The owner patient, the owner doctor, ADMIN or STAFF. A cancelled one is returned "
        "unchanged; a COMPLETED one cannot be cancelled (400).")
for m in ("post", "patch"):
    op(m, "/appointments/{appointment_id}/reschedule", "required", [P, A, S], "Appointments",
       "Reschedule an appointment", (200, ref("Appointment")), ref("Reschedule"),
       errors=["400", "404", "409", "422"],
       desc='The owner patient, ADMIN or STAFF. 400 "start_time and end_time required"; '
            "the booking checks apply, excluding this appointment; only SCHEDULED ones (400).")
op("patch", "/appointments/{appointment_id}/status", "required", [D, A], "Appointments",
   "Change an appointment's status", (200, ref("Appointment")), ref("StatusChange"),
   errors=["400", "404", "422"],
   desc="The owner doctor or ADMIN. Allowed: SCHEDULED->COMPLETED, SCHEDULED->CANCELLED.")

op("get", "/medical-records/me", "required", [P, A], "Medical records", "Own records (patient)",
   (200, arr("Record")), params=PAGING, errors=["404", "422"])
op("get", "/medical-records/doctor/me", "required", [D, A], "Medical records",
   "Records written by the caller (doctor)", (200, arr("Record")), params=PAGING,
   errors=["404", "422"])
op("post", "/medical-records", "required", [D, A], "Medical records", "Write a record",
   (201, ref("Record")), ref("RecordCreate"), errors=["400", "404", "422"],
   desc="A DOCTOR is the author and may only write for a patient who has an appointment "
        'with them (403). 400 "patient_id is required". Audited.')
op("get", "/medical-records/{record_id}", "required", [P, D, A], "Medical records",
   "One record", (200, ref("Record")), errors=["404", "422"],
   desc='The owner patient, the author doctor or ADMIN; 403 "Forbidden" otherwise. Audited.')
op("patch", "/medical-records/{record_id}", "required", [D, A], "Medical records",
   "Update a record", (200, ref("Record")), ref("RecordPatch"), errors=["404", "422"],
   desc="The author doctor or ADMIN. Audited.")
op("delete", "/medical-records/{record_id}", "required", [A], "Medical records",
   "Delete a record", (204, None), errors=["404", "422"], desc="Audited.")

op("post", "/billing", "required", [A, S], "Billing", "Create a billing entry",
   (201, ref("Billing")), ref("BillingCreate"), errors=["400", "404", "422"])
op("get", "/billing/me", "required", [P, A], "Billing", "Own billing entries",
   (200, arr("Billing")), params=PAGING, errors=["404", "422"])
op("post", "/billing/policies", "required", [A, S], "Insurance", "Create a policy",
   (201, ref("Policy")), ref("PolicyCreate"), errors=["400", "404", "422"])
op("get", "/billing/policies/me", "required", [P, A], "Insurance", "Own policies",
   (200, arr("Policy")), params=PAGING, errors=["404", "422"])
op("get", "/billing/policies/patient/{patient_id}", "required", [A, S], "Insurance",
   "A patient's policies", (200, arr("Policy")), params=PAGING, errors=["404", "422"])
op("patch", "/billing/policies/{policy_id}", "required", [A, S], "Insurance",
   "Update a policy", (200, ref("Policy")), ref("PolicyPatch"), errors=["404", "422"])
op("delete", "/billing/policies/{policy_id}", "required", [A], "Insurance", "Delete a policy",
   (204, None), errors=["404", "409", "422"])
op("post", "/billing/claims", "required", [A, S], "Insurance", "Create a claim",
   (201, ref("Claim")), ref("ClaimCreate"), errors=["400", "404", "422"])
op("get", "/billing/claims/policy/{policy_id}", "required", [A, S], "Insurance",
   "A policy's claims", (200, arr("Claim")), params=PAGING, errors=["404", "422"])
op("patch", "/billing/claims/{claim_id}", "required", [A, S], "Insurance", "Update a claim",
   (200, ref("Claim")), ref("ClaimPatch"), errors=["400", "404", "422"],
   desc='400 "Invalid claim status".')
op("get", "/billing/patient/{patient_id}", "required", [A, S], "Billing",
   "A patient's billing entries", (200, arr("Billing")), params=PAGING, errors=["404", "422"])
op("get", "/billing/{billing_id}", "required", [A, S, P], "Billing", "One billing entry",
   (200, ref("Billing")), errors=["404", "422"],
   desc="ADMIN, STAFF or the owner patient (403 otherwise).")
op("patch", "/billing/{billing_id}", "required", [A, S], "Billing", "Update a billing entry",
   (200, ref("Billing")), ref("BillingPatch"), errors=["400", "404", "422"],
   desc='400 "Invalid status".')

op("get", "/audit", "required", [A], "Audit", "Read the audit log", (200, arr("AuditEntry")),
   params=PAGING + [
       q("user_id", UUID, "Only rows of this acting user."),
       q("entity", string(64), "Only rows about this entity kind (record, patient, billing...)."),
       q("entity_id", string(64), "Only rows about this entity."),
       q("from", INSTANT_IN, "Only rows at or after this instant."),
       q("to", INSTANT_IN, "Only rows before this instant.")],
   errors=["422"], desc="Append-only: the API offers no way to change or delete audit rows.")


def path_params(path):
    out_ = []
    for seg in path.split("/"):
        if seg.startswith("{") and seg.endswith("}"):
            name = seg[1:-1]
            out_.append({"name": name, "in": "path", "required": True, "schema": UUID,
                         "description": "Malformed UUID: 422 with loc [\"path\", \"%s\"]." % name})
    return out_


def operation(o):
    res = {}
    status, data = o["ok"]
    if status == 204:
        res["204"] = {"description": "Deleted; no body."}
    else:
        res[str(status)] = {"description": "Created." if status == 201 else "OK.",
                            "content": {"application/json": {"schema": envelope(data)}}}
    errs = set(o["errors"])
    if o["auth"] == "required":
        errs |= {"401", "403"}
    if o["body"] is not None:
        errs |= {"413", "422"}
    for code in sorted(errs):
        res[code] = {"$ref": "#/components/responses/" + ERRORS[code][0]}
    roles = o["roles"]
    if o["auth"] == "none":
        who = "Public: no token needed."
        security = []
    elif o["auth"] == "optional":
        who = "Token optional: a valid bearer token identifies the caller."
        security = [{}, {"bearerAuth": []}]
        if o["path"] == "/auth/logout":
            security = [{}, {"bearerAuth": []}, {"refreshToken": []},
                        {"bearerAuth": [], "refreshToken": []}]
    else:
        who = "Roles: " + ", ".join(roles) + " (a superuser passes every role check)."
        security = [{"bearerAuth": []}]
    desc = who + ("\n\n" + o["desc"] if o["desc"] else "")
    opid = o["method"] + "_" + o["path"].strip("/").replace("/", "_").replace("{", "") \
        .replace("}", "").replace("-", "_")
    out_ = {"operationId": opid or o["method"], "tags": [o["tag"]], "summary": o["summary"],
            "description": desc, "x-auth": o["auth"], "x-roles": roles, "security": security}
    params = path_params(o["path"]) + o["params"]
    if params:
        out_["parameters"] = params
    if o["body"] is not None:
        out_["requestBody"] = {"required": o["body_required"],
                               "content": {"application/json": {"schema": o["body"]}}}
    out_["responses"] = res
    return out_


def document():
    paths = {}
    for o in OPS:
        item = paths.setdefault(o["path"], {})
        assert o["method"] not in item, (o["method"], o["path"])
        item[o["method"]] = operation(o)
    tags = []
    for o in OPS:
        if o["tag"] not in [t["name"] for t in tags]:
            tags.append({"name": o["tag"]})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clinic API",
            "version": "1.0.0",
            "summary": "Appointments and medical records for a clinic.",
            "description": (
                "Every JSON body is the envelope `{success, data, message}`. "
                "Errors: `success:false`, `data:null` (422 puts the problems in "
                "`data.detail`), `message` a short sentence. 204 answers have no body. "
                "Instants are RFC 3339 in UTC; money has 2 decimals; ids are lowercase "
                "v4 UUIDs. Lists take `skip` (>= 0) and `limit` (1..1000, default 100). "
                "Unknown body fields are ignored. `/x` and `/x/` answer alike for "
                "collection routes.\n\n"
                "Authenticate with `POST /auth/login`, then **Authorize** with the "
                "`access_token`. `x-roles` on each operation lists the roles the router "
                "admits; owner rules (\"the DOCTOR owning it\") are in the descriptions."),
        },
        "servers": [{"url": "/api/v1", "description": "This server"}],
        "security": [],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                               "description": "The access_token from login, register or refresh."},
                "refreshToken": {"type": "apiKey", "in": "header", "name": "X-Refresh-Token",
                                 "description": "The refresh token, for POST /auth/logout only."},
            },
            "parameters": {
                "skip": {"name": "skip", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 0, "default": 0}},
                "limit": {"name": "limit", "in": "query", "required": False,
                          "schema": {"type": "integer", "minimum": 1, "maximum": 1000,
                                     "default": 100}},
            },
            "schemas": SCHEMAS,
            "responses": responses_components(),
        },
    }


if __name__ == "__main__":
    json.dump(document(), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
