-- schema.sql - the clinic database, current version (PRAGMA user_version).
-- Instants are INTEGER seconds since the epoch (UTC); availability times are
-- INTEGER seconds after clinic-local midnight; money is INTEGER cents;
-- ids are lowercase v4 UUID text.  Applied by db_open() on a new file;
-- older files are brought forward by the migrations in lib/db.c.

CREATE TABLE roles (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash    TEXT NOT NULL,
    role_id          INTEGER REFERENCES roles(id),
    locale           TEXT,
    theme_preference TEXT,
    is_active        INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    is_superuser     INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1)),
    token_version    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Access, refresh and reset tokens revoked before their expiry.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at);

-- Refresh tokens issued and not yet rotated: a token presented again after
-- rotation is a reuse, which ends every session of the user.
CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

-- Failed logins, per account (email) and per client address, for throttling.
CREATE TABLE login_failures (
    key       TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, failed_at);

-- The addresses each account logged in from: their owner is never slowed
-- down by guesses from elsewhere (lib/throttle.h).
CREATE TABLE login_known (
    account TEXT NOT NULL,
    addr    TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (account, addr)
) WITHOUT ROWID;
CREATE INDEX login_known_seen ON login_known(seen_at);

CREATE TABLE patients (
    id                      TEXT PRIMARY KEY,
    user_id                 TEXT NOT NULL UNIQUE REFERENCES users(id),
    first_name              TEXT,
    last_name               TEXT,
    phone                   TEXT,
    date_of_birth           TEXT,
    gender                  TEXT,
    address                 TEXT,
    city                    TEXT,
    country                 TEXT,
    blood_type              TEXT,
    allergies               TEXT,
    chronic_conditions      TEXT,
    medications             TEXT,
    emergency_contact_name  TEXT,
    emergency_contact_phone TEXT,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    -- Visits marked NO_SHOW; at clinic_settings.max_no_shows self-booking stops.
    no_show_count           INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE doctors (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL UNIQUE REFERENCES users(id),
    first_name       TEXT,
    last_name        TEXT,
    phone            TEXT,
    bio              TEXT,
    years_experience INTEGER,
    clinic_address   TEXT,
    city             TEXT COLLATE NOCASE,
    country          TEXT,
    avg_rating       REAL NOT NULL DEFAULT 0,
    rating_count     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    first_name_key   TEXT,
    last_name_key    TEXT,
    city_key         TEXT,
    -- NULL: the clinic's setting (clinic_settings) applies.
    min_notice_minutes   INTEGER,
    booking_horizon_days INTEGER
);
-- *_key: search keys (util_fold(): case folded, accents removed), kept by
-- the code beside what people typed.
CREATE INDEX doctors_city_key ON doctors(city_key);
CREATE INDEX doctors_rating ON doctors(avg_rating);

CREATE TABLE specialties (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT,
    name_key    TEXT
);
-- util_fold(name): one specialty however it is spelt.
CREATE UNIQUE INDEX specialties_key ON specialties(name_key);

CREATE TABLE doctor_specialties (
    doctor_id    TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    specialty_id INTEGER NOT NULL REFERENCES specialties(id),
    PRIMARY KEY (doctor_id, specialty_id)
) WITHOUT ROWID;
CREATE INDEX doctor_specialties_specialty ON doctor_specialties(specialty_id, doctor_id);

-- weekday: 0 = Monday .. 6 = Sunday; times: seconds after local midnight.
CREATE TABLE doctor_availability (
    id         TEXT PRIMARY KEY,
    doctor_id  TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time INTEGER NOT NULL CHECK (start_time BETWEEN 0 AND 86399),
    end_time   INTEGER NOT NULL CHECK (end_time BETWEEN 1 AND 86400),
    is_active  INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX doctor_availability_doctor ON doctor_availability(doctor_id, weekday, start_time);

CREATE TABLE favorite_doctors (
    id         TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    doctor_id  TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (patient_id, doctor_id)
);

CREATE TABLE doctor_reviews (
    id         TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    doctor_id  TEXT NOT NULL REFERENCES doctors(id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (patient_id, doctor_id)
);
CREATE INDEX doctor_reviews_doctor ON doctor_reviews(doctor_id, created_at);

-- Visit types: each has its own length, and buffers that keep the doctor
-- free before and after it.  Every doctor gets a default "Consultation".
CREATE TABLE doctor_services (
    id                    TEXT PRIMARY KEY,
    doctor_id             TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    duration_minutes      INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 120),
    buffer_after_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 120),
    price_cents           INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency              TEXT NOT NULL DEFAULT 'USD',
    is_active             INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX doctor_services_doctor ON doctor_services(doctor_id, name);
CREATE TRIGGER doctors_default_service AFTER INSERT ON doctors BEGIN
    INSERT INTO doctor_services (id, doctor_id, name, duration_minutes, buffer_before_minutes,
        buffer_after_minutes, price_cents, currency, is_active, created_at, updated_at)
    VALUES (lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)),
                substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random() % 4), 1),
                substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
            NEW.id, 'Consultation', 30, 0, 0, 0, 'USD', 1, NEW.created_at, NEW.created_at);
