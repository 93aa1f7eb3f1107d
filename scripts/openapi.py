#!/usr/bin/env python3
"""openapi.py - write openapi.json, the OpenAPI 3.1 description of /api/v1.

    make openapi          # build/routes > build/routes.json, then this script
    python3 scripts/openapi.py build/routes.json > openapi.json

The routing table in lib/route.c is the authority.  build/routes (from
tools/routes.c, lib/route_doc.c) prints it as JSON: every route's method,
path, auth mode, roles, transaction mode, path parameters and the query and
body field specs the validator checks (types, lengths, ranges, money
bounds, enums, required, nullable, role-restricted fields).  This script
turns that into the document: operations, x-auth, x-roles, parameters and
request-body schemas all come from the table, so a limit exists in one
place only, the spec in the C code.  What the script adds is prose, keyed
by (method, path) in OPS: summary, tag, description, the documented error
codes, the response schema, and an optional per-field overlay of
description, example and default (never a limit: field_schema() refuses
one).  Response schemas give types and formats; the limits of what a client
may send are on the request side, where the table puts them.

`make openapi-test` (part of make check) fails when the committed
openapi.json differs from what the table and this script produce, and
t/unit/test_openapi.c compares the document with the table directly
(methods, auth, roles, and every spec field's type and limits).  After
changing a route, a spec or this file: `make openapi`, commit openapi.json.

Each operation carries two extensions t/unit/test_openapi.c reads:
  x-auth   "none" | "optional" | "required"   (route.h enum route_auth)
  x-roles  the role names of the route's ROLE_* bits (sorted)
Standard library only; no network.
"""
import json
import sys


def warn(msg):
    print("openapi.py: " + msg, file=sys.stderr)


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def nullable(schema):
    """A 3.1 nullable: the type list gains "null" (and an enum gains None)."""
    s = dict(schema)
    t = s.get("type")
    if isinstance(t, str):
        s["type"] = [t, "null"]
    if "enum" in s and None not in s["enum"]:
        s["enum"] = s["enum"] + [None]
    return s


def string(**kw):
    return dict({"type": "string"}, **kw)


def obj(props, required=(), **kw):
    s = {"type": "object", "properties": props}
    if required:
        s["required"] = list(required)
    s.update(kw)
    return s


def out(props):
    """A response object: every property is always present."""
    return obj(props, required=list(props.keys()))


def arr(name):
    return {"type": "array", "items": ref(name)}


