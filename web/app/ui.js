// ui.js - what every screen shares: the hash routing, errors as a person
// reads them, the page frame, loading and acting (useLoad, useAction),
// names of doctors and patients, roles, calendar days, the slot picker,
// a day's visits, date and time fields in the page's language, and
// screens loaded on first use (lazy).
import { h } from '../vendor/preact.js';
import { useState, useEffect, useRef, useCallback } from '../vendor/hooks.js';
import htm from '../vendor/htm.js';
import * as api from './api.js';
import { t, fmtDay, fmtTime, dayKey, getLocale } from './i18n.js';

export const html = htm.bind(h);

// --- routing: #/path?query ------------------------------------------------

export function parseHash() {
	const raw = location.hash.replace(/^#/, '') || '/';
	const [path, qs] = raw.split('?');
	return { path, query: new URLSearchParams(qs || '') };
}

export function go(path) {
	location.hash = '#' + path;
}

export function useRoute() {
	const [r, setR] = useState(parseHash());
	useEffect(() => {
		const f = () => setR(parseHash());
		addEventListener('hashchange', f);
		return () => removeEventListener('hashchange', f);
	}, []);
	return r;
}

// --- errors as a person reads them ----------------------------------------

export function errText(e) {
	if (!(e instanceof api.ApiError))
		return t('err.generic');
	switch (e.status) {
	case 0: return t('err.offline');
	case 401: return t('err.401');
	case 403: return t('err.403');
	case 404: return t('err.404');
	case 409: return t('err.409');
	case 422: return t('err.422', { field: fieldOf(e) });
	case 429: return t('err.429', { s: e.retryAfter || 60 });
	default: return e.status >= 500 ? t('err.500') : (e.message || t('err.generic'));
	}
}

export function fieldOf(e) {
	const d = e.data && e.data.detail && e.data.detail[0];
	const f = d && d.loc && d.loc[d.loc.length - 1];
	return f ? t('field.' + f) : '';
}

export function Banner({ kind, children }) {
	if (!children)
		return null;
	const role = kind === 'error' ? 'alert' : 'status';
	return html`<div class="banner ${kind}" role=${role}>${children}</div>`;
}

// A page: its h1 takes the focus when the person moves to it, so a screen
// reader or keyboard user starts at the new content.  Not on the first
// page of a visit: the browser starts at the top already.
let navigated = false;
addEventListener('hashchange', () => { navigated = true; });

export function Page({ title, children }) {
	const ref = useRef(null);
	useEffect(() => {
		document.title = `${title} · ${t('app.title')}`;
		if (ref.current && navigated)
			ref.current.focus();
	}, [title]);
	return html`<section>
		<h1 tabindex="-1" ref=${ref}>${title}</h1>
		${children}
	</section>`;
}

// load(fn, deps) -> [data, error, reload]
export function useLoad(fn, deps) {
	const [state, setState] = useState({ data: null, error: null, loading: true });
	const reload = useCallback(() => {
		setState((s) => ({ ...s, loading: true }));
		return fn().then((data) => setState({ data, error: null, loading: false }),
			(error) => setState({ data: null, error, loading: false }));
	}, deps);
	useEffect(() => { reload(); }, [reload]);
	return [state, reload];
}

// --- doctors cache (visits show names, not ids) ------------------------------

const doctorCache = new Map();

export function getDoctor(id) {
	if (!doctorCache.has(id))
		doctorCache.set(id, api.call('GET', `/doctors/${id}`).catch((e) => {
			doctorCache.delete(id);
			throw e;
		}));
	return doctorCache.get(id);
}

export const drName = (d) => (d ? t('doctor.name', { first: d.first_name || '', last: d.last_name || '' }) : '…');

export function DoctorName({ id }) {
	const [d, setD] = useState(null);
	useEffect(() => { getDoctor(id).then(setD, () => setD(null)); }, [id]);
	return html`<span>${drName(d)}</span>`;
}

// --- roles ------------------------------------------------------------------

export const roleOf = (u) => (u && u.role ? u.role.name : '');
export const isDesk = (u) => roleOf(u) === 'STAFF' || roleOf(u) === 'ADMIN';
// An admin may also use the patient's pages (by their address); the
// header offers them to patients only, so it stays short.
export const isPatient = (u) => roleOf(u) === 'PATIENT';
export const isDoctor = (u) => roleOf(u) === 'DOCTOR';
export const isAdmin = (u) => roleOf(u) === 'ADMIN';

// --- patients (the front desk and the doctors show names, not ids) -------

const patientCache = new Map();

export function getPatient(id) {
	if (!patientCache.has(id))
		patientCache.set(id, api.call('GET', `/patients/${id}`).catch((e) => {
			patientCache.delete(id);
			throw e;
		}));
	return patientCache.get(id);
}

// Many patients at once, for the front desk's screens (GET /patients?ids=,
// STAFF and ADMIN only): 100 a request instead of one request each; each
// lands in the same cache as getPatient().  The promises, in ids' order.
const IDS_PER_REQUEST = 100;
export function getPatients(ids) {
	const missing = [...new Set(ids)].filter((id) => !patientCache.has(id));
	for (let i = 0; i < missing.length; i += IDS_PER_REQUEST) {
		const chunk = missing.slice(i, i + IDS_PER_REQUEST);
		const page = api.call('GET', `/patients?ids=${chunk.join(',')}&limit=${IDS_PER_REQUEST}`);
		for (const id of chunk)
			patientCache.set(id, page.then((list) => {
				const p = list.find((x) => x.id === id);
				if (!p)
					throw new Error('no such patient');
				return p;
			}).catch((e) => {
				patientCache.delete(id);
				throw e;
			}));
	}
	return ids.map((id) => patientCache.get(id));
}

export const ptName = (p) => (p ? `${p.first_name || ''} ${p.last_name || ''}`.trim() || p.id : '…');

export function PatientName({ id }) {
	const [p, setP] = useState(null);
	useEffect(() => { getPatient(id).then(setP, () => setP(null)); }, [id]);
	return html`<span dir="auto">${ptName(p)}</span>`;
}

// The patients of many rows at once (id -> patient, filled as they come):
// one state for the whole list instead of a component and an effect per
// row, and at most one render per frame however many names arrive.  With
// batch (the front desk's screens) they are asked 100 a request.
export function usePatients(ids, { batch = false } = {}) {
	const [got, setGot] = useState(new Map());
	useEffect(() => {
		let live = true, pending = [], frame = 0;
		const flush = () => {
			frame = 0;
			const batch = pending;
			pending = [];
			if (live)
				setGot((m) => new Map([...m, ...batch]));
		};
		const unique = [...new Set(ids)];
		const asked = batch ? getPatients(unique) : unique.map(getPatient);
		unique.forEach((id, i) => asked[i].then((p) => {
			pending.push([id, p]);
			frame = frame || requestAnimationFrame(flush);
		}, () => {}));
		return () => { live = false; };
	}, [ids]);
	return got;
}

// Find a patient by name or phone (accents and case aside) among the
// clinic's patients; onPick(patient).
export function PatientFinder({ onPick }) {
	const [pts] = useLoad(() => api.call('GET', '/patients?limit=1000'), []);
	const [find, setFind] = useState('');
	const norm = (x) => String(x || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
	const hits = find.trim().length < 2 ? [] : (pts.data || []).filter((p) =>
		norm(`${p.first_name} ${p.last_name} ${p.phone || ''}`).includes(norm(find.trim()))).slice(0, 8);
	return html`${pts.error && html`<${Banner} kind="error">${errText(pts.error)}<//>`}
		<label>${t('desk.find_patient')}
			<input name="find_patient" type="search" value=${find} onInput=${(e) => setFind(e.target.value)} /></label>
		<ul class="desk-patients">${hits.map((p) => html`<li key=${p.id}>
			<button type="button" class="outline" onClick=${() => onPick(p)}>
				${ptName(p)}${p.phone ? ' · ' + p.phone : ''}</button></li>`)}</ul>
		${find.trim().length >= 2 && hits.length === 0 && html`<p>${t('desk.no_patient')}</p>`}`;
}

// YYYY-MM-DD plus n days (calendar arithmetic, no zone involved).
export function addDays(day, n) {
	const d = new Date(day + 'T00:00:00Z');
	d.setUTCDate(d.getUTCDate() + n);
	return d.toISOString().slice(0, 10);
}

export const today = () => dayKey(new Date().toISOString());

// --- slots and booking ------------------------------------------------------

// The next free slots of a doctor, by day; pick one, confirm.  confirm(slot)
// returns a promise; a 409 (someone took the slot first) reloads the
// slots and says so.
export function SlotPicker({ doctorId, confirmLabel, confirm, needLogin, extra }) {
	const [slots, reload] = useLoad(() =>
		api.call('GET', `/doctors/${doctorId}/availability/slots?days=14`), [doctorId]);
	const [pick, setPick] = useState(null);
	const [msg, setMsg] = useState(null);
	const [busy, setBusy] = useState(false);
	const [shown, setShown] = useState(4);     // days listed; a phone shows a few at a time
	const confirmRef = useRef(null);

	useEffect(() => {
		if (pick && confirmRef.current)
			confirmRef.current.focus();
	}, [pick]);

	const days = [];
	for (const s of slots.data || []) {
		const k = dayKey(s.start_time);
		if (!days.length || days[days.length - 1].key !== k)
			days.push({ key: k, first: s.start_time, slots: [] });
		days[days.length - 1].slots.push(s);
	}

	async function onConfirm() {
		setBusy(true);
		setMsg(null);
		try {
			await confirm(pick);
		} catch (e) {
			if (e.status === 409) {
				setPick(null);
				await reload();
				setMsg({ kind: 'error', text: t('book.taken') });
			} else {
				setMsg({ kind: 'error', text: errText(e) });
			}
		} finally {
			setBusy(false);
		}
	}

	return html`<div>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		${slots.error && html`<${Banner} kind="error">${errText(slots.error)}<//>`}
		${slots.loading && html`<p aria-busy="true">${t('common.loading')}</p>`}
		${!slots.loading && !slots.error && days.length === 0 && html`<p>${t('book.none')}</p>`}
		${days.slice(0, shown).map((d) => html`<section class="day" aria-labelledby=${'day-' + d.key}>
			<h3 id=${'day-' + d.key}>${fmtDay(d.first)}</h3>
			<div class="slots">
				${d.slots.map((s) => html`<button type="button" class="outline"
					aria-pressed=${pick && pick.start_time === s.start_time ? 'true' : 'false'}
					aria-label=${t('book.slot_label', { day: fmtDay(s.start_time), time: fmtTime(s.start_time) })}
					onClick=${() => { setPick(s); setMsg(null); }}>${fmtTime(s.start_time)}</button>`)}
			</div>
		</section>`)}
		${days.length > shown && html`<p><button type="button" class="secondary outline more-days"
			onClick=${() => setShown(shown + 4)}>${t('book.more')}</button></p>`}
		${pick && html`<div class="sticky-confirm">
			<p><strong>${fmtDay(pick.start_time)}, <span dir="ltr">${fmtTime(pick.start_time)}–${fmtTime(pick.end_time)}</span></strong></p>
			${extra}
			${needLogin ? html`<a role="button" ref=${confirmRef} href=${'#/login?next=' + encodeURIComponent(parseHash().path)}>${t('book.login_first')}</a>`
				: html`<button type="button" ref=${confirmRef} aria-busy=${busy ? 'true' : 'false'} disabled=${busy}
					onClick=${onConfirm}>${confirmLabel}</button>`}
		</div>`}
	</div>`;
}

// --- actions on a screen ----------------------------------------------------

// [msg, run]: run(fn, okText) calls the API, reloads the screen's data
// either way (after a conflict, 409: someone changed the same thing
// elsewhere, the person sees what the clinic now holds), then says how it
// went, so the message and the fresh list arrive together.
export function useAction(reload) {
	const [msg, setMsg] = useState(null);
	const run = async (fn, okText) => {
		setMsg(null);
		let m = okText ? { kind: 'ok', text: okText } : null;
		try {
			await fn();
		} catch (e) {
			m = { kind: 'error', text: e instanceof api.ApiError && e.status === 409
				? t('err.409_refreshed') : errText(e) };
		}
		if (reload)
			await reload();
		setMsg(m);
		return !m || m.kind === 'ok';
	};
	return [msg, run, setMsg];
}

export const Msg = ({ msg }) => msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`;

// Cancel with an optional reason: the reason field, confirm and back.
export function CancelForm({ onConfirm, onBack }) {
	const [reason, setReason] = useState('');
	return html`<div>
		<label>${t('visits.cancel_reason')}
			<input name="cancellation_reason" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>
		<div class="actions">
			<button type="button" class="contrast" onClick=${() => onConfirm(reason.trim())}>${t('visits.cancel_confirm')}</button>
			<button type="button" class="secondary outline" onClick=${onBack}>${t('common.back')}</button>
		</div></div>`;
}

export const cancelBody = (reason) => (reason ? { cancellation_reason: reason } : {});

// Choose a day: previous, next, today, or one of the weeks around it, every
// label in the page's language (a date input would show the browser's own
// format, whatever the page's language).
export function DayNav({ day, setDay, span = 7 }) {
	const days = [];
	for (let i = -14; i <= 42; i++)
		days.push(addDays(day, i));
	return html`<form class="actions day-nav" onSubmit=${(e) => e.preventDefault()}>
		<button type="button" class="secondary outline" onClick=${() => setDay(addDays(day, -span))}>${t(span === 1 ? 'desk.prev' : 'week.prev')}</button>
		<label class="visually-hidden" for="day-nav">${t('desk.day')}</label>
		<select id="day-nav" name="day" value=${day} onChange=${(e) => setDay(e.target.value)}>
			${days.map((d) => html`<option value=${d}>${fmtDay(d + 'T12:00:00Z')}</option>`)}
		</select>
		<button type="button" class="secondary outline" onClick=${() => setDay(addDays(day, span))}>${t(span === 1 ? 'desk.next' : 'week.next')}</button>
		<button type="button" class="secondary outline" onClick=${() => setDay(today())}>${t('desk.today')}</button>
	</form>`;
}

// A day's visits as the staff sees them: time, patient, status, reason,
// then what may be done (actions(a)); the list's message and load error
// above it.
export function DayVisits({ list, msg, actions }) {
	const visits = byStart(list.data);
	return html`<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		${list.data && visits.length === 0 && html`<p class="muted">${t('desk.free_day')}</p>`}
		<ul class="desk-visits">${visits.map((a) => html`<li key=${a.id} data-appt=${a.id}>
			<strong dir="ltr">${fmtTime(a.start_time)}–${fmtTime(a.end_time)}</strong>
			${' '}<${PatientName} id=${a.patient_id} />
			${' '}<span class="status ${a.status}">${t('status.' + a.status)}</span>
			${a.reason && html`<br /><small class="muted" dir="auto">${a.reason}</small>`}
			${actions(a)}
		</li>`)}</ul>`;
}

// Sorted by start, earliest first.
export const byStart = (list) => (list || []).slice().sort((a, b) => Date.parse(a.start_time) - Date.parse(b.start_time));

// --- dates and times typed in the page's language ---------------------------
//
// A browser's date and time inputs speak the browser's language (12/01/2026,
// 08:00 AM on a French page); these speak the page's.

const pad = (n) => String(n).padStart(2, '0');

// A day as three lists (day, month by name, year); the value is
// YYYY-MM-DD in a hidden field called name, for the form's FormData.
export function DateField({ name, label, value, required, years = [0, 1, 2] }) {
	const init = value || (required ? today() : '');
	const [v, setV] = useState(init);
	const [y, m, d] = v ? v.split('-').map(Number) : [0, 0, 0];
	const base = Number(today().slice(0, 4));
	const month = new Intl.DateTimeFormat(getLocale(), { month: 'long', timeZone: 'UTC' });
	const set = (ny, nm, nd) => setV(ny && nm && nd ? `${ny}-${pad(nm)}-${pad(nd)}` : '');
	const id = 'df-' + name;
	return html`<fieldset class="date-field">
		<legend>${label}</legend>
		<input type="hidden" name=${name} value=${v} />
		<select id=${id + '-d'} aria-label=${t('date.day')} required=${required} value=${d || ''}
			onChange=${(e) => set(y || base, m || 1, Number(e.target.value))}>
			${!required && html`<option value="">—</option>`}
			${Array.from({ length: 31 }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}</select>
		<select aria-label=${t('date.month')} required=${required} value=${m || ''}
			onChange=${(e) => set(y || base, Number(e.target.value), d || 1)}>
			${!required && html`<option value="">—</option>`}
			${Array.from({ length: 12 }, (_, i) => html`<option value=${i + 1}>${month.format(Date.UTC(2026, i, 15))}</option>`)}</select>
		<select aria-label=${t('date.year')} required=${required} value=${y || ''}
			onChange=${(e) => set(Number(e.target.value), m || 1, d || 1)}>
			${!required && html`<option value="">—</option>`}
			${years.map((k) => html`<option value=${base + k}>${base + k}</option>`)}</select>
	</fieldset>`;
}

// A wall-clock time of the clinic, HH:MM, every quarter of an hour.
export function TimeField({ name, label, value }) {
	const [v, setV] = useState(value);
	const times = [];
	for (let i = 0; i < 96; i++)
		times.push(`${pad(Math.floor(i / 4))}:${pad((i % 4) * 15)}`);
	return html`<label>${label}<select name=${name} value=${v} dir="ltr" onChange=${(e) => setV(e.target.value)}>
		${times.map((x) => html`<option value=${x}>${x}</option>`)}</select></label>`;
}

// A screen from a module loaded on first use: lazy(() => import('./x.js'),
// 'Name') renders "loading" until the module is there (a failed load, as
// offline, says so and tries again on the next render).
export function lazy(load, name) {
	let C = null;
	return function Lazy(props) {
		const [err, setErr] = useState(null);
		const [, setReady] = useState(false);
		useEffect(() => {
			if (!C)
				load().then((m) => { C = m[name]; setReady(true); },
					(e) => setErr(new api.ApiError(0, String(e))));
		}, []);
		if (C)
			return html`<${C} ...${props} />`;
		return err ? html`<${Banner} kind="error">${errText(err)}<//>`
			: html`<p aria-busy="true">${t('common.loading')}</p>`;
	};
}

// A record's fields; each text isolated (bdi) so a French diagnosis stays
// readable on an Arabic page without leaving its label's side.
export const RecordView = ({ r }) => html`<dl>
	<dt>${t('records.diagnosis')}</dt><dd><bdi>${r.diagnosis}</bdi></dd>
	${r.treatment_plan && html`<dt>${t('records.treatment')}</dt><dd><bdi>${r.treatment_plan}</bdi></dd>`}
	${r.prescription && html`<dt>${t('records.prescription')}</dt><dd><bdi>${r.prescription}</bdi></dd>`}
	${r.notes && html`<dt>${t('records.notes')}</dt><dd><bdi>${r.notes}</bdi></dd>`}
</dl>`;
