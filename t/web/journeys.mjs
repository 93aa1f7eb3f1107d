// journeys.mjs - the clinic web app in headless Chromium against a real
// stack: the patient's journeys, asserting what the page shows AND what
// the API then holds; axe-core on every screen; screenshots at 360 px and
// 1280 px, in French, English and Arabic (right to left).
//
//   BASE_URL=http://127.0.0.1:PORT OUT=build/web-test node t/web/journeys.mjs
//
// Run by t/web-test.sh (make web-test), which starts the stack.
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstLoad } from './firstload.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const require = createRequire(join(ROOT, 'tools', 'web', 'package.json'));
const puppeteer = require('puppeteer-core');
const AXE = readFileSync(join(HERE, 'vendor', 'axe.min.js'), 'utf8');

const BASE = process.env.BASE_URL;
const STACK_DB = process.env.STACK_DB || '';
const OUT = process.env.OUT || join(ROOT, 'build', 'web-test');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PW = 'Algeria123!';
if (!BASE) {
	console.error('journeys.mjs: BASE_URL is required');
	process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const DL = join(OUT, 'downloads');
rmSync(DL, { recursive: true, force: true });
mkdirSync(DL, { recursive: true });
// An empty profile each run: no cookie or language left from the last one.
rmSync(join(OUT, 'profile'), { recursive: true, force: true });

let pass = 0, fail = 0;
const axeReport = [];
function ok(cond, what) {
	if (cond) {
		pass++;
		console.log(`ok   ${what}`);
	} else {
		fail++;
		console.log(`FAIL ${what}`);
	}
	return cond;
}

// --- the API as a test client sees it -------------------------------------

async function api(method, path, body, token) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) headers.Authorization = `Bearer ${token}`;
	const res = await fetch(`${BASE}/api/v1${path}`, {
		method, headers, body: body === undefined ? undefined : JSON.stringify(body),
	});
	const env = res.status === 204 ? null : await res.json();
	return { status: res.status, data: env && env.data, env };
}

async function token(email, password = PW) {
	const r = await api('POST', '/auth/login', { email, password });
	if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
	return r.data.access_token;
}

// --- the browser ------------------------------------------------------------

