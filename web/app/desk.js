// desk.js - the front desk (STAFF, ADMIN): the day of every doctor side
// by side (check in, no-show, move, cancel with a reason), the week of
// every doctor, booking on behalf of a patient, registering a walk-in.
import { useState, useMemo, useEffect } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtTime, fmtDateTime, fmtDayShort, dayKey, getLang, LANGS } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, useLoad, getDoctor, drName,
	ptName, addDays, today, SlotPicker, useAction, CancelForm, cancelBody, DayNav,
	DayVisits, byStart, PatientFinder, usePatients, getPatient, DateField } from './ui.js';
import { useLiveRevisions, LiveBadge } from './live.js';

// What the front desk may do with a visit now.  A no-show only once the
// visit has begun (the API refuses it before).
function VisitActions({ a, run }) {
	const [cancelling, setCancelling] = useState(false);
	const time = fmtTime(a.start_time);
	const status = (to, ok) => run(() => api.call('PATCH', `/appointments/${a.id}/status`, { status: to }), ok);
	if (a.status !== 'SCHEDULED')
		return null;
	if (cancelling)
		return html`<${CancelForm} onBack=${() => setCancelling(false)} onConfirm=${(r) =>
			run(() => api.call('POST', `/appointments/${a.id}/cancel`, cancelBody(r)), t('visits.cancelled'))} />`;
	return html`<div class="actions">
		<button type="button" aria-label=${t('desk.checkin_label', { time })}
			onClick=${() => status('ARRIVED', t('desk.checked_in'))}>${t('desk.checkin')}</button>
		${Date.parse(a.start_time) <= Date.now() && html`<button type="button" class="secondary"
			aria-label=${t('desk.no_show_label', { time })}
			onClick=${() => status('NO_SHOW', t('desk.no_show_done'))}>${t('desk.no_show')}</button>`}
		<a role="button" class="secondary outline" href=${'#/desk/move/' + a.id}
			aria-label=${t('desk.move_label', { time })}>${t('desk.move')}</a>
		<button type="button" class="secondary outline" aria-label=${t('desk.cancel_label', { time })}
			onClick=${() => setCancelling(true)}>${t('visits.cancel')}</button>
	</div>`;
}

// One doctor's column of the day.
// rev changes on each live event of that doctor (live.js): fetch again.
function DoctorDay({ doctor, day, rev }) {
	const [list, reload] = useLoad(() => api.call('GET',
		`/appointments/doctor/${doctor.id}?from=${day}&to=${addDays(day, 1)}&limit=200`), [doctor.id, day, rev]);
	const [msg, run] = useAction(reload);

	return html`<article data-doctor=${doctor.id}>
		<header><strong>${drName(doctor)}</strong>
			<small class="muted"> · ${(doctor.specialties || []).map((x) => x.name).join(', ')}</small></header>
		<${DayVisits} list=${list} msg=${msg} actions=${(a) => html`<${VisitActions} key=${a.id + a.status} a=${a} run=${run} />`} />
		<a role="button" class="outline" href=${`#/desk/book/${doctor.id}?day=${day}`}
			aria-label=${t('desk.book_with', { name: drName(doctor) })}>${t('desk.book')}</a>
	</article>`;
}

export function Desk() {
	const day = parseHash().query.get('day') || today();
	const [docs] = useLoad(() => api.call('GET', '/doctors?limit=100'), []);
	const [live, revOf] = useLiveRevisions();
	return html`<${Page} title=${t('desk.title')}>
		<${LiveBadge} state=${live} />
		<${DayNav} day=${day} span=${1} setDay=${(d) => go('/desk?day=' + d)} />
		<p class="actions"><a href=${'#/desk/week?day=' + day}>${t('week.open')}</a>
			<a role="button" class="outline" href="#/desk/patient">${t('desk.new_patient')}</a></p>
		${docs.error && html`<${Banner} kind="error">${errText(docs.error)}<//>`}
		<div class="grid-cards">
			${(docs.data || []).map((d) => html`<${DoctorDay} key=${d.id + day} doctor=${d} day=${day} rev=${revOf(d.id)} />`)}
		</div>
	<//>`;
}

// The week of every doctor side by side: a row per doctor, a column per day;
// each visit with its time and its patient (names fetched once per patient).
export function DeskWeek() {
	const day = parseHash().query.get('day') || today();
	const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(day, i));
	const [docs] = useLoad(() => api.call('GET', '/doctors?limit=100'), []);
	const [visits] = useLoad(() => Promise.all((docs.data || []).map((d) => api.call('GET',
		`/appointments/doctor/${d.id}?from=${day}&to=${addDays(day, 7)}&limit=500`))), [docs.data, day]);
	// Each doctor's visits sorted and split by day once per answer, not per
	// cell and render: a busy week is thousands of visits.
	const cells = useMemo(() => (visits.data || []).map((l) => {
		const by = new Map();
		for (const a of byStart(l)) {
			const k = dayKey(a.start_time);
			by.has(k) ? by.get(k).push(a) : by.set(k, [a]);
		}
		return by;
	}), [visits.data]);
	const cell = (i, k) => (cells[i] && cells[i].get(k)) || [];
	const pts = usePatients(useMemo(() => (visits.data || []).flat().map((a) => a.patient_id), [visits.data]),
		{ batch: true });
	return html`<${Page} title=${t('week.title')}>
		<${DayNav} day=${day} setDay=${(d) => go('/desk/week?day=' + d)} />
		<p><a href=${'#/desk?day=' + day}>${t('week.day_view')}</a></p>
		${(docs.error || visits.error) && html`<${Banner} kind="error">${errText(docs.error || visits.error)}<//>`}
		<div class="overflow-auto" tabindex="0" role="region" aria-label=${t('week.title')}><table class="week">
			<thead><tr><th scope="col">${t('week.doctor')}</th>
				${days.map((k) => html`<th scope="col"><a href=${'#/desk?day=' + k}>${fmtShortDay(k)}</a></th>`)}</tr></thead>
			<tbody>${(docs.data || []).map((d, i) => html`<tr key=${d.id} data-doctor=${d.id}>
				<th scope="row">${drName(d)}</th>
				${days.map((k) => html`<td>${cell(i, k).map((a) => html`<div class="week-visit status-${a.status}" data-appt=${a.id}>
					${fmtTime(a.start_time)} <span dir="auto">${ptName(pts.get(a.patient_id))}</span>${' '}
					<span class="muted">${t('status.' + a.status)}</span></div>`)}</td>`)}
			</tr>`)}</tbody>
		</table></div>
	<//>`;
}

