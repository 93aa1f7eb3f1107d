-- seed.sql - demo data for a fresh clinic database (API.md §10).
-- DEMO ONLY: every account below has the password "Algeria123!"; never load
-- this file into a production database (medadm seed refuses a non-empty one).
-- Appointments are placed relative to the day of seeding, so the demo always
-- has upcoming visits and free slots.  The hash is the project's own scrypt.

INSERT INTO specialties (id, name, description) VALUES
 (1, 'Cardiologie', 'Heart and blood vessels'),
 (2, 'Dermatologie', 'Skin, hair and nails'),
 (3, 'Pédiatrie', 'Medical care of infants, children and adolescents'),
 (4, 'Gynécologie', 'Female reproductive health'),
 (5, 'ORL', 'Ear, nose and throat'),
 (6, 'Médecine interne', 'Diagnosis and care of adult diseases'),
 (7, 'Ophtalmologie', 'Eyes and vision'),
 (8, 'Neurologie', 'Brain, spinal cord and nerves'),
 (9, 'Orthopédie', 'Bones, joints and muscles'),
 (10, 'Diabétologie', 'Diabetes and metabolic disorders');

WITH v(id, email, role_id) AS (VALUES
 ('0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0001', 'admin@example.dz', 1),
 ('0b7e0c3e-6f3a-4c1d-9a55-2f0d7d1a0002', 'reception@example.dz', 4),
 ('1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001', 'amina.benali@example.dz', 3),
 ('1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0002', 'sofiane.rahmani@example.dz', 3),
 ('1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0003', 'sara.bouzid@example.dz', 3),
 ('1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0004', 'hakim.cheriet@example.dz', 3),
 ('2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0001', 'samir.bensalah@example.dz', 2),
 ('2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0002', 'nadia.khellaf@example.dz', 2),
 ('2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0003', 'yacine.chekkal@example.dz', 2),
 ('2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0004', 'lila.hamdani@example.dz', 2),
 ('2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0005', 'mourad.aitali@example.dz', 2))
INSERT INTO users (id, email, password_hash, role_id, is_active, is_superuser, token_version, created_at, updated_at)
SELECT id, email, '$scrypt$ln=15,r=8,p=3$RIveYLGC4dBllXKub/xJ4w$WqSK8jbnO3XyV/NSp9ng90bdbnmd/Unl3BVXHRCHwM8', role_id, 1, 0, 0, unixepoch(), unixepoch() FROM v;

INSERT INTO patients (id, user_id, first_name, last_name, phone, date_of_birth, gender, address, city, country,
    blood_type, allergies, chronic_conditions, medications, emergency_contact_name, emergency_contact_phone,
    created_at, updated_at) VALUES
 ('3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', '1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0001', 'Amina', 'Benali', '+213550100001',
  '1990-04-12', 'F', '12 rue Didouche Mourad', 'Alger', 'Algérie', 'A+', 'Pénicilline', NULL, NULL,
  'Karim Benali', '+213550100901', unixepoch(), unixepoch()),
 ('3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002', '1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0002', 'Sofiane', 'Rahmani', '+213550100002',
  '1985-09-30', 'M', '4 boulevard de la Soummam', 'Oran', 'Algérie', 'O+', NULL, 'Asthme', 'Salbutamol',
  'Leila Rahmani', '+213550100902', unixepoch(), unixepoch()),
 ('3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0003', '1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0003', 'Sara', 'Bouzid', '+213550100003',
  '1998-01-22', 'F', '27 rue Larbi Ben M''hidi', 'Constantine', 'Algérie', 'B-', NULL, NULL, NULL,
  'Nassim Bouzid', '+213550100903', unixepoch(), unixepoch()),
 ('3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0004', '1c2a8f4e-3b5d-4e6f-8a7b-9c0d1e2f0004', 'Hakim', 'Cheriet', '+213550100004',
  '1962-06-05', 'M', '8 cité des Oliviers', 'Blida', 'Algérie', 'AB+', 'Aspirine', 'Diabète de type 2', 'Metformine',
  'Samia Cheriet', '+213550100904', unixepoch(), unixepoch());