const browser = await puppeteer.launch({
	executablePath: CHROMIUM,
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
	userDataDir: join(OUT, 'profile'),
});
const page = await browser.newPage();
const problems = [];
page.on('console', (m) => {
	// Chromium logs every 4xx the journeys provoke on purpose; CSP
	// violations and script errors are what must not happen.
	if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
		problems.push(`console: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
const cdp = await page.createCDPSession();
await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: DL });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function idle() {
	await page.waitForNetworkIdle({ idleTime: 150, timeout: 10000 }).catch(() => {});
	await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'),
		{ timeout: 10000 }).catch(() => {});
}

async function go(hash) {
	await page.evaluate((h) => { location.hash = h; }, hash);
	await idle();
}

const text = () => page.evaluate(() => document.querySelector('main').innerText);
const h1 = () => page.$eval('main h1', (e) => e.textContent.trim()).catch(() => '');

async function waitText(s, timeout = 8000) {
	try {
		await page.waitForFunction((x) => document.querySelector('main') &&
			document.querySelector('main').innerText.includes(x), { timeout }, s);
		return true;
	} catch (e) {
		return false;
	}
}

// The page's heading once it reads s (a heading may name what is still
// loading, as a patient's name).
async function waitH1(s, timeout = 8000) {
	try {
		await page.waitForFunction((x) => { const e = document.querySelector('main h1');
			return e && e.textContent.trim() === x; }, { timeout }, s);
		return true;
	} catch (e) {
		return false;
	}
}

// Click the first element of selector whose text is (or contains) label.
// Retried: a list may re-render (and detach the element) under the click.
async function clickText(selector, label) {
	for (let attempt = 0; ; attempt++) {
		try {
			const els = await page.$$(selector);
			for (const el of els) {
				const t = await el.evaluate((e) => e.textContent.trim());
				if (t === label || t.includes(label)) {
					await el.click();
					return true;
				}
			}
			throw new Error(`no ${selector} "${label}"`);
		} catch (e) {
			if (attempt >= 3)
				throw e;
			await idle();
		}
	}
}

async function fill(name, value) {
	const sel = `main [name="${name}"]`;
	await page.$eval(sel, (e) => {
		e.value = '';
		e.dispatchEvent(new Event('input', { bubbles: true }));
	});
	if (value)
		await page.type(sel, value);
}

// axe-core on the current screen: zero serious or critical violations.
// Evaluated through the DevTools protocol, which the page's CSP does not
// govern, so the CSP stays on for everything the app itself does.
async function axe(label) {
	await page.evaluate(AXE);
	const r = await page.evaluate(async () => {
		const res = await window.axe.run(document, { resultTypes: ['violations'] });
		return res.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length,
			target: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
	});
	const bad = r.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	axeReport.push({ screen: label, violations: r.length, serious: bad.length, ids: r.map((v) => v.id) });
	ok(bad.length === 0, `axe ${label}: no serious/critical violation` +
		(bad.length ? ' ' + JSON.stringify(bad) : ''));
}

// The whole page: the viewport grown to the page's height (Chromium's own
// full-page capture shifts right-to-left pages once their direction
// changed in place).
async function shot(name) {
	const vp = page.viewport();
	await page.evaluate(() => window.scrollTo(0, 0));
	const height = await page.evaluate(() => document.documentElement.scrollHeight);
	await page.setViewport({ ...vp, height: Math.max(vp.height, Math.min(height, 8000)) });
	await page.screenshot({ path: join(OUT, `${name}.png`) });
	await page.setViewport(vp);
}

// Each main screen: axe, then screenshots at 360 px and 1280 px.
async function screen(name) {
	await idle();
	await axe(name);
	await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 1 });
	await idle();
	await shot(`${name}-360`);
	await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
	await idle();
	await shot(`${name}-1280`);
	await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 1 });
}

// The lines the header's items take: their distinct tops.
async function headerLines() {
	return page.evaluate(() => {
		const tops = [...document.querySelectorAll('header.bar nav li')]
			.filter((e) => e.getClientRects().length).map((e) => e.getBoundingClientRect().top).sort((a, b) => a - b);
		return tops.filter((y, i) => i === 0 || y - tops[i - 1] > 15).length;
	});
}

async function setLang(l) {
	await page.select('#lang-select', l);
	await idle();
}

// --- the catalogues -----------------------------------------------------------

// One catalogue per language, the same keys in each, and every key the
// code asks for present in French.
{
	const cat = {};
	for (const l of ['fr', 'en', 'ar'])
		cat[l] = (await import(join(ROOT, 'web', 'i18n', `${l}.js`))).default;
	const fr = Object.keys(cat.fr).sort().join();
	ok(Object.keys(cat.en).sort().join() === fr && Object.keys(cat.ar).sort().join() === fr,
		`the three catalogues have the same ${Object.keys(cat.fr).length} keys`);
	const code = readdirSync(join(ROOT, 'web', 'app')).map((f) =>
		readFileSync(join(ROOT, 'web', 'app', f), 'utf8')).join('\n');
	const used = [...code.matchAll(/\bt\('([a-z_]+\.[a-z_0-9]+)'/g)].map((m) => m[1]);
	const missing = used.filter((k) => !(k in cat.fr));
	ok(missing.length === 0, `every key the code uses is in the catalogue ${missing.join(' ')}`);
}

// --- budgets ---------------------------------------------------------------------

// First load of the booking page (a doctor's page), cold cache, at phone
// width: bytes on the wire (compressed) and time until the slots can be
// tapped.  The best of three loads (each with an empty cache): the
// machine running the tests is shared, the budget is the page's.
async function budget() {
	const runs = [];
	for (let i = 0; i < 3; i++)
		runs.push(await loadOnce());
	const bytes = Math.max(...runs.map((r) => r.bytes));
	const ms = Math.min(...runs.map((r) => r.ms));
	ok(bytes < 150 * 1024, `booking page first load: ${(bytes / 1024).toFixed(1)} KB transferred (budget 150 KB)`);
	ok(ms < 1000, `booking page interactive in ${ms} ms (budget 1000 ms; runs ${runs.map((r) => r.ms).join(', ')})`);
}

async function loadOnce() {
	const doctors = (await api('GET', '/doctors?name=chekkal')).data;
	return firstLoad(browser, `${BASE}/#/doctor/${doctors[0].id}`, 'main .slots button');
}

// --- the journeys -----------------------------------------------------------

try {
	await budget();

	await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 1 });
	await page.goto(`${BASE}/`, { waitUntil: 'networkidle0' });
	await idle();

	// French by default, left to right.
	ok(await page.$eval('html', (e) => e.lang) === 'fr', 'French by default');
	ok(await h1() === 'Trouver un médecin', 'search page title in French');
	await screen('search');

	// Find a doctor by specialty and city, typed without accents or case.
	await page.select('main select[name="specialty"]', 'Pédiatrie');
	await fill('city', 'CONSTANTINE');
	await idle();
	ok(await waitText('Dr Yacine Chekkal'), 'search by specialty and city finds Dr Yacine Chekkal');
	ok(!(await text()).includes('Samir Bensalah'), 'and not a cardiologist of Oran');
	await page.select('main select[name="specialty"]', '');
	await fill('city', '');
	await fill('name', 'bensalah');
	ok(await waitText('Dr Samir Bensalah'), 'search by name finds Dr Samir Bensalah');
	await idle();

	// Tap 1: the doctor.
	await clickText('main a[role="button"]', 'Voir les disponibilités');
	await idle();
	ok(await h1() === 'Dr Samir Bensalah', 'doctor page opens');
	const doctorId = (await page.evaluate(() => location.hash)).split('/').pop();
	const slots = (await api('GET', `/doctors/${doctorId}/availability/slots?days=14`)).data;
	ok(slots.length > 3, `the API offers ${slots.length} slots`);
	const firstLabel = await page.$eval('main .slots button', (b) => b.textContent);
	ok(await page.$$eval('main .day', (d) => d.length) === 4, 'a few days at first');
	await screen('doctor');
	while (await page.$('main button.more-days'))
		await clickText('main button', 'Plus de jours');
	ok((await page.$$('main .slots button')).length === slots.length,
		`"more days" shows every free slot of the API (${slots.length})`);
	const zone = (await api('GET', '/clinic')).data.timezone;
	ok(firstLabel === await page.evaluate((iso, zone) => new Intl.DateTimeFormat('fr-FR',
		{ timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso)),
		slots[0].start_time, zone), `the first slot is the API's first, in the clinic's zone (${firstLabel})`);
	const slotButtons = await page.$$('main .slots button');

	// Anonymous: picking a slot asks to log in, and comes back here.
	await slotButtons[0].click();
	ok(await waitText('Se connecter pour réserver'), 'anonymous booking asks to log in');
	await clickText('main a[role="button"]', 'Se connecter pour réserver');
	await idle();
	ok(await h1() === 'Connexion', 'login page');
	await screen('login');
	await clickText('main a', 'Créer un compte');
	await idle();
	ok(await h1() === 'Créer un compte patient', 'register page');
	await screen('register');

	// Register: a new patient account with its profile.
	const email = `web.${Date.now()}@example.dz`;
	await fill('first_name', 'Lina');
	await fill('last_name', 'Haddad');
	await fill('phone', '0550123456');
	await fill('email', email);
	await fill('password', 'short');
	await clickText('main button[type="submit"]', 'Créer mon compte');
	ok(await waitText('8 caractères au moins'), 'a short password is refused in the page');
	await fill('password', 'Lina-Secret-2026');
	await clickText('main button[type="submit"]', 'Créer mon compte');
	await idle();
	ok(await h1() === 'Dr Samir Bensalah', 'after registering, back on the doctor page');
	const lina = await token(email, 'Lina-Secret-2026');
	const me = await api('GET', '/patients/me', undefined, lina);
	ok(me.status === 200 && me.data.first_name === 'Lina' && me.data.last_name === 'Haddad',
		'API: the account has its patient profile');

	// Taps 2 and 3: a slot, confirm.
	let buttons = await page.$$('main .slots button');
	await buttons[1].click();
	await page.type('main [name="reason"]', 'Contrôle annuel');
	await clickText('main button', 'Confirmer le rendez-vous');
	ok(await waitText('Rendez-vous confirmé'), 'booking confirmed on the page');
	ok(await h1() === 'Mes rendez-vous', 'and my visits open');
	let mine = (await api('GET', '/appointments/me', undefined, lina)).data;
	ok(mine.length === 1 && mine[0].status === 'SCHEDULED' && mine[0].start_time === slots[1].start_time &&
		mine[0].doctor_id === doctorId && mine[0].reason === 'Contrôle annuel',
		'API: one SCHEDULED visit at the chosen slot, with its reason');
	ok((await text()).includes('Dr Samir Bensalah'), 'my visits name the doctor');
	await screen('visits');

	// Someone else takes the slot between the pick and the confirm: 409,
	// the slots are refreshed and the page says so.
	await go('#/doctor/' + doctorId);
	buttons = await page.$$('main .slots button');
	const contested = await buttons[2].evaluate((e) => e.getAttribute('aria-label'));
	await buttons[2].click();
	const sofiane = await token('sofiane.rahmani@example.dz');
	const taken = await api('POST', '/appointments', { doctor_id: doctorId,
		start_time: slots[3].start_time, end_time: slots[3].end_time }, sofiane);
	ok(taken.status === 201, 'API: another patient books slot 4');
	// slot 3 of the page is slots[2] of the API (slots[1] is Lina's now)
	const other = await api('POST', '/appointments', { doctor_id: doctorId,
		start_time: slots[2].start_time, end_time: slots[2].end_time },
		await token('sara.bouzid@example.dz'));
	ok(other.status === 201, 'API: another patient takes the slot the page has picked');
	await clickText('main button', 'Confirmer le rendez-vous');
	ok(await waitText('vient d\'être pris'), '409: the page says the slot was just taken');
	await idle();
	const labels = await page.$$eval('main .slots button', (bs) => bs.map((b) => b.getAttribute('aria-label')));
	ok(!labels.includes(contested), 'and the taken slot is gone from the refreshed list');
	mine = (await api('GET', '/appointments/me', undefined, lina)).data;
	ok(mine.length === 1, 'API: still one visit for the patient');

	// Reschedule to another slot.
	await go('#/visits');
	await clickText('main a[role="button"]', 'Déplacer');
	await idle();
	ok(await h1() === 'Déplacer un rendez-vous', 'reschedule page');
	const freeNow = (await api('GET', `/doctors/${doctorId}/availability/slots?days=14`)).data;
	const target = freeNow[2];
	const targetLabel = await page.$$eval('main .slots button', (bs, i) => bs[i].getAttribute('aria-label'), 2);
	await (await page.$$('main .slots button'))[2].click();
	await clickText('main button', 'Déplacer à ce créneau');
	ok(await waitText('Rendez-vous déplacé'), 'reschedule confirmed on the page');
	mine = (await api('GET', '/appointments/me', undefined, lina)).data;
	ok(mine.length === 1 && mine[0].start_time === target.start_time && mine[0].status === 'SCHEDULED',
		`API: the visit moved to ${target.start_time} (${targetLabel})`);
	await screen('reschedule-done');

	// Add to calendar: an .ics file for the visit.
	await clickText('main button', 'Ajouter au calendrier');
	let ics = null;
	for (let i = 0; i < 40 && !ics; i++) {
		await sleep(100);
		const f = readdirSync(DL).find((n) => n.endsWith('.ics'));
		if (f) ics = readFileSync(join(DL, f), 'utf8');
	}
	const stamp = (iso) => iso.replace(/[-:]/g, '');
	ok(ics && ics.includes('BEGIN:VCALENDAR') && ics.includes(`DTSTART:${stamp(target.start_time)}`) &&
		ics.includes('SUMMARY:Rendez-vous : Dr Samir Bensalah'), 'add to calendar downloads the visit as .ics');

	// The session survives a reload: the refresh cookie (HttpOnly, Secure)
	// is kept by Chromium on http://127.0.0.1, a secure context.
	const cookies = await page.cookies(`${BASE}/api/v1/auth/refresh`);
	const c = cookies.find((x) => x.name === 'med_refresh');
	ok(c && c.httpOnly && c.secure && c.sameSite === 'Strict' && c.path === '/api/v1/auth',
		'refresh cookie: HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth');
	ok(await page.evaluate(() => !document.cookie.includes('med_refresh')), 'the page cannot read it');
	ok(await page.evaluate(() => Object.keys(localStorage).every((k) => k === 'lang')),
		'nothing but the language in localStorage');
	await page.reload({ waitUntil: 'networkidle0' });
	await idle();
	ok(await h1() === 'Mes rendez-vous' && (await text()).includes('Dr Samir Bensalah'),
		'after a reload the session is back from the cookie');

	// Cancel with a reason.
	await clickText('main button', 'Annuler');
	await fill('cancellation_reason', 'Empêchement');
	await clickText('main button', 'Confirmer l\'annulation');
	ok(await waitText('Rendez-vous annulé'), 'cancellation confirmed on the page');
	mine = (await api('GET', '/appointments/me', undefined, lina)).data;
	ok(mine.length === 1 && mine[0].status === 'CANCELLED' && mine[0].cancellation_reason === 'Empêchement',
		'API: the visit is CANCELLED with its reason');
	ok(await waitText('Annulé'), 'the page lists it as cancelled');

	// The waitlist: Lina joins Dr Samir's list from his page; another
	// patient's visit is cancelled (through the API, as at the desk); the
	// freed time is offered to Lina and held for her; she takes it from
	// the offer's page (the link of the offer mail).
	await go('#/doctor/' + doctorId);
	await clickText('main a', 'liste d\'attente');
	ok(await waitH1('Liste d\'attente'), 'waitlist: the page opens from the doctor page');
	await clickText('main button[type="submit"]', 'M\'inscrire');
	ok(await waitText('Vous êtes sur la liste d\'attente'), 'waitlist: joining is said on the page');
	let wl = (await api('GET', '/waitlist/me', undefined, lina)).data;
	ok(wl.length === 1 && wl[0].status === 'WAITING' && wl[0].doctor_id === doctorId,
		'API: Lina has one WAITING entry for Dr Samir');
	await screen('waitlist');
	await setLang('ar');
	// Leaving the list sits at the end of its entry's row: the left, in Arabic.
	ok(await page.$eval('main .waitlist > li', (li) => Math.abs(li.querySelector(':scope > button')
		.getBoundingClientRect().left - li.getBoundingClientRect().left) < 2),
		'ar: "leave the list" at the end (left) of its entry');
	await screen('waitlist-ar');
	await setLang('fr');
	const deskW = await token('reception@example.dz');
	const freeW = (await api('GET', `/doctors/${doctorId}/availability/slots?days=14`)).data;
	const freedW = await api('POST', '/appointments', { doctor_id: doctorId,
		patient_id: '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002', start_time: freeW[3].start_time,
		end_time: freeW[3].end_time }, deskW);
	ok(freedW.status === 201 && (await api('POST', `/appointments/${freedW.data.id}/cancel`, {}, deskW)).status === 200,
		'API: the desk books another patient, then cancels');
	wl = (await api('GET', '/waitlist/me', undefined, lina)).data;
	ok(wl[0].offer && wl[0].offer.status === 'HELD' && wl[0].offer.start_time === freeW[3].start_time,
		'API: the freed time is held for Lina');
	await go('#/waitlist/offers/' + wl[0].offer.id);
	ok(await waitText('Un créneau s\'est libéré'), 'waitlist: the offer shows on its page');
	await screen('waitlist-offer');
	await setLang('ar');
	await screen('waitlist-offer-ar');
	await setLang('fr');
	await clickText('main button', 'Prendre ce créneau');
	ok(await waitText('Rendez-vous pris'), 'waitlist: taking the time is said');
	mine = (await api('GET', '/appointments/me', undefined, lina)).data;
	ok(mine.some((a) => a.status === 'SCHEDULED' && a.start_time === freeW[3].start_time),
		'API: Lina has the freed time');
	ok((await api('GET', '/waitlist/me', undefined, lina)).data[0].status === 'BOOKED',
		'API: her entry is BOOKED');
	// What the clinic told Lina is in the app too: her booking, her
	// cancellation, the waitlist offer; read all.
	await go('#/notifications');
	ok(await waitH1('Mes notifications') && await waitText('Un créneau'),
		'notifications: the waitlist offer is listed');
	const notes = (await api('GET', '/notifications?unread=true', undefined, lina)).data;
	ok(notes.length >= 3 && notes.some((n) => n.kind === 'waitlist_offer'),
		`API: Lina has ${notes.length} unread notifications, the offer among them`);
	ok(await page.$$eval('main article.unread', (a) => a.length) === notes.length,
		'the page marks each unread one');
	const offerNote = notes.find((n) => n.kind === 'waitlist_offer');
	ok(offerNote.title.includes('Dr Samir Bensalah') && offerNote.body.includes('Dr Samir Bensalah') &&
		!offerNote.body.includes('\n') && offerNote.body.length < 160,
		`API: the offer's notification names Dr Samir Bensalah, in one line (${offerNote.body})`);
	await screen('notifications');
	await setLang('ar');
	// A French message in the Arabic page: its title a line of its own,
	// above the date, not mixed into the date's right-to-left line.
	ok(await page.$eval(`main article[data-notification="${offerNote.id}"] header`, (h) =>
		h.querySelector('strong').getBoundingClientRect().bottom <= h.querySelector('small').getBoundingClientRect().top + 1),
		'ar: a notification\'s title sits above its date');
	await screen('notifications-ar');
	await setLang('fr');
	await clickText('main button', 'Tout marquer comme lu');
	ok(await waitText('Toutes les notifications sont lues'), 'notifications: read-all is said');
	ok((await api('GET', '/notifications?unread=true', undefined, lina)).data.length === 0,
		'API: none unread');
	// Given back (through the API): the journeys below count Lina's visits.
	const tookW = mine.find((a) => a.status === 'SCHEDULED' && a.start_time === freeW[3].start_time);
	ok((await api('POST', `/appointments/${tookW.id}/cancel`, {}, lina)).status === 200,
		'API: Lina gives the time back');

	// Records, bills, profile.
	const staff = await token('reception@example.dz');
	const bill = await api('POST', '/billing', { patient_id: me.data.id, amount: 2500, currency: 'DZD',
		description: 'Consultation' }, staff);
	ok(bill.status === 201, 'API: the front desk bills the patient');
	// An access token refused once (as when it expires): the page refreshes
	// the session from the cookie and retries, the person sees nothing.
	let refused = 0, refreshed = 0;
	await page.setRequestInterception(true);
	const once = (req) => {
		if (req.url().endsWith('/api/v1/billing/me?limit=200') && refused === 0) {
			refused++;
			req.respond({ status: 401, contentType: 'application/json',
				headers: { 'WWW-Authenticate': 'Bearer' },
				body: '{"success":false,"data":null,"message":"Token expired"}' });
			return;
		}
		if (req.url().endsWith('/api/v1/auth/refresh'))
			refreshed++;
		req.continue();
	};
	page.on('request', once);
	await go('#/bills');
	ok(await waitText('Consultation'), 'my bills show the bill');
	ok(refused === 1 && refreshed === 1, '401 once: one refresh, the retry shows the bills');
	page.off('request', once);
	await page.setRequestInterception(false);
	await screen('bills');
	await go('#/records');
	ok(await h1() === 'Mon dossier médical', 'my records page');
	await screen('records');
	await go('#/profile');
	ok(await page.$eval('main [name="first_name"]', (e) => e.value) === 'Lina', 'profile shows my name');
	await fill('city', 'Béjaïa');
	await clickText('main button[type="submit"]', 'Enregistrer');
	ok(await waitText('Profil enregistré'), 'profile saved on the page');
	ok((await api('GET', '/patients/me', undefined, lina)).data.city === 'Béjaïa', 'API: the city is saved');
	await screen('profile');

	// English, then Arabic right to left.
	await go('#/visits');
	const frLines = await headerLines();
	ok(page.viewport().width === 360 && frLines <= 2,
		`fr, 360 px: a patient's header takes ${frLines} lines (at most 2)`);
	await setLang('en');
	ok(await h1() === 'My visits' && await page.$eval('html', (e) => e.lang) === 'en', 'English');
	await screen('visits-en');
	const localeSaved = page.waitForResponse((r) => r.url().endsWith('/api/v1/users/me') &&
		r.request().method() === 'PATCH', { timeout: 5000 });
	await setLang('ar');
	const localeRes = await localeSaved;
	ok(localeRes.status() === 200 && JSON.parse(localeRes.request().postData()).locale === 'ar',
		'Arabic: the choice is saved for her messages (PATCH /users/me, locale ar)');
	ok(await page.$eval('html', (e) => e.dir) === 'rtl' && await h1() === 'مواعيدي', 'Arabic, right to left');
	const arLines = await headerLines();
	ok(page.viewport().width === 360 && arLines <= 2,
		`ar, 360 px: a patient's header takes ${arLines} lines (at most 2)`);
	await screen('visits-ar');
	await go('#/doctor/' + doctorId);
	await screen('doctor-ar');
	await go('#/');
	await screen('search-ar');
	await setLang('fr');

	// Offline: a banner, not a broken page.
	await page.setOfflineMode(true);
	await go('#/bills');
	ok(await waitText('hors ligne'), 'offline: the banner says so');
	await shot('offline-360');
	await page.setOfflineMode(false);

	// Log out: both tokens gone; a reload stays logged out.
	await go('#/');
	await clickText('header button', 'Se déconnecter');
	await idle();
	ok(await page.$('header a[href="#/login"]') !== null, 'logged out: the header offers to log in');
	ok(!(await page.cookies(`${BASE}/api/v1/auth/refresh`)).some((x) => x.name === 'med_refresh'),
		'logout cleared the cookie');
	await page.reload({ waitUntil: 'networkidle0' });
	await idle();
	ok(await page.$('header a[href="#/login"]') !== null, 'after a reload, still logged out');

	// A private page asks to log in; wrong credentials are said plainly.
	await go('#/visits');
	ok(await h1() === 'Connexion', 'my visits without a session: the login page');
	await fill('email', email);
	await fill('password', 'wrong-password');
	await clickText('main button[type="submit"]', 'Se connecter');
	ok(await waitText('E-mail ou mot de passe incorrect'), 'wrong password: said plainly');
	await fill('password', 'Lina-Secret-2026');
	await clickText('main button[type="submit"]', 'Se connecter');
	await idle();
	ok(await h1() === 'Mes rendez-vous', 'logging in goes back to my visits');

	// Keyboard only: Tab to a slot, Enter picks it and moves the focus to
	// the confirm button, Enter books.
	await go('#/doctor/' + doctorId);
	let onSlot = false;
	for (let i = 0; i < 60 && !onSlot; i++) {
		await page.keyboard.press('Tab');
		onSlot = await page.evaluate(() => !!document.activeElement.closest('.slots'));
	}
	ok(onSlot, 'keyboard: Tab reaches the slots');
	const kbSlot = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
	await page.keyboard.press('Enter');
	await page.waitForFunction(() => document.activeElement.textContent.includes('Confirmer le rendez-vous'),
		{ timeout: 5000 }).catch(() => {});
	ok(await page.evaluate(() => document.activeElement.textContent.includes('Confirmer le rendez-vous')),
		'keyboard: Enter on a slot moves the focus to the confirm button');
	await page.keyboard.press('Enter');
	ok(await waitText('Rendez-vous confirmé'), `keyboard: Enter books (${kbSlot})`);
	mine = (await api('GET', '/appointments/me', undefined, await token(email, 'Lina-Secret-2026'))).data;
	ok(mine.filter((a) => a.status === 'SCHEDULED').length === 1, 'API: the keyboard booking is there');

	// The session is ended elsewhere (a password change ends them all):
	// the next call gets a 401, the one refresh fails too, and the login
	// page says why.
	const ch = await api('PATCH', '/users/me', { password: 'Lina-Secret-2027' },
		await token(email, 'Lina-Secret-2026'));
	ok(ch.status === 200, 'API: the password is changed elsewhere');
	await go('#/bills');
	ok(await waitText('session a expiré') && await h1() === 'Connexion',
		'a dead session: the login page says the session ended');

	// The front desk: log in, the day of every doctor, book on behalf of a
	// patient found by name, see it in the doctor's day, cancel it.
	await go('#/login');
	await fill('email', 'reception@example.dz');
	await fill('password', PW);
	await clickText('main button[type="submit"]', 'Se connecter');
	await idle();
	ok(await h1() === 'Accueil : la journée', 'staff: the desk opens after login');
	ok(await page.$$eval('main article[data-doctor]', (a) => a.length) === 5, 'the desk shows the five doctors');
	await clickText('main a[role="button"]', 'Prendre un rendez-vous');
	await idle();
	const deskDoctor = (await page.evaluate(() => location.hash)).split('/').pop().split('?')[0];
	await fill('find_patient', 'amina');
	await clickText('main .desk-patients button', 'Amina Benali');
	await idle();
	const deskSlots = (await api('GET', `/doctors/${deskDoctor}/availability/slots?days=14`)).data;
	await (await page.$('main .slots button')).click();
	await clickText('main button', 'Confirmer le rendez-vous');
	ok(await waitText('Rendez-vous pris pour Amina Benali'), 'staff: booked on behalf, said on the desk');
	const deskDay = (await page.evaluate(() => location.hash)).split('day=')[1];
	const staffTok = await token('reception@example.dz');
	const deskRes = await api('GET', `/appointments/doctor/${deskDoctor}?from=${deskDay}&limit=50`,
		undefined, staffTok);
	const deskList = deskRes.data || [];
	if (deskRes.status !== 200)
		console.log(`# ${deskDoctor} ${deskDay}: ${deskRes.status} ${JSON.stringify(deskRes.env)}`);
	const booked = deskList.find((a) => a.start_time === deskSlots[0].start_time && a.status === 'SCHEDULED');
	ok(booked && booked.patient_id === '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001',
		'API: the visit is Amina\'s, at the first free slot');
	ok(await page.$(`main li[data-appt="${booked && booked.id}"]`) !== null &&
		(await text()).includes('Amina Benali'), 'the desk lists it in the doctor\'s day, with the patient\'s name');
	await screen('desk');
	await setLang('ar');
	await screen('desk-ar');
	await setLang('fr');
	// Move it by form: another free slot of the same doctor.
	await clickText(`main li[data-appt="${booked.id}"] a[role="button"]`, 'Déplacer');
	await idle();
	ok(await h1() === 'Déplacer un rendez-vous' && (await text()).includes('Amina Benali'),
		'staff: the move form names the patient');
	await screen('desk-move');
	const moveTo = (await api('GET', `/doctors/${deskDoctor}/availability/slots?days=14`)).data[1];
	await (await page.$$('main .slots button'))[1].click();
	await clickText('main button', 'Déplacer à ce créneau');
	ok(await waitText('Rendez-vous déplacé'), 'staff: the move is confirmed on the desk');
	const moved = (await api('GET', `/appointments/${booked.id}`, undefined, staffTok)).data;
	ok(moved.start_time === moveTo.start_time && moved.status === 'SCHEDULED',
		`API: the visit moved to ${moveTo.start_time}`);
	await page.waitForSelector(`main li[data-appt="${booked.id}"]`, { timeout: 8000 }).catch(() => {});
	await clickText(`main li[data-appt="${booked.id}"] button`, 'Annuler');
	await page.type(`main li[data-appt="${booked.id}"] [name="cancellation_reason"]`, 'Appel du patient');
	await clickText(`main li[data-appt="${booked.id}"] button`, 'Confirmer l\'annulation');
	ok(await waitText('Rendez-vous annulé'), 'staff: cancelled from the desk');
	const after = (await api('GET', `/appointments/${booked.id}`, undefined, staffTok)).data;
	ok(after.status === 'CANCELLED' && after.cancellation_reason === 'Appel du patient',
		'API: CANCELLED with the front desk\'s reason');

	// Live updates: a booking made elsewhere (here through the API, as by
	// another desk) appears on this open day without a reload.
	await page.evaluate(() => { window.medNoReload = 1; });
	ok(await page.waitForFunction(() => document.querySelector('[data-live="on"]') !== null,
		{ timeout: 10000 }).then(() => true, () => false), 'the desk says it is live');
	const liveRes = await api('POST', '/appointments', { doctor_id: deskDoctor,
		patient_id: '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', start_time: deskSlots[0].start_time,
		end_time: deskSlots[0].end_time }, staffTok);
	ok(liveRes.status === 201, 'API: another desk books the freed slot');
	const liveId = liveRes.data && liveRes.data.id;
	ok(await page.waitForFunction((id) => document.querySelector(`main li[data-appt="${id}"]`) !== null,
		{ timeout: 5000 }, liveId).then(() => true, () => false) &&
		await page.evaluate(() => window.medNoReload === 1),
		'live: the booking appears on the open desk without a reload');
	await screen('desk-live');
	// Check-in and no-show on visits that have begun: two visits booked
	// through the API, then moved into the past in the stack's database
	// (the API books only future times, and the test owns no clock).
	if (STACK_DB) {
		const free = (await api('GET', `/doctors/${deskDoctor}/availability/slots?days=14`)).data;
		const mk = async (s) => (await api('POST', '/appointments', { doctor_id: deskDoctor,
			patient_id: '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002', start_time: s.start_time, end_time: s.end_time },
			staffTok)).data.id;
		const arrive = await mk(free[0]), absent = await mk(free[1]);
		const past = Math.floor(Date.now() / 1000) - 2 * 3600;
		execFileSync('sqlite3', [STACK_DB,
			`UPDATE appointments SET start_time = ${past}, end_time = ${past + 1800} WHERE id = '${arrive}';` +
			`UPDATE appointments SET start_time = ${past + 1800}, end_time = ${past + 3600} WHERE id = '${absent}';`]);
		const dayOf = (id) => api('GET', `/appointments/${id}`, undefined, staffTok).then((r) =>
			new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
				.format(new Date(r.data.start_time)));
		await go('#/desk?day=' + await dayOf(arrive));
		await clickText(`main li[data-appt="${arrive}"] button`, 'Arrivée');
		ok(await waitText('Arrivée enregistrée'), 'staff: check-in said on the desk');
		ok((await api('GET', `/appointments/${arrive}`, undefined, staffTok)).data.status === 'ARRIVED',
			'API: the visit is ARRIVED');
		ok(await page.$eval(`main li[data-appt="${arrive}"] .status`, (e) => e.textContent) === 'Arrivé',
			'the desk shows the patient arrived');
		await go('#/desk?day=' + await dayOf(absent));
		const before = (await api('GET', '/patients/3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002', undefined, staffTok)).data;
		await clickText(`main li[data-appt="${absent}"] button`, 'Absent');
		ok(await waitText('Absence enregistrée'), 'staff: no-show said on the desk');
		ok((await api('GET', `/appointments/${absent}`, undefined, staffTok)).data.status === 'NO_SHOW',
			'API: the visit is NO_SHOW');
		const afterNs = (await api('GET', '/patients/3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0002', undefined, staffTok)).data;
		ok(afterNs.no_show_count === before.no_show_count + 1, 'API: the patient\'s no-show count went up');
		ok(await page.$eval(`main li[data-appt="${absent}"] .status`, (e) => e.textContent) === 'Absent',
			'the desk shows the no-show');
		await screen('desk-checkin');
	} else {
		console.log('# skip: check-in and no-show need the stack\'s database (STACK_DB)');
	}
	// A future visit offers no no-show.
	const futureLi = await page.$$eval('main li[data-appt]', (ls) => ls.length);
	await go('#/desk/week?day=' + deskDay);
	ok(await h1() === 'Accueil : la semaine' && await page.$$eval('main tr[data-doctor]', (r) => r.length) === 5,
		`the week view shows the five doctors (${futureLi} visits on the last day)`);
	ok(await page.$(`main tr[data-doctor="${deskDoctor}"] [data-appt="${booked.id}"]`) !== null,
		'the week view lists the visit booked at the desk');
	ok(await page.waitForFunction((sel) => { const e = document.querySelector(sel);
		return e && e.innerText.includes('Amina Benali'); }, { timeout: 8000 },
	`main tr[data-doctor="${deskDoctor}"] [data-appt="${booked.id}"]`).then(() => true, () => false),
		'the week view names the visit\'s patient');
	await screen('desk-week');
	// A walk-in: the desk registers the patient (account, profile and the
	// invitation mail), then books a visit for them at once; the booking
	// page's patient finder finds them too.
	const walkin = `walkin.${Date.now()}@example.dz`;
	await go('#/desk');
	await clickText('main a[role="button"]', 'Nouveau patient');
	await idle();
	ok(await h1() === 'Nouveau patient', 'staff: the new patient form opens from the desk');
	await fill('email', walkin);
	await fill('first_name', 'Yasmine');
	await fill('last_name', 'Kaci');
	await fill('phone', '+213555987654');
	const dob = await page.$$('main fieldset.date-field select');
	await dob[0].select('5');
	await dob[1].select('7');
	await dob[2].select('1988');
	await screen('desk-new-patient');
	await clickText('main button[type="submit"]', 'Enregistrer le patient');
	ok(await waitText('Patient enregistré : Yasmine Kaci'), 'staff: the registration is said on the page');
	const walkinPt = ((await api('GET', '/patients?limit=1000', undefined, staffTok)).data || [])
		.find((x) => x.first_name === 'Yasmine' && x.last_name === 'Kaci');
	ok(walkinPt && walkinPt.phone === '+213555987654' && walkinPt.date_of_birth === '1988-07-05',
		'API: the walk-in\'s profile, phone and date of birth');
	ok((await api('POST', '/auth/login', { email: walkin, password: PW })).status === 401,
		'API: no password opens the invited account yet');
	if (STACK_DB)
		ok(execFileSync('sqlite3', [STACK_DB, `SELECT count(*) FROM outbox WHERE kind = 'patient_invite'` +
			` AND recipient = '${walkin}'`]).toString().trim() === '1', 'the invitation mail is in the outbox');
	await screen('desk-new-patient-done');
	await page.click(`main [data-patient] a[href^="#/desk/book/${deskDoctor}?"]`);
	await idle();
	ok(await waitText('Pour Yasmine Kaci'), 'staff: the booking page has the new patient picked');
	await clickText('main button', 'Changer');
	await fill('find_patient', 'kaci');
	await clickText('main .desk-patients button', 'Yasmine Kaci');
	await idle();
	ok(await waitText('Pour Yasmine Kaci'), 'staff: the patient finder finds the new patient');
	const walkinSlot = (await api('GET', `/doctors/${deskDoctor}/availability/slots?days=14`)).data[0];
	await (await page.$('main .slots button')).click();
	await clickText('main button', 'Confirmer le rendez-vous');
	ok(await waitText('Rendez-vous pris pour Yasmine Kaci'), 'staff: booked for the walk-in, said on the desk');
	const walkinVisits = (await api('GET', `/appointments/doctor/${deskDoctor}?limit=500`, undefined, staffTok)).data || [];
	ok(walkinPt && walkinVisits.some((a) => a.patient_id === walkinPt.id && a.status === 'SCHEDULED' &&
		a.start_time === walkinSlot.start_time), 'API: the walk-in\'s visit, at the first free slot');
	await screen('desk-walkin-booked');
	// Billing: find the patient, bill, mark paid, add a policy, file a claim.
	const amina = '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001';
	await go('#/billing');
	await fill('find_patient', 'benali');
	await clickText('main .desk-patients button', 'Amina Benali');
	await idle();
	ok(await waitH1('Facturation : Amina Benali'), 'staff: the patient\'s billing');
	await fill('description', 'Échographie');
	await fill('amount', '3200');
	await clickText('main button[type="submit"]', 'Facturer');
	ok(await waitText('Facture créée'), 'staff: the bill is created on the page');
	let abills = (await api('GET', `/billing/patient/${amina}?limit=50`, undefined, staffTok)).data;
	const echo = abills.find((b) => b.description === 'Échographie');
	ok(echo && echo.amount === 3200 && echo.status === 'PENDING', 'API: the bill, 3200, due');
	await page.select(`main li[data-bill="${echo.id}"] select`, 'PAID');
	ok(await waitText('Facture mise à jour'), 'staff: marked paid on the page');
	ok((await api('GET', `/billing/${echo.id}`, undefined, staffTok)).data.status === 'PAID', 'API: the bill is PAID');
	await fill('provider_name', 'CASNOS');
	await fill('policy_number', 'CASNOS-16-7788');
	await clickText('main button[type="submit"]', 'Ajouter l\'assurance');
	ok(await waitText('Assurance ajoutée'), 'staff: the policy is added on the page');
	const pols = (await api('GET', `/billing/policies/patient/${amina}`, undefined, staffTok)).data;
	const casnos = pols.find((x) => x.policy_number === 'CASNOS-16-7788');
	ok(casnos && casnos.provider_name === 'CASNOS', 'API: the policy is there');
	await page.waitForSelector(`main article[data-policy="${casnos.id}"] select[name="claim_bill"]`, { timeout: 8000 });
	await page.select(`main article[data-policy="${casnos.id}"] select[name="claim_bill"]`, echo.id);
	await clickText(`main article[data-policy="${casnos.id}"] button`, 'Déposer une demande');
	ok(await waitText('Demande déposée'), 'staff: the claim is filed on the page');
	const claims = (await api('GET', `/billing/claims/policy/${casnos.id}`, undefined, staffTok)).data;
	ok(claims.length === 1 && claims[0].billing_id === echo.id && claims[0].status === 'PENDING',
		'API: one claim for the bill, pending');
	await screen('desk-billing');
	await setLang('ar');
	await screen('desk-billing-ar');
	await go('#/desk/week?day=' + deskDay);
	await screen('desk-week-ar');
	await setLang('fr');

	// Dates in the page's language, not the browser's: no numeric date.
	await go('#/desk?day=' + deskDay);
	const dayLabel = await page.$eval('#day-nav', (s) => s.options[s.selectedIndex].textContent);
	ok(dayLabel === await page.evaluate((d, z) => new Intl.DateTimeFormat('fr-FR', { timeZone: z,
		weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(d + 'T12:00:00Z')), deskDay, zone),
		`the desk's day is written in French (${dayLabel})`);
	await clickText('header button', 'Se déconnecter');
	await idle();

	// A doctor: the day's visits, write a record that completes the visit,
	// edit it, the chart shows it; windows, services and time off.
	const samirTok = await token('samir.bensalah@example.dz');
	const samir = (await api('GET', '/doctors/me/profile', undefined, samirTok)).data;
	const seenVisit = (await api('GET', '/appointments/doctor/me?status=SCHEDULED&limit=50', undefined, samirTok)).data
		.find((a) => a.patient_id === '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001');
	ok(seenVisit, 'API: Dr Bensalah has a scheduled visit with Amina');
	await go('#/login');
	await fill('email', 'samir.bensalah@example.dz');
	await fill('password', PW);
	await clickText('main button[type="submit"]', 'Se connecter');
	await idle();
	ok(await h1() === 'Mes rendez-vous du jour', 'doctor: the day opens after login');
	const seenDay = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit',
		day: '2-digit' }).format(new Date(seenVisit.start_time));
	await go('#/today?day=' + seenDay);
	ok(await page.$(`main li[data-appt="${seenVisit.id}"]`) !== null && (await text()).includes('Amina Benali'),
		'doctor: the visit is in the day, with the patient\'s name');
	await screen('doctor-today');
	await clickText(`main li[data-appt="${seenVisit.id}"] a[role="button"]`, 'Rédiger un compte rendu');
	await idle();
	ok(await h1() === 'Nouveau compte rendu', 'doctor: the record form');
	await fill('diagnosis', 'Hypertension contrôlée');
	await fill('treatment_plan', 'Poursuivre le traitement');
	await fill('prescription', 'Amlodipine 5 mg');
	await screen('doctor-record');
	await clickText('main button[type="submit"]', 'Enregistrer');
	ok(await waitText('Compte rendu enregistré') && await waitH1('Dossier : Amina Benali'),
		'doctor: saved, the chart opens');
	ok(await waitText('Hypertension contrôlée') && await waitText('Hypertension artérielle de stade 1'),
		'the chart shows the new record and the earlier one');
	let recs = (await api('GET', '/medical-records/doctor/me?limit=50', undefined, samirTok)).data;
	const rec = recs.find((r) => r.diagnosis === 'Hypertension contrôlée');
	ok(rec && rec.patient_id === seenVisit.patient_id && rec.prescription === 'Amlodipine 5 mg' &&
		rec.treatment_plan === 'Poursuivre le traitement', 'API: the record is Amina\'s, with its fields');
	ok((await api('GET', `/appointments/${seenVisit.id}`, undefined, samirTok)).data.status === 'COMPLETED',
		'API: the visit is COMPLETED');
	await screen('doctor-chart');
	await setLang('ar');
	await screen('doctor-chart-ar');
	await setLang('fr');
	await page.click(`main li[data-record="${rec.id}"] a`);
	await idle();
	ok(await h1() === 'Modifier le compte rendu' &&
		await page.$eval('main [name="prescription"]', (e) => e.value) === 'Amlodipine 5 mg', 'doctor: the edit form');
	await fill('prescription', 'Amlodipine 10 mg');
	await clickText('main button[type="submit"]', 'Enregistrer');
	ok(await waitText('Amlodipine 10 mg'), 'doctor: the edited record shows in the chart');
	ok((await api('GET', `/medical-records/${rec.id}`, undefined, samirTok)).data.prescription === 'Amlodipine 10 mg',
		'API: the prescription is changed');
	await go('#/schedule');
	ok(await h1() === 'Agenda', 'doctor: the schedule');
	const nWin = (await api('GET', `/doctors/${samir.id}/availability`)).data.length;
	await page.select('main select[name="weekday"]', 'Sat');
	await page.select('main select[name="start_time"]', '08:00');
	await page.select('main select[name="end_time"]', '08:30');
	await clickText('main section:first-of-type button[type="submit"]', 'Ajouter');
	ok(await waitText('Samedi 08:00–08:30'), 'doctor: the new Saturday window is listed');
	const wins = (await api('GET', `/doctors/${samir.id}/availability`)).data;
	ok(wins.length === nWin + 1 && wins.some((w) => w.weekday === 'Sat' && w.start_time.startsWith('08:00')),
		'API: the window is there');
	// The same window again overlaps: 409, said, and the list refreshed.
	await page.select('main select[name="weekday"]', 'Sat');
	await page.select('main select[name="start_time"]', '08:00');
	await page.select('main select[name="end_time"]', '08:30');
	await clickText('main section:first-of-type button[type="submit"]', 'Ajouter');
	ok(await waitText('Conflit : cela chevauche'), '409: the page says the window clashes');
	ok((await api('GET', `/doctors/${samir.id}/availability`)).data.length === nWin + 1 &&
		await page.$$eval('main [data-window]', (l) => l.length) === nWin + 1, 'API and page: still one new window');
	await screen('doctor-schedule');
	await setLang('ar');
	await go('#/today?day=' + seenDay);
	await screen('doctor-today-ar');
	await setLang('fr');
	// Live: the doctor's day is open; the front desk books this doctor
	// (through the API) on that day, then cancels: both show without a
	// reload.
	const samirFree = (await api('GET', `/doctors/${samir.id}/availability/slots?days=14`)).data[0];
	const samirDay = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit',
		day: '2-digit' }).format(new Date(samirFree.start_time));
	await go('#/today?day=' + samirDay);
	await page.evaluate(() => { window.medNoReload = 1; });
	ok(await page.waitForFunction(() => document.querySelector('[data-live="on"]') !== null,
		{ timeout: 10000 }).then(() => true, () => false), 'doctor: the day says it is live');
	const drLive = await api('POST', '/appointments', { doctor_id: samir.id,
		patient_id: '3e4c0b6a-5d7f-4a81-8c9d-1e2f3a4b0001', start_time: samirFree.start_time,
		end_time: samirFree.end_time }, staffTok);
	ok(drLive.status === 201, 'API: the front desk books Dr Bensalah');
	const drLiveId = drLive.data && drLive.data.id;
	ok(await page.waitForFunction((id) => document.querySelector(`main li[data-appt="${id}"]`) !== null,
		{ timeout: 5000 }, drLiveId).then(() => true, () => false) &&
		await page.evaluate(() => window.medNoReload === 1),
		'live: the booking appears on the doctor\'s open day without a reload');
	ok((await api('POST', `/appointments/${drLiveId}/cancel`, { cancellation_reason: 'Appel du patient' },
		staffTok)).status === 200, 'API: the front desk cancels it');
	ok(await page.waitForFunction((id) => document.querySelector(`main li[data-appt="${id}"] .status.CANCELLED`) !== null,
		{ timeout: 5000 }, drLiveId).then(() => true, () => false) &&
		await page.evaluate(() => window.medNoReload === 1),
		'live: the cancellation shows on the doctor\'s open day without a reload');
	await screen('doctor-today-live');
	await clickText('header button', 'Se déconnecter');
	await idle();

	// An admin: deactivate a user, who can then no longer log in.
	await go('#/login');
	await fill('email', 'admin@example.dz');
	await fill('password', PW);
	await clickText('main button[type="submit"]', 'Se connecter');
	await idle();
	await go('#/admin/users');
	ok(await h1() === 'Utilisateurs', 'admin: the users');
	await fill('find_user', 'sofiane');
	const sofianeId = (await api('GET', '/users?limit=100', undefined, await token('admin@example.dz'))).data
		.find((u) => u.email === 'sofiane.rahmani@example.dz').id;
	await clickText(`main li[data-user="${sofianeId}"] button`, 'Désactiver');
	ok(await waitText('sofiane.rahmani@example.dz est désactivé'), 'admin: deactivation said on the page');
	ok(await page.$eval(`main li[data-user="${sofianeId}"]`, (e) => e.innerText.includes('Désactivé')),
		'the users list shows the account deactivated');
	await fill('find_user', 'admin@');
	ok(await page.$eval('main li[data-user]', (e) => e.innerText.includes('vous') && !e.querySelector('button, select')),
		'admin: no way to demote or deactivate oneself');
	const adminTok = await token('admin@example.dz');
	ok((await api('GET', '/users?limit=100', undefined, adminTok)).data.find((u) => u.id === sofianeId).is_active === false,
		'API: the user is inactive');
	ok((await api('POST', '/auth/login', { email: 'sofiane.rahmani@example.dz', password: PW })).status === 403,
		'API: the deactivated user can no longer log in');
	await fill('find_user', '');
	await screen('admin-users');
	await go('#/admin/settings');
	ok(await h1() === 'Réglages de la clinique' && await page.$eval('main [name="slot_step_minutes"]', (e) => e.value) ===
		String((await api('GET', '/settings', undefined, adminTok)).data.slot_step_minutes), 'admin: the settings');
	await screen('admin-settings');
	await go('#/admin/audit?entity=medical_record');
	ok(await waitText('samir.bensalah@example.dz'), 'admin: the audit log shows who touched which record');
	const audit = (await api('GET', '/audit?entity=medical_record&limit=200', undefined, adminTok)).data;
	ok(await page.$$eval('main tr[data-audit]', (r) => r.length) === audit.length && audit.length > 0,
		`the audit screen lists what the API holds (${audit.length} entries)`);
	await screen('admin-audit');
	await setLang('ar');
	// On a phone in Arabic the log reads without scrolling sideways: each
	// entry a block, each field named.
	ok(page.viewport().width === 360 && await page.evaluate(() => {
		const r = document.querySelector('main [role="region"]');
		return document.documentElement.scrollWidth <= window.innerWidth && r.scrollWidth <= r.clientWidth;
	}), 'ar, 360 px: the audit screen is no wider than the screen');
	await screen('admin-audit-ar');
	await setLang('fr');
	await go('#/admin/doctors');
	await screen('admin-doctors');
	await setLang('ar');
	await go('#/admin/users');
	await screen('admin-users-ar');
	await setLang('fr');
	await clickText('header button', 'Se déconnecter');
	await idle();
	await go('#/login');
	await fill('email', 'sofiane.rahmani@example.dz');
	await fill('password', PW);
	await clickText('main button[type="submit"]', 'Se connecter');
	ok(await waitText('Ce compte est désactivé'), 'the deactivated user is told so at login');

	// Too many wrong passwords: the page says when to try again.
	const victim = 'hakim.cheriet@example.dz';
	let last = 0;
	for (let i = 0; i < 8 && last !== 429; i++)
		last = (await api('POST', '/auth/login', { email: victim, password: 'wrong-' + i })).status;
	ok(last === 429, 'API: the login is throttled after repeated failures');
	await go('#/login');
	await fill('email', victim);
	await fill('password', 'wrong-again');
	await clickText('main button[type="submit"]', 'Se connecter');
	ok(await waitText('Trop de tentatives. Réessayez dans'), '429: the page says when to retry');

	// Forgotten password.
	await go('#/forgot');
	await fill('email', email);
	await clickText('main button[type="submit"]', 'Envoyer');
	ok(await waitText('code de réinitialisation vous a été envoyé'), 'forgot password: the page confirms');
	await screen('forgot');

	ok(problems.length === 0, 'no script error and no CSP violation' +
		(problems.length ? ': ' + problems.join(' | ') : ''));
} catch (e) {
	fail++;
	console.log(`FAIL journey stopped: ${e.stack}`);
	await shot('failure').catch(() => {});
} finally {
	await browser.close();
}

console.log('axe: ' + axeReport.map((a) => `${a.screen} ${a.serious}/${a.violations}` +
	(a.ids.length ? ` (${a.ids.join(' ')})` : '')).join(', '));
console.log(`web-test: ${pass} passed, ${fail} failed; screenshots in ${OUT}`);
process.exit(fail === 0 ? 0 : 1);
