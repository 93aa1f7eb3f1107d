// ui.js - what every screen shares: the hash routing, errors as a person
// reads them, the page frame, loading, names of doctors and patients,
// calendar days, and the slot picker.
import { h } from '../vendor/preact.js';
import { useState, useEffect, useRef, useCallback } from '../vendor/hooks.js';
import htm from '../vendor/htm.js';
import * as api from './api.js';
import { t, fmtDay, fmtTime, dayKey } from './i18n.js';

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
export const isPatient = (u) => roleOf(u) === 'PATIENT' || roleOf(u) === 'ADMIN';

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

export const ptName = (p) => (p ? `${p.first_name || ''} ${p.last_name || ''}`.trim() || p.id : '…');

export function PatientName({ id }) {
	const [p, setP] = useState(null);
	useEffect(() => { getPatient(id).then(setP, () => setP(null)); }, [id]);
	return html`<span dir="auto">${ptName(p)}</span>`;
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
			<p><strong>${fmtDay(pick.start_time)}, ${fmtTime(pick.start_time)}–${fmtTime(pick.end_time)}</strong></p>
			${extra}
			${needLogin ? html`<a role="button" ref=${confirmRef} href=${'#/login?next=' + encodeURIComponent(parseHash().path)}>${t('book.login_first')}</a>`
				: html`<button type="button" ref=${confirmRef} aria-busy=${busy ? 'true' : 'false'} disabled=${busy}
					onClick=${onConfirm}>${confirmLabel}</button>`}
		</div>`}
	</div>`;
}