UUID_EXAMPLE = "3f0c2a4e-8d1b-4c55-9e0a-6b7f1d2c3e4f"
UUID = {"type": "string", "format": "uuid",
        "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        "example": UUID_EXAMPLE}
INSTANT = {"type": "string", "format": "date-time", "example": "2026-12-01T09:30:00Z",
           "description": "RFC 3339 instant, emitted in UTC."}
DATE = {"type": "string", "format": "date", "example": "1990-04-17"}
WALL_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
WALL = {"type": "string", "pattern": WALL_PATTERN, "example": "09:00:00",
        "description": "Clinic-local wall-clock time, HH:MM:SS or HH:MM."}
MONEY = {"type": "number", "multipleOf": 0.01, "example": 2500.00,
         "description": "Amount with 2 decimals (stored as integer cents)."}
# Enums of domains whose specs are not in the table yet; once they are, take
# them from the table as schemas() does for the appointment status.
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
BILL_STATUS = ["PENDING", "PAID", "VOID", "REFUNDED"]
CLAIM_STATUS = ["PENDING", "SUBMITTED", "APPROVED", "REJECTED", "PAID"]

# --- from the table to JSON Schema ---------------------------------------

# What each format of the table (lib/route_doc.h) adds to a field's schema.
# "date-time" input accepts a missing offset (clinic-local time), which JSON
# Schema's date-time format does not: no "format" there.
FORMATS = {
    "uuid": {"format": "uuid", "example": UUID_EXAMPLE},
    "token": {"pattern": "^[0-9a-f]{64}$"},
    "email": {"format": "email"},
    "date": {"format": "date", "example": "1990-04-17"},
    "time": {"pattern": WALL_PATTERN, "example": "09:00:00",
             "description": "Clinic-local wall-clock time, HH:MM:SS or HH:MM."},
    "date-time": {"example": "2026-12-01T09:30:00+01:00",
                  "description": "RFC 3339 date-time. With an offset it is that instant; "
                                 "without one it is read as clinic-local time (CLINIC_TZ)."},
    "money": {"example": 2500.00,
              "description": "Amount with 2 decimals (stored as integer cents)."},
}
# Keywords a table field passes on unchanged.
LIMITS = ("minLength", "maxLength", "minimum", "maximum", "multipleOf", "enum", "items",
          "maxItems", "pattern")
# What a prose overlay may set on a field: words, never limits.
PROSE_KEYS = {"description", "example", "default"}
# Prose for query fields of every route that has them.
QUERY_PROSE = {
    "skip": {"description": "Rows to skip.", "default": 0},
    "limit": {"description": "Rows to return.", "default": 100},
}


def field_schema(f, prose, where):
    """JSON Schema of table field f plus its prose overlay; (schema, description)."""
    bad = set(prose) - PROSE_KEYS
    if bad:
        sys.exit("openapi.py: %s: %s may not be set in prose; the spec in the table "
                 "holds it" % (where, ", ".join(sorted(bad))))
    s = {"type": f["type"]}
    fmt = dict(FORMATS.get(f.get("format"), {}))
    words = [fmt.pop("description")] if "description" in fmt else []
    s.update(fmt)
    for k in LIMITS:
        if k in f:
            s[k] = f[k]
    if f["cap"] and "maximum" in s:
        words.append("A larger value is served as %s." % s.pop("maximum"))
    if f.get("refusal"):
        words.append('A bad value is answered 400 "%s".' % f["refusal"])
    if f.get("roles"):
        s["x-roles"] = f["roles"]
        words.append("Read only from %s callers; ignored for others." % ", ".join(f["roles"]))
    if "description" in prose:
        words.insert(0, prose["description"])
    for k in ("example", "default"):
        if k in prose:
            s[k] = prose[k]
    return s, " ".join(words)


def query_params(route, prose):
    params = []
    for f in route["query"]:
        where = "%s %s query %s" % (route["method"], route["path"], f["name"])
        p = dict(QUERY_PROSE.get(f["name"], {}), **prose.pop(f["name"], {}))
        schema, desc = field_schema(f, p, where)
        param = {"name": f["name"], "in": "query", "required": f["required"], "schema": schema}
        if desc:
            param["description"] = desc
        params.append(param)
    return params


def body_schema(route, prose):
    """The request body object of route's body spec; (schema, body required)."""
    props, required = {}, []
    for f in route["body"]:
        where = "%s %s body %s" % (route["method"], route["path"], f["name"])
        schema, desc = field_schema(f, prose.pop(f["name"], {}), where)
        if desc:
            schema["description"] = desc
        props[f["name"]] = nullable(schema) if f["nullable"] else schema
        if f["required"]:
            required.append(f["name"])
    return obj(props, required), bool(required)


def path_params(route):
    out_ = []
    for p in route["params"]:
        schema = dict({"type": p["type"]}, **FORMATS[p["format"]])
        why = ("Malformed UUID: 422 with loc [\"path\", \"%s\"]." % p["name"]
               if p["format"] == "uuid" else
               "A secret: malformed or unknown, 404 alike.")
        out_.append({"name": p["name"], "in": "path", "required": True, "schema": schema,
                     "description": why})
    return out_


def table_field(table, method, path, part, name):
    """Field name of the part ("query", "body") spec of one route; exits if absent."""
    for r in table["routes"]:
        if r["method"] == method and r["path"] == path:
            for f in r[part] or ():
                if f["name"] == name:
                    return f
    sys.exit("openapi.py: %s %s has no %s field %s in the table" % (method, path, part, name))


def paging_field(table, name):
    """skip or limit (FLD_PAGING) as the first route with a query spec declares it."""
    for r in table["routes"]:
        for f in r["query"] or ():
            if f["name"] == name:
                return f
    sys.exit("openapi.py: no route of the table declares the paging field " + name)


# --- response schemas --------------------------------------------------------

def schemas(table):
    appt_status = table_field(table, "PATCH", "/appointments/{appointment_id}/status",
                              "body", "status")["enum"]
    patient_fields = {name: nullable(string()) for name in (
        "first_name", "last_name", "phone", "gender", "address", "city", "country",
        "blood_type", "allergies", "chronic_conditions", "medications",
        "emergency_contact_name", "emergency_contact_phone")}
    patient_fields["date_of_birth"] = nullable(DATE)
    doctor_fields = {name: nullable(string()) for name in (
        "first_name", "last_name", "phone", "bio", "clinic_address", "city", "country")}
    doctor_fields["years_experience"] = nullable({"type": "integer"})
    doctor_fields["min_notice_minutes"] = nullable(
        {"type": "integer", "description": "The doctor's own minimum notice; null: the "
                                           "clinic's (GET /settings)."})
    doctor_fields["booking_horizon_days"] = nullable(
        {"type": "integer", "description": "The doctor's own booking horizon; null: the "
                                           "clinic's (GET /settings)."})
    return {
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
        "Clinic": out({"timezone": string(description="IANA zone of the clinic's wall-clock "
                                                      "times (CLINIC_TZ), e.g. Africa/Algiers")}),
        "TokenPair": out({"access_token": string(), "refresh_token": string(),
                          "token_type": {"const": "bearer"}}),
        "Message": out({"message": string()}),
        "LiveTicket": out({"ticket": string(description="Single-use subscribe ticket (a JWT of "
                                                        "type live): never an access token"),
                           "expires_in": {"type": "integer",
                                          "description": "Seconds it stays usable (at most 60)"},
                           "url": string(description="The EventSource URL with the ticket: "
                                                     "/api/v1/live?ticket=...")}),
        "Role": out({"id": {"type": "integer"}, "name": {"enum": table["roles"]}}),
        "User": out({"id": UUID, "email": string(format="email"),
                     "is_active": {"type": "boolean"}, "is_superuser": {"type": "boolean"},
                     "created_at": INSTANT,
                     "role": {"oneOf": [ref("Role"), {"type": "null"}]}}),
        "Patient": out(dict({"id": UUID, "user_id": UUID}, **patient_fields,
                            created_at=INSTANT, updated_at=INSTANT,
                            no_show_count={"type": "integer", "minimum": 0,
                                           "description": "Visits marked NO_SHOW."})),
        "Specialty": out({"id": {"type": "integer"}, "name": string(),
                          "description": nullable(string())}),
        "Doctor": out(dict({"id": UUID, "user_id": UUID}, **doctor_fields,
                           avg_rating={"type": "number", "minimum": 0, "maximum": 5},
                           rating_count={"type": "integer", "minimum": 0},
                           created_at=INSTANT, updated_at=INSTANT,
                           specialties={"type": "array", "items": ref("Specialty")})),
        "Availability": out({"id": UUID, "doctor_id": UUID, "weekday": {"enum": WEEKDAYS},
                             "start_time": WALL, "end_time": WALL,
                             "is_active": {"type": "boolean"},
                             "created_at": INSTANT, "updated_at": INSTANT}),
        "Slot": out({"start_time": INSTANT, "end_time": INSTANT}),
        "Favorite": out({"id": UUID, "doctor_id": UUID, "created_at": INSTANT}),
        "Review": out({"id": UUID, "patient_id": nullable(UUID), "doctor_id": UUID,
                       "rating": {"type": "integer"}, "comment": nullable(string()),
                       "created_at": INSTANT}),
        "Appointment": out({"id": UUID, "doctor_id": UUID, "patient_id": UUID,
                            "start_time": INSTANT, "end_time": INSTANT,
                            "reason": nullable(string()), "status": {"enum": appt_status},
                            "cancellation_reason": nullable(string()),
                            "created_at": INSTANT, "updated_at": INSTANT,
                            "service_id": nullable(dict(UUID, description=(
                                "The service booked; null for bookings made without one."))),
                            "series_id": nullable(dict(UUID, description=(
                                "The recurring series of the visit; null for single ones.")))}),
        "Series": out({"series_id": UUID, "appointments": arr("Appointment")}),
        "SeriesCancelled": out({"series_id": UUID,
                                "cancelled": {"type": "array", "items": UUID}}),
        "SeriesFailure": out({"index": {"type": "integer", "description": "0 = the first."},
                              "start_time": INSTANT, "end_time": INSTANT,
                              "status": {"enum": [400, 404, 409]}, "reason": string()}),
        "Service": out({"id": UUID, "doctor_id": UUID, "name": string(),
                        "duration_minutes": {"type": "integer"},
                        "buffer_before_minutes": {"type": "integer"},
                        "buffer_after_minutes": {"type": "integer"},
                        "price": MONEY, "currency": string(pattern="^[A-Z]{3}$"),
                        "is_active": {"type": "boolean"}}),
        "TimeOff": obj({"id": UUID, "doctor_id": UUID, "start_time": INSTANT,
                        "end_time": INSTANT, "reason": nullable(string())},
                       required=["id", "doctor_id", "start_time", "end_time"],
                       description="reason only for the owner doctor, STAFF and ADMIN."),
        "TimeOffCreated": out({"id": UUID, "doctor_id": UUID, "start_time": INSTANT,
                               "end_time": INSTANT, "reason": nullable(string()),
                               "conflicts": {"type": "array", "items": UUID,
                                             "description": "SCHEDULED and ARRIVED visits "
                                             "inside the time off: kept, for the front desk "
                                             "to move."}}),
        "Holiday": out({"id": UUID, "date": DATE, "name": string()}),
        "Notification": out({"id": UUID, "kind": string(), "title": string(),
                             "body": string(), "appointment_id": nullable(UUID),
                             "created_at": INSTANT, "read_at": nullable(INSTANT)}),
        "NotificationsMarked": out({"marked": {"type": "integer"}}),
        "CalendarFeed": out({"url": string(format="uri")}),
        "WaitlistOffer": out({"id": UUID, "start_time": INSTANT, "end_time": INSTANT,
                              "hold_until": INSTANT,
                              "status": {"enum": ["HELD", "ACCEPTED", "DECLINED", "EXPIRED"],
                                         "description": "A HELD offer past hold_until reads "
                                                        "EXPIRED."}}),
        "WaitlistEntry": out({"id": UUID, "patient_id": UUID, "doctor_id": UUID,
                              "service_id": nullable(dict(UUID, description=(
                                  "null: any freed interval of the doctor."))),
                              "from_date": DATE, "to_date": DATE,
                              "status": {"enum": table_field(table, "GET", "/waitlist",
                                                             "query", "status")["enum"]},
                              "created_at": INSTANT,
                              "offer": {"oneOf": [ref("WaitlistOffer"), {"type": "null"}],
                                        "description": "The entry's latest offer; null "
                                                       "before the first."}}),
        "Settings": out({"min_notice_minutes": {"type": "integer"},
                         "booking_horizon_days": {"type": "integer"},
                         "max_no_shows": {"type": "integer"},
                         "slot_step_minutes": {"type": "integer"},
                         "reminder_offsets_minutes": {
                             "type": "array", "items": {"type": "integer"},
                             "description": "Minutes before a visit its reminders go out "
                                            "(mail, and SMS where configured)."}}),
        "Record": out({"id": UUID, "patient_id": UUID, "doctor_id": nullable(UUID),
                       "diagnosis": string(), "treatment_plan": nullable(string()),
                       "prescription": nullable(string()), "notes": nullable(string()),
                       "recorded_at": INSTANT, "created_at": INSTANT, "updated_at": INSTANT}),
        "Billing": out({"id": UUID, "patient_id": UUID, "appointment_id": nullable(UUID),
                        "amount": MONEY, "currency": string(pattern="^[A-Z]{3}$"),
                        "description": nullable(string()), "status": {"enum": BILL_STATUS},
                        "created_at": INSTANT, "updated_at": INSTANT}),
        "Policy": out({"id": UUID, "patient_id": UUID, "provider_name": string(),
                       "policy_number": string(), "coverage_details": nullable(string()),
                       "created_at": INSTANT, "updated_at": INSTANT}),
        "Claim": out({"id": UUID, "policy_id": UUID, "billing_id": nullable(UUID),
                      "status": {"enum": CLAIM_STATUS}, "notes": nullable(string()),
                      "created_at": INSTANT, "updated_at": INSTANT}),
        "AuditEntry": out({"id": {"type": "integer"}, "at": INSTANT, "user_id": nullable(UUID),
                           "role": nullable(string()), "action": string(), "entity": string(),
                           "entity_id": nullable(string()), "outcome": string(),
                           "detail": nullable(string()),
                           "entity_ids": {"type": "array", "items": string(),
                                          "description": "For a list read (entity_id null): "
                                                         "every id the page showed; else []."}}),
    }


ERRORS = {
    "400": ("BadRequest", "Business-rule violation; message says which."),
    "401": ("Unauthorized", "Missing, invalid, expired or revoked token."),
    "403": ("Forbidden", 'Wrong role or not the owner ("Insufficient role permissions", '
                         '"Inactive user", "Forbidden").'),
    "404": ("NotFound", "No such resource."),
    "409": ("Conflict", "Duplicate unique value or overlapping booking/window."),
    "413": ("TooLarge", "Request body over 1 MiB."),
    "415": ("UnsupportedMediaType", "A request body that is not application/json."),
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


# --- prose, keyed by (method, path) ------------------------------------------
# ok: (status, response data schema); errors: the codes the handler answers
# (401/403, 413/415 and 422 are added from the table); query/body: prose
# overlays per field name; headers: header parameters (no spec reads them).
OPS = {}


def op(method, path, tag, summary, ok, errors=(), desc=None, query=None, body=None,
       headers=(), raw=None):
    """raw: the media type of a 200 that is not the JSON envelope (ok's schema is its body)."""
    key = (method.upper(), path)
    assert key not in OPS, key
    OPS[key] = dict(tag=tag, summary=summary, ok=ok, errors=list(errors), desc=desc,
                    query=dict(query or {}), body=dict(body or {}), headers=list(headers),
                    raw=raw)


op("get", "/health", "Health", "Liveness", (200, ref("Health")))
op("get", "/clinic", "Health", "The clinic's settings a client needs", (200, ref("Clinic")),
   desc="The zone in which availability windows are wall-clock times and in which "
        "clients should show instants (the web app formats every date with it).")

WEB_CLIENT = [{"name": "X-Client", "in": "header", "required": False,
               "schema": {"type": "string", "enum": ["web"]},
               "description": "`web`: the browser app. The refresh token travels in an "
                              "`HttpOnly; Secure; SameSite=Strict` cookie `med_refresh` "
                              "scoped to `/api/v1/auth` instead of the JSON body."}]
WEB_PROSE = (" With `X-Client: web` the refresh token is set as the cookie `med_refresh` "
             "(HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth) and left out of the body; "
             "without that header nothing changes.")

op("post", "/auth/register", "Auth", "Register a PATIENT account and log in",
   (200, ref("TokenPair")), errors=["409", "422"],
   headers=WEB_CLIENT,
   desc="Creates a user with role PATIENT (the role cannot be chosen here). "
        "409 \"Email already registered\"." + WEB_PROSE)
op("post", "/auth/login", "Auth", "Log in", (200, ref("TokenPair")), errors=["401", "422"],
   headers=WEB_CLIENT,
   desc='401 "Invalid credentials" for an unknown email and a wrong password alike; '
        "inactive users cannot log in." + WEB_PROSE)
op("post", "/auth/refresh", "Auth", "Rotate the refresh token", (200, ref("TokenPair")),
   errors=["401", "422"],
   headers=WEB_CLIENT,
   desc="The presented refresh token is revoked. Presenting an already-rotated refresh "
        "token again revokes the whole family (every session of the user). "
        "`refresh_token` is required (422 without it) unless the request carries "
        "`X-Client: web` and the `med_refresh` cookie, which is then read and rotated."
        + WEB_PROSE)
op("post", "/auth/logout", "Auth", "Log out this session", (200, ref("Message")),
   headers=[{"name": "X-Refresh-Token", "in": "header", "required": False,
             "schema": string(),
             "description": "The refresh token of this session, to revoke it too."}]
           + WEB_CLIENT,
   desc="No body. Revokes the presented access token (Authorization) and refresh token "
        "(X-Refresh-Token) by jti. Never fails: idempotent. With `X-Client: web` the "
        "`med_refresh` cookie stands in for X-Refresh-Token and is cleared.")
op("post", "/auth/forgot", "Auth", "Request a password reset", (200, ref("Message")),
   errors=["422"],
   desc="Same answer, and the same work, for unknown emails. The reset token is never "
        "returned by the API: the request only queues the reset mail (at most 3 per "
        "account per hour) in the outbox, which `medadm outbox run` delivers out of the "
        "request path; `medadm user reset-password` hands a token over by hand.")
op("post", "/auth/reset", "Auth", "Reset the password with a reset token",
   (200, ref("Message")), errors=["400", "422"],
   desc='400 "Invalid or expired reset token". Single use; ends every session of the user.')

op("get", "/users/me", "Users", "The caller", (200, ref("User")))
op("patch", "/users/me", "Users", "Change own email, password or language", (200, ref("User")),
   errors=["409", "422"],
   desc='403 "You cannot change your role" if role is present; 403 too for is_active or '
        "is_superuser. A password change ends every other session. `locale` (fr, en, ar) is the "
        "language of the user's mails, SMS and notifications; the web app sends the one chosen.")
op("get", "/users", "Users", "List users", (200, arr("User")), errors=["422"])
op("patch", "/users/{user_id}", "Users", "Update a user", (200, ref("User")),
   errors=["400", "404", "409", "422"], desc='400 "Invalid role".')

op("get", "/patients", "Patients", "List patients", (200, arr("Patient")), errors=["422"],
   desc="`ids` (at most 100 comma-separated UUIDs) lists only those patients, unknown ids "
        "left out: the front desk names a week of visits in a few requests. 422 otherwise.")
op("post", "/patients", "Patients", "Create a patient profile for a user",
   (201, ref("Patient")), errors=["400", "404", "409", "422"],
   desc='400 "user_id is required".')
op("get", "/patients/me", "Patients", "Own patient profile", (200, ref("Patient")),
   errors=["404"])
op("post", "/patients/me", "Patients", "Create own patient profile", (201, ref("Patient")),
   errors=["409", "422"])
op("patch", "/patients/me", "Patients", "Update own patient profile", (200, ref("Patient")),
   errors=["404", "422"])
op("get", "/patients/{patient_id}", "Patients", "One patient", (200, ref("Patient")),
   errors=["404", "422"],
   desc="A DOCTOR only for a patient who has an appointment with them (403 otherwise).")
op("patch", "/patients/{patient_id}", "Patients", "Update a patient", (200, ref("Patient")),
   errors=["404", "422"])
op("delete", "/patients/{patient_id}", "Patients", "Delete a patient", (204, None),
   errors=["404", "409", "422"], desc="409 when the patient has history.")
op("post", "/desk/patients", "Patients", "Register a walk-in patient (front desk)",
   (201, ref("Patient")), errors=["409", "422"],
   desc="In one transaction: a PATIENT account for `email` that no password opens yet, "
        "its patient profile (answered as GET /patients/{patient_id} shows it, and audited "
        "like an admin's POST /patients), and an invitation mail in the outbox: a "
        "single-use link to set the password, a reset token of /auth/forgot (same "
        "lifetime, used with /auth/reset), in `locale` (fr or en; ar is stored for the "
        "account and mailed in French). Until the password is set, /auth/login answers "
        "the account 401 \"Invalid credentials\" as for a wrong password, in the same "
        "time. 409 \"Email already registered\" when the email exists (nothing is "
        "written). No password is hashed here.",
   body={"email": {"description": "The patient's address: the account's login and where "
                                  "the invitation goes."},
         "locale": {"description": "Language of the account's mails."}})

op("get", "/doctors", "Doctors", "Search doctors", (200, arr("Doctor")), errors=["422"],
   query={"name": {"description": "Case-insensitive substring of the first or last name."},
          "specialty": {"description": "Exact specialty name, case-insensitive."},
          "city": {"description": "Exact city, case-insensitive."},
          "min_rating": {"description": "Minimum avg_rating."}})
op("post", "/doctors", "Doctors", "Create a doctor profile for a user", (201, ref("Doctor")),
   errors=["400", "404", "409", "422"],
   desc='400 "User is not a doctor"; 409 when the profile exists.')
op("get", "/doctors/specialties", "Doctors", "All specialties", (200, arr("Specialty")))
op("get", "/doctors/me/profile", "Doctors", "Own doctor profile", (200, ref("Doctor")),
   errors=["404"])
op("post", "/doctors/me/profile", "Doctors", "Create own doctor profile", (201, ref("Doctor")),
   errors=["409", "422"])
op("patch", "/doctors/me/profile", "Doctors", "Update own doctor profile", (200, ref("Doctor")),
   errors=["404", "422"])
op("get", "/doctors/me/favorites", "Favorites", "Own favorite doctors", (200, arr("Doctor")),
   errors=["404", "422"])
op("patch", "/doctors/availability/{availability_id}", "Availability",
   "Update an availability window", (200, ref("Availability")), errors=["404", "409", "422"],
   desc="ADMIN, or the DOCTOR owning the window (403 otherwise).")
op("delete", "/doctors/availability/{availability_id}", "Availability",
   "Delete an availability window", (204, None), errors=["404", "422"],
   desc="ADMIN, or the DOCTOR owning the window (403 otherwise).")
op("get", "/doctors/{doctor_id}", "Doctors", "One doctor", (200, ref("Doctor")),
   errors=["404", "422"])
op("patch", "/doctors/{doctor_id}", "Doctors", "Update a doctor", (200, ref("Doctor")),
   errors=["404", "422"])
op("delete", "/doctors/{doctor_id}", "Doctors", "Delete a doctor", (204, None),
   errors=["404", "409", "422"], desc="409 when the doctor has history.")
op("get", "/doctors/{doctor_id}/availability", "Availability", "A doctor's weekly windows",
   (200, arr("Availability")), errors=["404", "422"])
op("post", "/doctors/{doctor_id}/availability", "Availability", "Add a weekly window",
   (201, ref("Availability")), errors=["404", "409", "422"],
   desc="ADMIN, or the DOCTOR owning the profile (403 otherwise). end_time > start_time "
        "(422); windows of one doctor on one weekday must not overlap (409).")
op("get", "/doctors/{doctor_id}/availability/slots", "Availability", "Bookable slots",
   (200, arr("Slot")), errors=["400", "404", "422"],
   query={"start_date": {"description": "First day (clinic-local); default today."},
          "days": {"description": "Number of days.", "default": 7},
          "slot_minutes": {"description": "Slot length in minutes (without service_id).",
                           "default": 30},
          "service_id": {"description": "An active service of the doctor: slots of its "
                                        "length, starting every slot_step_minutes (settings), "
                                        "with its buffers free too. 404 \"Service not found\"."}},
   desc="Without service_id: consecutive slots inside each active window. Slots that "
        "overlap a SCHEDULED or ARRIVED visit including that visit's buffers or an "
        "interval the waitlist holds for a patient (POST /waitlist), slots that "
        "end in the past, start sooner than the minimum notice or beyond the booking "
        "horizon are left out; ascending. 400 on bad values.")
op("delete", "/doctors/time-off/{time_off_id}", "Availability", "Remove time off",
   (204, None), errors=["404", "422"],
   desc="ADMIN, STAFF, or the DOCTOR owning it (403 otherwise).")
op("get", "/doctors/{doctor_id}/time-off", "Availability", "A doctor's time off",
   (200, arr("TimeOff")), errors=["404", "422"],
   query={"from": {"description": "Time off ending after this instant; default now."}},
   desc="Public; reason only for the owner doctor, STAFF and ADMIN. By start.")
op("post", "/doctors/{doctor_id}/time-off", "Availability", "Add time off",
   (201, ref("TimeOffCreated")), errors=["404", "422"],
   desc="ADMIN, STAFF, or the DOCTOR owning the profile (403 otherwise). No slots and no "
        "bookings inside it (400 \"Doctor is unavailable\"). Visits already booked inside "
        "are not cancelled: their ids are in conflicts.")
op("get", "/doctors/{doctor_id}/services", "Services", "A doctor's services",
   (200, arr("Service")), errors=["404", "422"],
   desc="Every doctor has a default 30-minute \"Consultation\". Inactive services are "
        "listed too (is_active false) and cannot be booked.")
op("post", "/doctors/{doctor_id}/services", "Services", "Add a service",
   (201, ref("Service")), errors=["404", "422"],
   body={"buffer_before_minutes": {"description": "Minutes the doctor stays free before "
                                                  "the visit.", "default": 0},
         "buffer_after_minutes": {"description": "Minutes the doctor stays free after "
                                                 "the visit.", "default": 0},
         "price": {"default": 0}, "currency": {"default": "USD"},
         "is_active": {"default": True}},
   desc="ADMIN, or the DOCTOR owning the profile (403 otherwise).")
op("patch", "/doctors/services/{service_id}", "Services", "Update a service",
   (200, ref("Service")), errors=["404", "422"],
   desc="ADMIN, or the DOCTOR owning the service (403 otherwise). Booked visits keep the "
        "length and buffers they were booked with.")
op("delete", "/doctors/services/{service_id}", "Services", "Delete a service",
   (204, None), errors=["404", "422"],
   desc="ADMIN, or the DOCTOR owning the service (403 otherwise). A service that "
        "appointments name is deactivated instead: 200 with the service, is_active false.")
op("post", "/doctors/{doctor_id}/favorite", "Favorites", "Favorite a doctor",
   (201, ref("Favorite")), errors=["404", "422"], desc="Idempotent. Needs a patient profile.")
op("delete", "/doctors/{doctor_id}/favorite", "Favorites", "Unfavorite a doctor", (204, None),
   errors=["404", "422"])
op("get", "/doctors/{doctor_id}/reviews", "Reviews", "A doctor's reviews", (200, arr("Review")),
   errors=["404", "422"],
   desc="patient_id is null unless the caller is that patient or an admin.")
op("post", "/doctors/{doctor_id}/reviews", "Reviews", "Review a doctor", (201, ref("Review")),
   errors=["404", "409", "422"],
   desc="Only a patient with a COMPLETED appointment with the doctor (403 otherwise); one "
        "review per patient and doctor (409).")

APPT_LIST_PROSE = {
    "status": {"description": "Only appointments in this status."},
    "from": {"description": "Only appointments starting at or after this instant (RFC 3339) "
                            "or clinic-local day (YYYY-MM-DD).",
             "example": "2026-12-01"},
    "to": {"description": "Only appointments starting before this instant (RFC 3339) or "
                          "clinic-local day (YYYY-MM-DD), exclusive.",
           "example": "2026-12-02"},
}
op("post", "/appointments", "Appointments", "Book an appointment", (201, ref("Appointment")),
   errors=["400", "404", "409", "422"],
   body={"patient_id": {"description": "The patient booked for: required from ADMIN and "
                                       "STAFF (400 otherwise)."},
         "end_time": {"description": "Required without service_id (422). With service_id "
                                     "it may be omitted (start + the service's duration) "
                                     "and, if sent, must equal that (400)."},
         "service_id": {"description": "An active service of the doctor (404 \"Service not "
                                       "found\"): its duration and buffers apply."}},
   desc="A PATIENT at the clinic's max_no_shows (when > 0) is refused 403 \"Too many "
        "missed appointments: the front desk must book for you\". "
        "Checks in order: patient exists (404), doctor exists (404), end after start (400), "
        "not in the past (400), minimum notice (400 \"Too soon...\"; ADMIN and STAFF "
        "booking on behalf are exempt) and booking horizon (400 \"Too far ahead...\"), "
        "not on a clinic holiday (400 \"The clinic is closed on that day\"), not in the "
        "doctor's time off (400 \"Doctor is unavailable\"), inside one active availability window (400), no overlap with the doctor's "
        "SCHEDULED or ARRIVED visits, each side's buffers included (409), nor with an "
        "interval the waitlist holds for a patient until its hold_until (409 \"The "
        "requested time is held for a patient on the waitlist\"), nor with the "
        "patient's (409).")
op("post", "/appointments/series", "Appointments", "Book a recurring series",
   (201, ref("Series")), errors=["400", "404", "409", "422"],
   body={"frequency": {"description": "WEEKLY, BIWEEKLY (every 14 days) or MONTHLY (same "
                                      "day of the month)."},
         "count": {"description": "Number of occurrences."},
         "end_time": {"description": "Of the first occurrence; as for a single booking."},
         "patient_id": {"description": "Required from ADMIN and STAFF (400 otherwise)."}},
   desc="All or nothing, in one transaction: every occurrence passes every check of POST "
        "/appointments (each against the ones before it) or nothing is created and the "
        "answer (409 when any occurrence conflicts, else 400) has data.failures: "
        "[SeriesFailure], one per failing occurrence with its reason. Each occurrence keeps "
        "the clinic-local wall time of the first across DST changes. A MONTHLY occurrence "
        "on a day its month lacks fails (\"No such day in that month\").")
op("post", "/appointments/series/{series_id}/cancel", "Appointments",
   "Cancel a series from an instant", (200, ref("SeriesCancelled")), errors=["404", "422"],
   body={"from": {"description": "Cancel occurrences starting at or after this instant; "
                                 "default now."}},
   desc="Cancels the SCHEDULED occurrences from `from` on; the others stay. Who: the "
        "patient, the owner doctor, STAFF and ADMIN (403 otherwise).")
op("get", "/appointments/me", "Appointments", "Own appointments (patient)",
   (200, arr("Appointment")), errors=["404", "422"], query=APPT_LIST_PROSE,
   desc='404 "Patient profile not found". Newest first.')
op("get", "/appointments/doctor/me", "Appointments", "Own appointments (doctor)",
   (200, arr("Appointment")), errors=["404", "422"], query=APPT_LIST_PROSE,
   desc='404 "Doctor profile not found". Newest first.')
op("get", "/appointments/doctor/{doctor_id}", "Appointments", "A doctor's appointments (front desk)",
   (200, arr("Appointment")), errors=["404", "422"], query=APPT_LIST_PROSE,
   desc='ADMIN and STAFF: the diary of any doctor, e.g. one clinic-local day with '
        '`from=2026-12-01&to=2026-12-02`. 404 "Doctor not found". Newest first.')
op("post", "/live/ticket", "Live updates", "A ticket to subscribe to live updates",
   (200, ref("LiveTicket")),
   desc="STAFF, DOCTOR and ADMIN (the front desk and doctor screens). Open the returned "
        "`url` with EventSource: `GET /api/v1/live?ticket=...` is served by nginx (nchan, "
        "`text/event-stream`), which first asks `GET /api/v1/live/auth` with the same query "
        "string; a refused ticket gets that answer (403). Each event's data is JSON with a "
        "kind and ids, never medical data: `{\"kind\":\"appointment.booked\","
        "\"appointment_id\":...,\"doctor_id\":...,\"at\":...}`; kinds "
        "`appointment.booked`, `.moved`, `.cancelled`, `.status`, and "
        "`appointments.changed` (`doctor_id` or null: many visits of one change, a long "
        "series). A screen re-fetches what it shows through the API. Events are sent after "
        "the change committed (none for a refused one), best effort, within about a second. "
        "The ticket opens one subscription: it is spent by its first use, expires after 60 s "
        "(never after the access token it came from), and is refused once the account is "
        "inactive, lost its role or ended its sessions; a subscription ends after 10 minutes "
        "and is opened again with a new ticket.")
op("get", "/live/auth", "Live updates", "Check a subscribe ticket (for nginx)", (204, None),
   query={"ticket": {"description": "From POST /live/ticket."}},
   errors=["403"],
   desc="Asked by nginx (nchan_authorize_request) before it holds a subscription to "
        "`/api/v1/live`. 204: the ticket is good, and now spent; 403 \"Not allowed to "
        "subscribe\": no ticket, a bad, expired or spent one, or its holder may not (any "
        "role but STAFF, DOCTOR and ADMIN, or inactive). The ticket, not a bearer token, "
        "authenticates.")
op("get", "/appointments/{appointment_id}", "Appointments", "One appointment",
   (200, ref("Appointment")), errors=["404", "422"],
   desc="The owner patient, the owner doctor, ADMIN or STAFF (403 otherwise).")
op("post", "/appointments/{appointment_id}/cancel", "Appointments", "Cancel an appointment",
   (200, ref("Appointment")), errors=["400", "404", "422"],
   query={"cancellation_reason": {"description": "May be given here or in the body."}},
   body={"cancellation_reason": {"description": "Wins over the query parameter."}},
   desc="The owner patient, the owner doctor, ADMIN or STAFF. A cancelled one is returned "
        "unchanged; a COMPLETED one cannot be cancelled (400).")
for _m in ("post", "patch"):
    op(_m, "/appointments/{appointment_id}/reschedule", "Appointments",
       "Reschedule an appointment", (200, ref("Appointment")),
       errors=["400", "404", "409", "422"],
       desc='The owner patient, ADMIN or STAFF. 400 "start_time and end_time required"; '
            "the booking checks apply, excluding this appointment; only SCHEDULED ones (400).")
op("patch", "/appointments/{appointment_id}/status", "Appointments",
   "Change an appointment's status", (200, ref("Appointment")), errors=["400", "404", "422"],
   desc="Allowed: SCHEDULED->ARRIVED (check-in: STAFF, the owner doctor, ADMIN), "
        "ARRIVED->COMPLETED and SCHEDULED->COMPLETED (the owner doctor, ADMIN), "
        "SCHEDULED->NO_SHOW once the visit has started (STAFF, the owner doctor, ADMIN; "
        "counts in the patient's no_show_count), SCHEDULED->CANCELLED (the owner doctor, "
        "ADMIN). Others: 400 \"Invalid status transition\"; a caller the change is not "
        "open to: 403. ARRIVED occupies the slot like SCHEDULED.")

op("get", "/medical-records/me", "Medical records", "Own records (patient)",
   (200, arr("Record")), errors=["404", "422"])
op("get", "/medical-records/doctor/me", "Medical records",
   "Records written by the caller (doctor)", (200, arr("Record")), errors=["404", "422"])
op("post", "/medical-records", "Medical records", "Write a record", (201, ref("Record")),
   errors=["400", "404", "422"],
   desc="A DOCTOR is the author and may only write for a patient who has an appointment "
        'with them (403). 400 "patient_id is required". Audited.')
op("get", "/medical-records/{record_id}", "Medical records", "One record", (200, ref("Record")),
   errors=["404", "422"],
   desc='The owner patient, the author doctor or ADMIN; 403 "Forbidden" otherwise. Audited.')
op("patch", "/medical-records/{record_id}", "Medical records", "Update a record",
   (200, ref("Record")), errors=["404", "422"], desc="The author doctor or ADMIN. Audited.")
op("delete", "/medical-records/{record_id}", "Medical records", "Delete a record", (204, None),
   errors=["404", "422"], desc="Audited.")

op("post", "/billing", "Billing", "Create a billing entry", (201, ref("Billing")),
   errors=["400", "404", "422"],
   desc="patient_id or appointment_id is required; if both, they must agree (400).")
op("get", "/billing/me", "Billing", "Own billing entries", (200, arr("Billing")),
   errors=["404", "422"])
op("post", "/billing/policies", "Insurance", "Create a policy", (201, ref("Policy")),
   errors=["400", "404", "422"])
op("get", "/billing/policies/me", "Insurance", "Own policies", (200, arr("Policy")),
   errors=["404", "422"])
op("get", "/billing/policies/patient/{patient_id}", "Insurance", "A patient's policies",
   (200, arr("Policy")), errors=["404", "422"])
op("patch", "/billing/policies/{policy_id}", "Insurance", "Update a policy",
   (200, ref("Policy")), errors=["404", "422"])
op("delete", "/billing/policies/{policy_id}", "Insurance", "Delete a policy", (204, None),
   errors=["404", "409", "422"])
op("post", "/billing/claims", "Insurance", "Create a claim", (201, ref("Claim")),
   errors=["400", "404", "422"])
op("get", "/billing/claims/policy/{policy_id}", "Insurance", "A policy's claims",
   (200, arr("Claim")), errors=["404", "422"])
op("patch", "/billing/claims/{claim_id}", "Insurance", "Update a claim", (200, ref("Claim")),
   errors=["400", "404", "422"], desc='400 "Invalid claim status".')
op("get", "/billing/patient/{patient_id}", "Billing", "A patient's billing entries",
   (200, arr("Billing")), errors=["404", "422"])
op("get", "/billing/{billing_id}", "Billing", "One billing entry", (200, ref("Billing")),
   errors=["404", "422"], desc="ADMIN, STAFF or the owner patient (403 otherwise).")
op("patch", "/billing/{billing_id}", "Billing", "Update a billing entry", (200, ref("Billing")),
   errors=["400", "404", "422"], desc='400 "Invalid status".')

op("get", "/holidays", "Settings", "The clinic's holidays", (200, arr("Holiday")),
   errors=["422"],
   query={"from": {"description": "First date, inclusive."},
          "to": {"description": "Last date, exclusive."}},
   desc="Clinic-local dates: no slots and no bookings that day (400 \"The clinic is closed "
        "on that day\"). By date.")
op("post", "/holidays", "Settings", "Add a holiday", (201, ref("Holiday")),
   errors=["409", "422"], desc="409 when the date already is one.")
op("delete", "/holidays/{holiday_id}", "Settings", "Remove a holiday", (204, None),
   errors=["404", "422"])
WAITLIST_OFFERS = (
    "When a visit is cancelled (by anyone, a doctor's status CANCELLED included) or moved "
    "away, the freed interval is offered in the same transaction to the earliest WAITING "
    "entry of that doctor (by created_at, then id) whose dates contain the interval's "
    "clinic-local date, whose service (if any) fits inside it, whose patient is not the "
    "one who freed it and could book it now by every rule of POST /appointments (no "
    "visit of their own then, among others). The offer holds the interval for "
    "WAITLIST_HOLD_MINUTES (default 30): until hold_until no other booking or reschedule "
    "overlaps it (409 \"The requested time is held for a patient on the waitlist\") and "
    "the slots route leaves it out. The patient is told by mail (outbox kind "
    "waitlist_offer, with the link PUBLIC_URL/#/waitlist/offers/{id}).")
op("post", "/waitlist", "Waitlist", "Join a doctor's waitlist", (201, ref("WaitlistEntry")),
   errors=["400", "404", "409", "422"],
   body={"patient_id": {"description": "The patient who waits: required from ADMIN and "
                                       "STAFF (400 otherwise); a PATIENT waits for themself."},
         "service_id": {"description": "An active service of the doctor (404 \"Service not "
                                       "found\"): only intervals it fits in are offered; "
                                       "without one, any freed interval is."},
         "from_date": {"description": "First clinic-local date, not before today (422)."},
         "to_date": {"description": "Last clinic-local date, inclusive: not before from_date "
                                    "and not beyond the doctor's booking horizon (422)."}},
   desc="One active (WAITING or OFFERED) entry per patient, doctor and service: 409 "
        "\"Already on the waitlist for this doctor and service\". " + WAITLIST_OFFERS)
op("get", "/waitlist", "Waitlist", "A doctor's waitlist", (200, arr("WaitlistEntry")),
   errors=["404", "422"],
   query={"doctor_id": {"description": "The doctor (404 \"Doctor not found\")."},
          "status": {"description": "Only entries in this status."}},
   desc="ADMIN, STAFF, or the DOCTOR owning doctor_id (403 otherwise). In the order "
        "entries are served: created_at, then id.")
op("get", "/waitlist/me", "Waitlist", "My waitlist entries", (200, arr("WaitlistEntry")),
   errors=["404", "422"], desc="Newest first, with their latest offers.")
op("delete", "/waitlist/{entry_id}", "Waitlist", "Leave the waitlist", (204, None),
   errors=["404", "422"],
   desc="The owner patient, STAFF or ADMIN (403 otherwise). A WAITING or OFFERED entry "
        "becomes REMOVED; a held offer of it is declined and its interval passes to the "
        "next entry at once. A finished entry (BOOKED, REMOVED, EXPIRED) stays as it is.")
op("post", "/waitlist/offers/{offer_id}/accept", "Waitlist", "Take the offered interval",
   (201, ref("Appointment")), errors=["403", "404", "409", "422"],
   desc="The offer's patient only (403 otherwise). Books the held interval by every rule "
        "of POST /appointments but the hold itself, and answers as it does: from the "
        "interval's start, for the entry's service (its length and buffers) or, without "
        "one, the whole interval. 409 \"The offer is no longer held\" once declined, "
        "accepted or past hold_until; the entry becomes BOOKED.")
op("post", "/waitlist/offers/{offer_id}/decline", "Waitlist", "Leave the offered interval "
   "to the next patient", (200, ref("WaitlistEntry")), errors=["404", "409", "422"],
   desc="The offer's patient, STAFF or ADMIN (403 otherwise). The entry goes back to "
        "WAITING (it is not offered that interval again) and the interval is offered to "
        "the next entry at once. An offer not taken by hold_until stops blocking anything "
        "then; each pass of the outbox sender (medadm outbox run) marks it EXPIRED and "
        "passes the interval on the same way. 409 when it is no longer held.")

op("get", "/settings", "Settings", "The clinic's booking rules", (200, ref("Settings")),
   desc="min_notice_minutes (default 0), booking_horizon_days (default 365), max_no_shows "
        "(default 0 = no limit), slot_step_minutes (default 15: the step of service slots), "
        "reminder_offsets_minutes (default [1440, 120]: a reminder a day and two hours "
        "before each SCHEDULED visit; [] sends none). "
        "A doctor's profile may override notice and horizon.")
op("patch", "/settings", "Settings", "Change the clinic's booking rules",
   (200, ref("Settings")), errors=["422"],
   desc="reminder_offsets_minutes: at most 8 offsets, each 5 to 20160 minutes (14 days). "
        "The reminder scheduler (medadm outbox run) sends, for each visit, one reminder per "
        "offset at most, and only the nearest offset when several are already due.")

op("get", "/notifications", "Notifications", "My in-app notifications",
   (200, arr("Notification")),
   query={"unread": {"description": "true: only unread ones; false: only read ones; "
                                    "absent: all."}},
   desc="The caller's own notifications, newest first: one for each message the clinic "
        "sent them (booking confirmation, move, cancellation, reminder, waitlist offer), in "
        "their locale. kind names the message; title is the message's subject and body a "
        "one-line summary of it; appointment_id the visit it is about.")
op("post", "/notifications/read-all", "Notifications", "Mark all my notifications read",
   (200, ref("NotificationsMarked")), desc="marked: how many were unread.")
op("post", "/notifications/{notification_id}/read", "Notifications",
   "Mark one of my notifications read", (200, ref("Notification")), errors=["404"],
   desc="404 \"Notification not found\" for another user's id as for an unknown one. "
        "Marking a read one again keeps its first read_at.")
op("post", "/calendar/feed", "Calendar", "Get a secret calendar feed URL",
   (201, ref("CalendarFeed")),
   desc="url: PUBLIC_URL + /api/v1/calendar/<token>.ics, to subscribe to in a calendar "
        "app. The token is 256 random bits, stored only as its SHA-256, so it cannot be "
        "shown again: each call makes a new one and the previous URL stops working.")
op("delete", "/calendar/feed", "Calendar", "Revoke my calendar feed", (204, None),
   desc="The feed URL answers 404 from now on. 204 also when there was none.")
op("get", "/calendar/{token}.ics", "Calendar", "A calendar feed (iCalendar)",
   (200, string(description="RFC 5545 text: VCALENDAR with one VEVENT per visit.")),
   errors=["404"], raw="text/calendar",
   desc="No login: the token in the URL is the credential. The person's visits from 30 "
        "days back, cancelled ones as STATUS:CANCELLED; UID <appointment id>@<host of "
        "PUBLIC_URL> and SEQUENCE as in the mails' invitations. Time, doctor, service, "
        "place and status only: never a reason, and a doctor's feed names no patient. "
        "404 \"Calendar feed not found\" for an unknown, revoked or malformed token. "
        "Rate-limited per client address by nginx (429).")

op("get", "/audit", "Audit", "Read the audit log", (200, arr("AuditEntry")), errors=["422"],
   query={"user_id": {"description": "Only rows of this acting user."},
          "entity": {"description": "Only rows about this entity kind (record, patient, "
                                    "billing...)."},
          "entity_id": {"description": "Only rows about this entity, including the list reads "
                                       "that showed it (answered with this entity_id)."},
          "from": {"description": "Only rows at or after this instant."},
          "to": {"description": "Only rows before this instant."}},
   desc="Append-only: the API offers no way to change or delete audit rows. A list read is "
        "one row naming every item it showed in entity_ids.")


# --- transition: inputs of routes without specs ------------------------------

def operation(route, prose):
    """One operation from its table entry and its prose."""
    where = "%s %s" % (route["method"], route["path"])
    query, body = dict(prose["query"]), dict(prose["body"])
    params = path_params(route)
    if route["query"] is not None:
        params += query_params(route, query)
    params += prose["headers"]
    req = None
    if route["body"] is not None:
        schema, required = body_schema(route, body)
        req = {"required": required, "content": {"application/json": {"schema": schema}}}
    if query or body:
        sys.exit("openapi.py: %s: prose for fields the route does not read: %s" %
                 (where, ", ".join(sorted(list(query) + list(body)))))

    res = {}
    status, data = prose["ok"]
    if status == 204:
        res["204"] = {"description": "Deleted; no body." if route["method"] == "DELETE"
                      else "Done; no body."}
    elif prose["raw"]:
        res[str(status)] = {"description": "OK.", "content": {prose["raw"]: {"schema": data}}}
    else:
        res[str(status)] = {"description": "Created." if status == 201 else "OK.",
                            "content": {"application/json": {"schema": envelope(data)}}}
    errs = set(prose["errors"])
    if route["auth"] == "required":
        errs |= {"401", "403"}
    if req is not None:
        errs |= {"413", "415", "422"}
    if route["query"] is not None or any(p["format"] == "uuid" for p in route["params"]):
        errs.add("422")
    for code in sorted(errs):
        res[code] = {"$ref": "#/components/responses/" + ERRORS[code][0]}

    roles = route["roles"] if route["auth"] == "required" else []
    if route["auth"] == "none":
        who = "Public: no token needed."
        security = []
    elif route["auth"] == "optional":
        who = "Token optional: a valid bearer token identifies the caller."
        security = [{}, {"bearerAuth": []}]
        if any(h["name"] == "X-Refresh-Token" for h in prose["headers"]):
            security = [{}, {"bearerAuth": []}, {"refreshToken": []},
                        {"bearerAuth": [], "refreshToken": []}]
    else:
        who = "Roles: " + ", ".join(roles) + " (a superuser passes every role check)."
        security = [{"bearerAuth": []}]
    desc = who + ("\n\n" + prose["desc"] if prose["desc"] else "")
    method = route["method"].lower()
    opid = method + "_" + route["path"].strip("/").replace("/", "_").replace("{", "") \
        .replace("}", "").replace("-", "_")
    out_ = {"operationId": opid, "tags": [prose["tag"]], "summary": prose["summary"],
            "description": desc, "x-auth": route["auth"], "x-roles": roles,
            "security": security}
    if params:
        out_["parameters"] = params
    if req is not None:
        out_["requestBody"] = req
    out_["responses"] = res
    return out_


def document(table):
    base = table["base"]
    paths, tags, seen = {}, [], set()
    for route in table["routes"]:
        key = (route["method"], route["path"])
        if key not in OPS:
            sys.exit("openapi.py: %s %s is in the routing table but has no op() prose" % key)
        seen.add(key)
        prose = OPS[key]
        item = paths.setdefault(route["path"], {})
        assert route["method"].lower() not in item, key
        item[route["method"].lower()] = operation(route, prose)
        if prose["tag"] not in tags:
            tags.append(prose["tag"])
    for key in OPS:
        if key not in seen:
            sys.exit("openapi.py: op() prose for %s %s, a route the table does not have" % key)

    limit = paging_field(table, "limit")
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
                "v4 UUIDs. Lists take `skip` (>= %d) and `limit` (%d..%d, default %d; a "
                "larger limit is served as %d). Unknown body fields are ignored. `/x` and "
                "`/x/` answer alike for collection routes.\n\n"
                "Authenticate with `POST /auth/login`, then **Authorize** with the "
                "`access_token`. `x-roles` on each operation lists the roles the router "
                "admits; owner rules (\"the DOCTOR owning it\") are in the descriptions."
                % (paging_field(table, "skip")["minimum"], limit["minimum"], limit["maximum"],
                   QUERY_PROSE["limit"]["default"], limit["maximum"])),
        },
        "servers": [{"url": base, "description": "This server"}],
        "security": [],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                               "description": "The access_token from login, register or refresh."},
                "refreshToken": {"type": "apiKey", "in": "header", "name": "X-Refresh-Token",
                                 "description": "The refresh token, for POST /auth/logout only."},
            },
            "schemas": schemas(table),
            "responses": responses_components(),
        },
    }


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: openapi.py ROUTES_JSON   (the output of build/routes)")
    with open(argv[1], encoding="utf-8") as f:
        table = json.load(f)
    json.dump(document(table), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
