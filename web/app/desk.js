// desk.js - the front desk (STAFF, ADMIN): the day of every doctor side
// by side, booking on behalf of a patient, cancelling with a reason.
import { useState } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtDay, fmtTime, fmtDateTime, dayKey } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, useLoad, getDoctor, drName,
	ptName, PatientName, addDays, today, SlotPicker } from './ui.js';

// One doctor's column of the day.
function DoctorDay({ doctor, day, onChanged }) {
	const [list, reload] = useLoad(() => api.call('GET',
		`/appointments/doctor/${doctor.id}?from=${day}&to=${addDays(day, 1)}&limit=200`), [doctor.id, day]);
	const [cancelling, setCancelling] = useState(null);
	const [reason, setReason] = useState('');
	const [msg, setMsg] = useState(null);
	const visits = (list.data || []).slice().sort((a, b) => Date.parse(a.start_time) - Date.parse(b.start_time));

	async function cancel(a) {
		try {
			await api.call('POST', `/appointments/${a.id}/cancel`,
				reason.trim() ? { cancellation_reason: reason.trim() } : {});
			setCancelling(null);
			setMsg({ kind: 'ok', text: t('visits.cancelled') });
			reload();
		} catch (e) {
			setMsg({ kind: 'error', text: errText(e) });
		}
	}

	return html`<article data-doctor=${doctor.id}>
		<header><strong>${drName(doctor)}</strong>
			<small class="muted"> · ${(doctor.specialties || []).map((x) => x.name).join(', ')}</small></header>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		${list.data && visits.length === 0 && html`<p class="muted">${t('desk.free_day')}</p>`}
		<ul class="desk-visits">${visits.map((a) => html`<li key=${a.id} data-appt=${a.id}>
			<strong>${fmtTime(a.start_time)}–${fmtTime(a.end_time)}</strong>
			${' '}<${PatientName} id=${a.patient_id} />
			${' '}<span class="status ${a.status}">${t('status.' + a.status)}</span>
			${a.reason && html`<br /><small class="muted" dir="auto">${a.reason}</small>`}
			${a.status === 'SCHEDULED' && (cancelling === a.id ? html`<div>
				<label>${t('visits.cancel_reason')}
					<input name="cancellation_reason" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>
				<div class="actions">
					<button type="button" class="contrast" onClick=${() => cancel(a)}>${t('visits.cancel_confirm')}</button>
					<button type="button" class="secondary outline" onClick=${() => setCancelling(null)}>${t('common.back')}</button>
				</div></div>` : html`<div class="actions">
				<button type="button" class="secondary outline"
					aria-label=${t('desk.cancel_label', { time: fmtTime(a.start_time) })}
					onClick=${() => { setCancelling(a.id); setReason(''); }}>${t('visits.cancel')}</button></div>`)}
		</li>`)}</ul>
		<a role="button" class="outline" href=${`#/desk/book/${doctor.id}?day=${day}`}
			aria-label=${t('desk.book_with', { name: drName(doctor) })}>${t('desk.book')}</a>
	</article>`;
}

export function Desk() {
	const q = parseHash().query;
	const day = q.get('day') || today();
	const [docs] = useLoad(() => api.call('GET', '/doctors?limit=100'), []);
	const setDay = (d) => go('/desk?day=' + d);
	return html`<${Page} title=${t('desk.title')}>
		<form class="actions desk-day" onSubmit=${(e) => e.preventDefault()}>
			<button type="button" class="secondary outline" onClick=${() => setDay(addDays(day, -1))}>${t('desk.prev')}</button>
			<label class="visually-hidden" for="desk-day">${t('desk.day')}</label>
			<input id="desk-day" name="day" type="date" value=${day} onChange=${(e) => e.target.value && setDay(e.target.value)} />
			<button type="button" class="secondary outline" onClick=${() => setDay(addDays(day, 1))}>${t('desk.next')}</button>
			<button type="button" class="secondary outline" onClick=${() => setDay(today())}>${t('desk.today')}</button>
		</form>
		<p><strong>${fmtDay(day + 'T12:00:00Z')}</strong></p>
		${docs.error && html`<${Banner} kind="error">${errText(docs.error)}<//>`}
		<div class="grid-cards">
			${(docs.data || []).map((d) => html`<${DoctorDay} key=${d.id + day} doctor=${d} day=${day} />`)}
		</div>
	<//>`;
}

// Book on behalf of a patient: find them (name, phone or email), then a slot.
export function DeskBook({ doctorId, flash }) {
	const day = parseHash().query.get('day') || today();
	const [doc] = useLoad(() => getDoctor(doctorId), [doctorId]);
	const [pts] = useLoad(() => api.call('GET', '/patients?limit=1000'), []);
	const [find, setFind] = useState('');
	const [patient, setPatient] = useState(null);
	const norm = (x) => String(x || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
	const hits = find.trim().length < 2 ? [] : (pts.data || []).filter((p) =>
		norm(`${p.first_name} ${p.last_name} ${p.phone || ''}`).includes(norm(find.trim()))).slice(0, 8);

	async function book(slot) {
		await api.call('POST', '/appointments', { doctor_id: doctorId, patient_id: patient.id,
			start_time: slot.start_time, end_time: slot.end_time });
		const d = dayKey(slot.start_time);
		flash('ok', () => t('desk.booked', { who: ptName(patient), when: fmtDateTime(slot.start_time) }), '/desk');
		go('/desk?day=' + d);
	}

	return html`<${Page} title=${t('desk.book_title', { name: drName(doc.data) })}>
		<p><a href=${'#/desk?day=' + day}>${t('common.back')}</a></p>
		${pts.error && html`<${Banner} kind="error">${errText(pts.error)}<//>`}
		${patient ? html`<p>${t('desk.for')} <strong dir="auto">${ptName(patient)}</strong>
				${' '}<button type="button" class="secondary outline inline" onClick=${() => setPatient(null)}>${t('desk.change')}</button></p>
			<${SlotPicker} doctorId=${doctorId} confirm=${book} confirmLabel=${t('book.confirm')} />`
		: html`<label>${t('desk.find_patient')}
				<input name="find_patient" type="search" value=${find} onInput=${(e) => setFind(e.target.value)} /></label>
			<ul class="desk-patients">${hits.map((p) => html`<li key=${p.id}>
				<button type="button" class="outline" onClick=${() => setPatient(p)}>
					${ptName(p)}${p.phone ? ' · ' + p.phone : ''}</button></li>`)}</ul>
			${find.trim().length >= 2 && hits.length === 0 && html`<p>${t('desk.no_patient')}</p>`}`}
	<//>`;
}