INSERT INTO doctors (id, user_id, first_name, last_name, phone, bio, years_experience, clinic_address, city, country,
    avg_rating, rating_count, created_at, updated_at) VALUES
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001', '2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0001', 'Samir', 'Bensalah', '+213560200001',
  'Cardiologue, suivi de l''hypertension et de l''insuffisance cardiaque.', 18, '3 place du 1er Novembre', 'Oran', 'Algérie',
  0, 0, unixepoch(), unixepoch()),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002', '2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0002', 'Nadia', 'Khellaf', '+213560200002',
  'Dermatologue, dermatologie pédiatrique et allergologie cutanée.', 11, '15 rue Hassiba Ben Bouali', 'Alger', 'Algérie',
  0, 0, unixepoch(), unixepoch()),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0003', '2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0003', 'Yacine', 'Chekkal', '+213560200003',
  'Pédiatre, vaccination et suivi de croissance.', 9, '2 avenue Aouati Mostefa', 'Constantine', 'Algérie',
  0, 0, unixepoch(), unixepoch()),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0004', '2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0004', 'Lila', 'Hamdani', '+213560200004',
  'Gynécologue-obstétricienne, suivi de grossesse.', 14, '40 boulevard Larbi Tebessi', 'Blida', 'Algérie',
  0, 0, unixepoch(), unixepoch()),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0005', '2d3b9a5f-4c6e-4f70-9b8c-0d1e2f3a0005', 'Mourad', 'Ait Ali', '+213560200005',
  'Oto-rhino-laryngologiste, chirurgie ORL de l''enfant et de l''adulte.', 21, '6 rue Abane Ramdane', 'Tizi Ouzou', 'Algérie',
  0, 0, unixepoch(), unixepoch());

INSERT INTO doctor_specialties (doctor_id, specialty_id) VALUES
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001', 1), ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001', 6),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0002', 2),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0003', 3),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0004', 4),
 ('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0005', 5);

-- Weekly windows (weekday 0 = Monday .. 6 = Sunday; seconds after local
-- midnight).  Every doctor works at least five days a week, so the coming
-- seven days always hold bookable slots.
WITH w(doctor, weekday, start_h, end_h) AS (VALUES
 (1, 0, 9, 12), (1, 0, 14, 17), (1, 1, 9, 12), (1, 1, 14, 17), (1, 2, 9, 12), (1, 3, 9, 12), (1, 3, 14, 17), (1, 4, 9, 12),
 (2, 6, 8.5, 12.5), (2, 0, 8.5, 12.5), (2, 1, 8.5, 12.5), (2, 2, 13.5, 16.5), (2, 3, 8.5, 12.5),
 (3, 5, 9, 13), (3, 6, 9, 13), (3, 0, 9, 13), (3, 1, 9, 13), (3, 2, 9, 13),
 (4, 0, 10, 16), (4, 1, 10, 16), (4, 2, 10, 16), (4, 3, 10, 16), (4, 4, 10, 13),
 (5, 6, 8, 12), (5, 1, 8, 12), (5, 3, 8, 12), (5, 4, 14, 18), (5, 5, 8, 12))
INSERT INTO doctor_availability (id, doctor_id, weekday, start_time, end_time, is_active, created_at, updated_at)
SELECT printf('5a6e2d8c-7f91-4ca3-8ebf-%012d', row_number() OVER ()),
       printf('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c%04d', doctor), weekday,
       CAST(start_h * 3600 AS INTEGER), CAST(end_h * 3600 AS INTEGER), 1, unixepoch(), unixepoch()
FROM w;