END;

-- The clinic's booking rules: one row.
CREATE TABLE clinic_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    min_notice_minutes   INTEGER NOT NULL DEFAULT 0,
    booking_horizon_days INTEGER NOT NULL DEFAULT 365,
    max_no_shows         INTEGER NOT NULL DEFAULT 0,
    slot_step_minutes    INTEGER NOT NULL DEFAULT 15,
    updated_at           INTEGER NOT NULL DEFAULT 0,
    -- Minutes before a visit its reminders go out: a JSON array (notify.h).
    reminder_offsets     TEXT NOT NULL DEFAULT '[1440,120]'
);
INSERT INTO clinic_settings (id) VALUES (1);

-- A doctor's time off (UTC instants), looked up by its end: the rows that
-- end after an instant are the future ones, few however long the history.
CREATE TABLE doctor_time_off (
    id         TEXT PRIMARY KEY,
    doctor_id  TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    start_time INTEGER NOT NULL,
    end_time   INTEGER NOT NULL,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX doctor_time_off_end ON doctor_time_off(doctor_id, end_time);

-- Days the clinic is closed: clinic-local dates, YYYY-MM-DD.
CREATE TABLE clinic_holidays (
    id         TEXT PRIMARY KEY,
    date       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE appointments (
    id                  TEXT PRIMARY KEY,
    doctor_id           TEXT NOT NULL REFERENCES doctors(id),
    patient_id          TEXT NOT NULL REFERENCES patients(id),
    start_time          INTEGER NOT NULL,
    end_time            INTEGER NOT NULL,
    reason              TEXT,
    status              TEXT NOT NULL DEFAULT 'SCHEDULED'
                        CHECK (status IN ('SCHEDULED', 'ARRIVED', 'COMPLETED', 'CANCELLED',
                                          'NO_SHOW')),
    cancellation_reason TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    -- A doctor_services id; NULL for bookings made without one.  No
    -- REFERENCES: a migration cannot add one, and a service that
    -- appointments name is never deleted, only deactivated.
    service_id          TEXT,
    -- Seconds the doctor stays busy before and after the visit, taken
    -- from the service at booking: the visit occupies
    -- [start_time - buffer_before, end_time + buffer_after).
    buffer_before       INTEGER NOT NULL DEFAULT 0,
    buffer_after        INTEGER NOT NULL DEFAULT 0,
    -- The recurring series the visit belongs to (POST /appointments/series).
    series_id           TEXT,
    -- The .ics SEQUENCE of the visit: raised by each move or cancellation,
    -- so calendar apps order the messages about it (notify.h).
    sequence            INTEGER NOT NULL DEFAULT 0,
    CHECK (end_time > start_time)
);
CREATE INDEX appointments_doctor_start ON appointments(doctor_id, start_time);
CREATE INDEX appointments_service ON appointments(service_id);
CREATE INDEX appointments_series ON appointments(series_id);
CREATE INDEX appointments_patient_start ON appointments(patient_id, start_time);
-- The reminder scheduler's look-ahead (notify.h): upcoming SCHEDULED visits.
CREATE INDEX appointments_scheduled_start ON appointments(start_time) WHERE status = 'SCHEDULED';
-- How far past its start any visit ever reached (end_time + buffer_after
-- - start_time): the overlap checks look back only that far on the
-- (doctor_id, start_time) and (patient_id, start_time) indexes, not a
-- whole day.  One row; it only grows, so it stays an upper bound whatever
-- is cancelled or deleted (APPT_REACH in appointments.h).
CREATE TABLE appointment_reach (seconds INTEGER NOT NULL);
INSERT INTO appointment_reach (seconds) VALUES (0);
CREATE TRIGGER appointment_reach_insert AFTER INSERT ON appointments
WHEN NEW.end_time + NEW.buffer_after - NEW.start_time > (SELECT seconds FROM appointment_reach)
BEGIN
    UPDATE appointment_reach SET seconds = NEW.end_time + NEW.buffer_after - NEW.start_time;
END;
CREATE TRIGGER appointment_reach_update AFTER UPDATE OF start_time, end_time, buffer_after
ON appointments
WHEN NEW.end_time + NEW.buffer_after - NEW.start_time > (SELECT seconds FROM appointment_reach)
BEGIN
    UPDATE appointment_reach SET seconds = NEW.end_time + NEW.buffer_after - NEW.start_time;
END;

CREATE TABLE medical_records (
    id             TEXT PRIMARY KEY,
    patient_id     TEXT NOT NULL REFERENCES patients(id),
    doctor_id      TEXT REFERENCES doctors(id),
    diagnosis      TEXT NOT NULL,
    treatment_plan TEXT,
    prescription   TEXT,
    notes          TEXT,
    recorded_at    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX medical_records_patient ON medical_records(patient_id, recorded_at);
CREATE INDEX medical_records_doctor ON medical_records(doctor_id, recorded_at);

CREATE TABLE billings (
    id             TEXT PRIMARY KEY,
    patient_id     TEXT NOT NULL REFERENCES patients(id),
    appointment_id TEXT REFERENCES appointments(id),
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 9999999999),
    currency       TEXT NOT NULL DEFAULT 'USD',
    description    TEXT,
    status         TEXT NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'PAID', 'VOID', 'REFUNDED')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX billings_patient ON billings(patient_id, created_at);
CREATE INDEX billings_appointment ON billings(appointment_id);

CREATE TABLE insurance_policies (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients(id),
    provider_name    TEXT NOT NULL,
    policy_number    TEXT NOT NULL,
    coverage_details TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX insurance_policies_patient ON insurance_policies(patient_id, created_at);

CREATE TABLE insurance_claims (
    id         TEXT PRIMARY KEY,
    policy_id  TEXT NOT NULL REFERENCES insurance_policies(id),
    billing_id TEXT REFERENCES billings(id),
    status     TEXT NOT NULL DEFAULT 'PENDING'
               CHECK (status IN ('PENDING', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID')),
    notes      TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX insurance_claims_policy ON insurance_claims(policy_id, created_at);
CREATE INDEX insurance_claims_billing ON insurance_claims(billing_id);

-- Append-only: the triggers refuse UPDATE and DELETE from any client.
-- A list read is one row (entity_id NULL) naming what it showed in
-- entity_ids, a JSON array, and in audit_seen for the lookup by id.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   TEXT,
    role      TEXT,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    outcome   TEXT NOT NULL,
    detail    TEXT,
    entity_ids TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
-- GET /audit?entity_id=X ("who saw this record"), with or without the
-- entity: ids are unique across entities, so no (entity, entity_id) index.
CREATE INDEX audit_log_entity_id ON audit_log(entity_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- "Who saw X" through a list: one lookup on the key, whatever the page size.
CREATE TABLE audit_seen (
    entity_id TEXT NOT NULL,
    event_id  INTEGER NOT NULL REFERENCES audit_log(id),
    PRIMARY KEY (entity_id, event_id)
) WITHOUT ROWID;
CREATE TRIGGER audit_seen_no_update BEFORE UPDATE ON audit_seen
BEGIN SELECT RAISE(ABORT, 'audit_seen is append-only'); END;
CREATE TRIGGER audit_seen_no_delete BEFORE DELETE ON audit_seen
BEGIN SELECT RAISE(ABORT, 'audit_seen is append-only'); END;
-- audit_seen is filled after the fact, in batches (audit_index(): each
-- sender pass), so a list read writes one row, not one index entry per
-- item.  audit_seen_mark is the last audit_log id indexed; audit_seen_all
-- adds the events past it, so a reader never misses one.
CREATE TABLE audit_seen_mark (id INTEGER NOT NULL);
INSERT INTO audit_seen_mark (id) VALUES (0);
CREATE VIEW audit_seen_all (entity_id, event_id) AS
    SELECT entity_id, event_id FROM audit_seen
    UNION ALL
    SELECT j.value, a.id FROM audit_log a, json_each(a.entity_ids) j
    WHERE a.id > (SELECT id FROM audit_seen_mark) AND a.entity_ids IS NOT NULL;

-- The first answer of a write retried with the same Idempotency-Key by
-- the same user (24 hours): request is the SHA-256 of method, path, body.
CREATE TABLE idempotency_keys (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Messages to people (mail; SMS later), each written in the transaction
-- of the change that causes it and delivered afterwards by the sender
-- (`medadm outbox run`, lib/outbox.h): nothing is sent for a change rolled
-- back, nothing lost for one committed.  kind names the template; params
-- (a JSON object) are its values, secrets included (a reset token), so
-- they are cleared once delivered or expired.  message_id is the mail's
-- Message-ID, the same on every attempt.  A pending row whose attempt is
-- under way has next_attempt_at pushed past the command's time limit.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL COLLATE NOCASE,
    locale          TEXT NOT NULL,
    params          TEXT,
    message_id      TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'dead')),
    last_error      TEXT,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_recipient ON outbox(recipient, kind, created_at);
CREATE INDEX outbox_expiry ON outbox(expires_at) WHERE params IS NOT NULL;

-- One row per reminder written to the outbox: the key makes a second one
-- for the same visit, offset and sequence impossible, however often or
-- concurrently the scheduler runs (notify.h).  A move raises the visit's
-- sequence, so the new time gets its own reminders.
CREATE TABLE reminders_sent (
    appointment_id TEXT NOT NULL,
    offset_minutes INTEGER NOT NULL,
    sequence       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, offset_minutes, sequence)
) WITHOUT ROWID;

-- In-app notifications, written with the messages of the outbox (notify.h).
CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    appointment_id TEXT,
    created_at     INTEGER NOT NULL,
    read_at        INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

-- A person's calendar feed (GET /calendar/{token}.ics): only the SHA-256
-- of the token is kept, so a copy of the database opens no feed.
CREATE TABLE calendar_feeds (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- The waitlist (waitlist.h): a patient waiting for a free time of one
-- doctor (and service, when named) between two clinic-local dates,
-- inclusive.  One active entry (WAITING or OFFERED) per patient, doctor
-- and service.  An offer holds a freed interval for one entry until
-- hold_until; while it is HELD and not past hold_until, only its
-- acceptance books inside the interval (appt_check_booking()).
-- freed_by is the patient whose cancellation freed it, never offered it.
CREATE TABLE waitlist_entries (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL REFERENCES patients(id),
    doctor_id   TEXT NOT NULL REFERENCES doctors(id),
    service_id  TEXT,
    from_date   TEXT NOT NULL,
    to_date     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'WAITING'
                CHECK (status IN ('WAITING', 'OFFERED', 'BOOKED', 'REMOVED', 'EXPIRED')),
    created_at  INTEGER NOT NULL,
    created_by  TEXT,
    CHECK (to_date >= from_date)
);
CREATE INDEX waitlist_entries_patient ON waitlist_entries(patient_id, created_at);
-- A doctor's queue, in the order it is served (the list and each freed interval).
CREATE INDEX waitlist_entries_doctor ON waitlist_entries(doctor_id, created_at, id);
CREATE UNIQUE INDEX waitlist_entries_active
    ON waitlist_entries(patient_id, doctor_id, coalesce(service_id, ''))
    WHERE status IN ('WAITING', 'OFFERED');
CREATE TABLE waitlist_offers (
    id             TEXT PRIMARY KEY,
    entry_id       TEXT NOT NULL REFERENCES waitlist_entries(id),
    doctor_id      TEXT NOT NULL REFERENCES doctors(id),
    service_id     TEXT,
    start_time     INTEGER NOT NULL,
    end_time       INTEGER NOT NULL,
    hold_until     INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'HELD'
                   CHECK (status IN ('HELD', 'ACCEPTED', 'DECLINED', 'EXPIRED')),
    appointment_id TEXT,
    freed_by       TEXT,
    created_at     INTEGER NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX waitlist_offers_held ON waitlist_offers(doctor_id, start_time)
    WHERE status = 'HELD';
CREATE INDEX waitlist_offers_entry ON waitlist_offers(entry_id);
CREATE INDEX waitlist_offers_due ON waitlist_offers(hold_until) WHERE status = 'HELD';

INSERT INTO roles (id, name) VALUES (1, 'ADMIN'), (2, 'DOCTOR'), (3, 'PATIENT'), (4, 'STAFF');

-- The public directory's version: raised in the same transaction by every
-- change to what GET /doctors shows (the doctors rows, ratings included,
-- their specialties, the specialties), so each worker can keep its
-- answers keyed by it, never stale (dircache.h).
CREATE TABLE directory_version (n INTEGER NOT NULL);
INSERT INTO directory_version (n) VALUES (0);
CREATE TRIGGER directory_doctors_insert AFTER INSERT ON doctors
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_doctors_update AFTER UPDATE ON doctors
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_doctors_delete AFTER DELETE ON doctors
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_doctor_specialties_insert AFTER INSERT ON doctor_specialties
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_doctor_specialties_update AFTER UPDATE ON doctor_specialties
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_doctor_specialties_delete AFTER DELETE ON doctor_specialties
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_specialties_insert AFTER INSERT ON specialties
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_specialties_update AFTER UPDATE ON specialties
BEGIN UPDATE directory_version SET n = n + 1; END;
CREATE TRIGGER directory_specialties_delete AFTER DELETE ON specialties
BEGIN UPDATE directory_version SET n = n + 1; END;

PRAGMA user_version = 13;