const fmtShortDay = (k) => fmtDayShort(k + 'T12:00:00Z');

// Book on behalf of a patient: find them (name or phone), then a slot.
// ?patient=ID comes with the patient already picked (one just registered).
export function DeskBook({ doctorId, flash }) {
	const q = parseHash().query;
	const day = q.get('day') || today();
	const [doc] = useLoad(() => getDoctor(doctorId), [doctorId]);
	const [patient, setPatient] = useState(null);
	const picked = q.get('patient');
	useEffect(() => {
		if (picked)
			getPatient(picked).then(setPatient, () => setPatient(null));
	}, [picked]);

	async function book(slot) {
		await api.call('POST', '/appointments', { doctor_id: doctorId, patient_id: patient.id,
			start_time: slot.start_time, end_time: slot.end_time });
		const d = dayKey(slot.start_time);
		flash('ok', () => t('desk.booked', { who: ptName(patient), when: fmtDateTime(slot.start_time) }), '/desk');
		go('/desk?day=' + d);
	}

	return html`<${Page} title=${t('desk.book_title', { name: drName(doc.data) })}>
		<p><a href=${'#/desk?day=' + day}>${t('common.back')}</a></p>
		${patient ? html`<p>${t('desk.for')} <strong dir="auto">${ptName(patient)}</strong>
				${' '}<button type="button" class="secondary outline inline" onClick=${() => setPatient(null)}>${t('desk.change')}</button></p>
			<${SlotPicker} doctorId=${doctorId} confirm=${book} confirmLabel=${t('book.confirm')} />`
		: html`<${PatientFinder} onPick=${setPatient} />`}
	<//>`;
}

// Register a walk-in: the account, the profile and an e-mail inviting the
// patient to choose a password, in one request (POST /desk/patients); then
// book for them at once, with any doctor.
const NEW_FIELDS = [['email', 'email', 254, true], ['first_name', 'text', 100, true],
	['last_name', 'text', 100, true], ['phone', 'tel', 20, false]];
const BIRTH_YEARS = Array.from({ length: 111 }, (_, i) => -i);

export function DeskNewPatient() {
	const [msg, setMsg] = useState(null);
	const [made, setMade] = useState(null);
	const [docs] = useLoad(() => api.call('GET', '/doctors?limit=100'), []);

	async function submit(e) {
		e.preventDefault();
		const f = new FormData(e.target);
		const body = { locale: f.get('locale') };
		for (const [k, , , required] of NEW_FIELDS.concat([['date_of_birth']])) {
			const v = String(f.get(k) || '').trim();
			if (v || required)
				body[k] = v;
		}
		try {
			const p = await api.call('POST', '/desk/patients', body);
			setMade(p);
			setMsg({ kind: 'ok', text: t('desk.registered', { who: ptName(p), email: body.email }) });
		} catch (err) {
			setMsg({ kind: 'error', text: err.status === 409 ? t('desk.email_taken') : errText(err) });
		}
	}

	return html`<${Page} title=${t('desk.new_patient')}>
		<p><a href="#/desk">${t('common.back')}</a></p>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		${made ? html`<section data-patient=${made.id}>
				<h2>${t('desk.book_for', { who: ptName(made) })}</h2>
				<ul class="desk-patients">${(docs.data || []).map((d) => html`<li key=${d.id}>
					<a role="button" class="outline" href=${`#/desk/book/${d.id}?patient=${made.id}`}>${drName(d)}</a></li>`)}</ul>
				<button type="button" class="secondary outline" onClick=${() => { setMade(null); setMsg(null); }}>${t('desk.another')}</button>
			</section>`
		: html`<p>${t('desk.new_patient_help')}</p>
			<form onSubmit=${submit}>
				<div class="grid-cards">
				${NEW_FIELDS.map(([k, type, max, required]) => html`<label>${t('field.' + k)}
					<input name=${k} type=${type} maxlength=${max} required=${required} autocomplete="off"
						dir=${type === 'text' ? 'auto' : 'ltr'} /></label>`)}
				<label>${t('desk.mail_lang')}
					<select name="locale" value=${getLang()}>
						${Object.keys(LANGS).map((l) => html`<option value=${l} lang=${l}>${LANGS[l]._name}</option>`)}
					</select></label>
				</div>
				<${DateField} name="date_of_birth" label=${t('field.date_of_birth')} years=${BIRTH_YEARS} />
				<button type="submit">${t('desk.register')}</button>
			</form>`}
	<//>`;
}