-- Appointments relative to the seeding day ('weekday N' is SQLite's N: 0 = Sunday).
WITH a(id, doctor, patient, day, hour, status, reason, cancel) AS (VALUES
 (1, 1, 1, date('now', '+1 day', 'weekday 1'), 9, 'SCHEDULED', 'Contrôle tension artérielle', NULL),
 (2, 2, 2, date('now', '+1 day', 'weekday 0'), 9, 'SCHEDULED', 'Eczéma persistant', NULL),
 (3, 4, 3, date('now', '+1 day', 'weekday 2'), 11, 'SCHEDULED', 'Consultation de suivi', NULL),
 (4, 3, 4, date('now', '+1 day', 'weekday 6'), 10, 'SCHEDULED', 'Vaccination du petit-fils', NULL),
 (5, 1, 1, date('now', '-14 days', 'weekday 1'), 10, 'COMPLETED', 'Douleurs thoraciques à l''effort', NULL),
 (6, 5, 4, date('now', '-14 days', 'weekday 4'), 9, 'CANCELLED', 'Otite', 'Empêchement du patient'),
 (7, 2, 3, date('now', '-21 days', 'weekday 3'), 14, 'COMPLETED', 'Acné', NULL))
INSERT INTO appointments (id, doctor_id, patient_id, start_time, end_time, reason, status, cancellation_reason,
    created_at, updated_at)
SELECT printf('6b7f3e9d-8a02-4db4-9fc0-%012d', id),
       printf('4f5d1c7b-6e80-4b92-9dae-2f3a4b5c%04d', doctor),
       printf('3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b%04d', patient),
       unixepoch(day, printf('+%d hours', hour)), unixepoch(day, printf('+%d hours', hour), '+30 minutes'),
       reason, status, cancel, unixepoch(), unixepoch()
FROM a;

INSERT INTO medical_records (id, patient_id, doctor_id, diagnosis, treatment_plan, prescription, notes,
    recorded_at, created_at, updated_at) VALUES
 ('7c804fae-9b13-4ec5-a0d1-000000000001', '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', '4f5d1c7b-6e80-4b92-9dae-2f3a4b5c0001',
  'Hypertension artérielle de stade 1', 'Règles hygiéno-diététiques, contrôle dans un mois', 'Amlodipine 5 mg, 1 cp/jour',
  'ECG normal', unixepoch(date('now', '-14 days', 'weekday 1'), '+10 hours', '+30 minutes'), unixepoch(), unixepoch());

INSERT INTO billings (id, patient_id, appointment_id, amount_cents, currency, description, status, created_at, updated_at) VALUES
 ('8d915abf-ac24-4fd6-b1e2-000000000001', '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', '6b7f3e9d-8a02-4db4-9fc0-000000000005',
  250000, 'DZD', 'Consultation de cardiologie + ECG', 'PAID', unixepoch(), unixepoch());

INSERT INTO insurance_policies (id, patient_id, provider_name, policy_number, coverage_details, created_at, updated_at) VALUES
 ('9ea26bc0-bd35-4ae7-82f3-000000000001', '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', 'CNAS', 'CNAS-16-0042-1990',
  'Remboursement 80 % des consultations', unixepoch(), unixepoch());

-- Search keys: the code keeps them on every write (lib/doctors.c).
UPDATE doctors SET first_name_key = med_fold(first_name), last_name_key = med_fold(last_name),
    city_key = med_fold(city);
UPDATE specialties SET name_key = med_fold(name);

-- Algeria's fixed-date public holidays, each on its next occurrence from
-- today (the lunar-calendar ones move every year: add them with medadm).
WITH h(n, md, name) AS (VALUES
    (1, '01-01', 'Nouvel An'), (2, '01-12', 'Yennayer'), (3, '05-01', 'Fête du Travail'),
    (4, '07-05', 'Fête de l''Indépendance'), (5, '11-01', 'Fête de la Révolution'))
INSERT INTO clinic_holidays (id, date, name, created_at)
SELECT 'b0c1d2e3-f405-4617-8829-00000000000' || n,
       CASE WHEN strftime('%Y-', 'now') || md > date('now') THEN strftime('%Y-', 'now') || md
            ELSE strftime('%Y-', 'now', '+1 year') || md END,
       name, unixepoch()
FROM h;
