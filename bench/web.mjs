// web.mjs - the web app's budgets in headless Chromium (puppeteer-core,
// Debian's chromium) against the stack bench/web.sh seeded; writes
// bench/WEB.md.  Each figure is the median of RUNS runs.
//
//   BASE_URL=... WEEK=YYYY-MM-DD OUT=bench/WEB.md node bench/web.mjs
//
// 1. The front desk's week (#/desk/week?day=WEEK), logged in as the
//    reception, page already loaded: from setting the hash to every visit
//    of the week in the table (counted against the API), measured in the
//    page (performance.now(), polled each animation frame).  The time
//    until every patient's name is filled is reported beside it.
// 2. The booking page (#/doctor/{id}), a new visitor's first load at
//    phone width (t/web/firstload.mjs): bytes on the wire (compressed) and
//    the time from navigation until both the load event and the first
//    slot button.
// BENCH_TRACE=file: a Chrome performance trace of one week-view run.
import { createRequire } from 'node:module';
import { writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { firstLoad } from '../t/web/firstload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const require = createRequire(join(ROOT, 'tools', 'web', 'package.json'));
const puppeteer = require('puppeteer-core');

const BASE = process.env.BASE_URL;
const WEEK = process.env.WEEK;
const OUT = process.env.OUT || join(HERE, 'WEB.md');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const RUNS = 5;
const PW = 'Algeria123!';
const BUDGET = { weekMs: 500, bookKB: 150, bookMs: 1000 };
if (!BASE || !WEEK) {
	console.error('web.mjs: BASE_URL and WEEK are required');
	process.exit(2);
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const addDays = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);

async function api(method, path, body, token) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) headers.Authorization = `Bearer ${token}`;
	const res = await fetch(`${BASE}/api/v1${path}`, {
		method, headers, body: body === undefined ? undefined : JSON.stringify(body),
	});
	const env = await res.json();
	if (!env.success) throw new Error(`${method} ${path}: ${res.status} ${env.message}`);
	return env.data;
}

const loadBefore = loadavg();
const staff = (await api('POST', '/auth/login', { email: 'reception@example.dz', password: PW })).access_token;
const doctors = await api('GET', '/doctors?limit=100');
let visits = 0;
for (const d of doctors)
	visits += (await api('GET', `/appointments/doctor/${d.id}?from=${WEEK}&to=${addDays(WEEK, 7)}&limit=500`,
		undefined, staff)).length;

const browser = await puppeteer.launch({
	executablePath: CHROMIUM,
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const version = await browser.version();

// --- 1. the front desk's week ----------------------------------------------------

const desk = await browser.newPage();
await desk.setViewport({ width: 1280, height: 800 });
await desk.goto(`${BASE}/#/login`, { waitUntil: 'networkidle0' });
await desk.type('main [name="email"]', 'reception@example.dz');
await desk.type('main [name="password"]', PW);
await desk.click('main button[type="submit"]');
await desk.waitForSelector('main article[data-doctor]', { timeout: 20000 });

// One run: a fresh page (no patient names cached) on the day view of a
// quiet day, then the week, as by its link.  Answers [ms to every visit,
// ms to every name].
async function weekOnce() {
	await desk.goto(`${BASE}/?run=${Math.random()}#/desk?day=${addDays(WEEK, -14)}`, { waitUntil: 'load' });
	await desk.waitForSelector('main article[data-doctor]', { timeout: 20000 });
	// Settle, best effort: the live stream reconnects at times, and a
	// stream in flight never ends; the measure starts at the hash change.
	await desk.waitForNetworkIdle({ idleTime: 300, concurrency: 2, timeout: 5000 }).catch(() => {});
	const handle = await desk.waitForFunction((hash, n) => {
		if (!window.benchT0) {
			window.benchT0 = performance.now();
			location.hash = hash;
		}
		const cells = document.querySelectorAll('main table.week [data-appt]');
		if (cells.length < n)
			return false;
		if (!window.benchVisits)
			window.benchVisits = performance.now() - window.benchT0;
		for (const c of cells)
			if (c.querySelector('span[dir="auto"]').textContent === '…')
				return false;
		return [window.benchVisits, performance.now() - window.benchT0];
	}, { polling: 'raf', timeout: 60000 }, `#/desk/week?day=${WEEK}`, visits);
	const r = await handle.jsonValue();
	await desk.evaluate(() => { delete window.benchT0; delete window.benchVisits; });
	return r;
}

const week = [];
for (let i = 0; i < RUNS; i++)
	week.push(await weekOnce());
if (process.env.BENCH_TRACE) {
	await desk.tracing.start({ path: process.env.BENCH_TRACE, screenshots: false });
	await weekOnce();
	await desk.tracing.stop();
}
await desk.close();

// --- 2. the booking page, first load ----------------------------------------------

const bookDoctor = doctors.find((d) => d.last_name === 'Chekkal') || doctors[0];

const book = [];
for (let i = 0; i < RUNS; i++)
	book.push(await firstLoad(browser, `${BASE}/#/doctor/${bookDoctor.id}`, 'main .slots button'));
await browser.close();
const loadAfter = loadavg();

// --- the report -------------------------------------------------------------------

const weekMs = median(week.map((r) => r[0]));
const namesMs = median(week.map((r) => r[1]));
const bookKB = median(book.map((r) => r.bytes)) / 1024;
const bookMs = median(book.map((r) => r.ms));
const verdict = (v, max) => (v < max ? 'met' : 'MISSED');
const cpu = (os.cpus()[0] || {}).model || '?';
const md = `# Web app budgets (make bench-web)

Generated by bench/web.sh on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}.

Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()};
${version} headless (puppeteer-core), no CPU or network throttling, the
stack on the loopback (nginx, ${'spawn-fcgi'} workers, SQLite).
Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}.

Data: ${doctors.length} doctors, ${visits} visits in the week from ${WEEK}
(400 per doctor, 10-minute visits from 07:00 UTC, 1,000 patients).

Median of ${RUNS} runs:

| What | Figure | Target | |
|---|---|---|---|
| Front desk week (#/desk/week): navigation to all ${visits} visits rendered | ${weekMs.toFixed(0)} ms | < ${BUDGET.weekMs} ms | ${verdict(weekMs, BUDGET.weekMs)} |
| … and every patient's name filled in (no target) | ${namesMs.toFixed(0)} ms | | |
| Booking page first load (empty cache): bytes transferred | ${bookKB.toFixed(1)} KB | < ${BUDGET.bookKB} KB | ${verdict(bookKB, BUDGET.bookKB)} |
| Booking page first load: load event and slot list shown | ${bookMs} ms | < ${BUDGET.bookMs} ms | ${verdict(bookMs, BUDGET.bookMs)} |

Runs: week ${week.map((r) => r[0].toFixed(0)).join(', ')} ms (names ${week.map((r) => r[1].toFixed(0)).join(', ')} ms);
booking ${book.map((r) => r.ms).join(', ')} ms, ${book.map((r) => (r.bytes / 1024).toFixed(1)).join(', ')} KB.
`;
writeFileSync(OUT, md);
