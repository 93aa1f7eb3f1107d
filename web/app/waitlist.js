// waitlist.js - the patient's waitlist: join it for a doctor, see the
// entries, and take or decline an offer (the link of the offer mail,
// #/waitlist/offers/<id>, lands here).
import { useState } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtDateTime, fmtDate } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, useLoad, DoctorName, useAction, Msg,
	DateField, addDays, today } from './ui.js';

// The offer of an entry, with its actions while it holds.
function Offer({ entry, focus, run, flash }) {
	const o = entry.offer;
	if (!o)
		return null;
	const held = o.status === 'HELD';
	async function accept() {
		await api.call('POST', `/waitlist/offers/${o.id}/accept`, {});
		flash('ok', () => t('waitlist.booked', { when: fmtDateTime(o.start_time) }), '/visits');
		go('/visits');
	}
	return html`<div class=${'offer' + (focus ? ' focus' : '')} data-offer=${o.id}>
		<p><strong>${t('waitlist.offer', { when: fmtDateTime(o.start_time) })}</strong><br />
			${held ? t('waitlist.hold_until', { when: fmtDateTime(o.hold_until) }) : t('waitlist_offer.' + o.status)}</p>
		${held && html`<div class="actions">
			<button type="button" onClick=${() => run(accept)}>${t('waitlist.accept')}</button>
			<button type="button" class="secondary outline" onClick=${() =>
				run(() => api.call('POST', `/waitlist/offers/${o.id}/decline`, {}), t('waitlist.declined'))}>
				${t('waitlist.decline')}</button></div>`}
	</div>`;
}

// Joining the list of one doctor, from the doctor's page (?doctor=<id>).
function Join({ doctorId, reload }) {
	const [msg, setMsg] = useState(null);
	async function submit(e) {
		e.preventDefault();
		const f = new FormData(e.target);
		try {
			await api.call('POST', '/waitlist', { doctor_id: doctorId, from_date: f.get('from'),
				to_date: f.get('to') });
			setMsg({ kind: 'ok', text: t('waitlist.joined') });
			reload();
		} catch (err) {
			setMsg({ kind: 'error', text: errText(err) });
		}
	}
	return html`<form onSubmit=${submit} aria-labelledby="wl-join">
		<h2 id="wl-join">${t('waitlist.join_with')} <${DoctorName} id=${doctorId} /></h2>
		<p class="muted">${t('waitlist.join_help')}</p>
		<div class="grid">
			<${DateField} name="from" label=${t('waitlist.from')} value=${today()} required />
			<${DateField} name="to" label=${t('waitlist.to')} value=${addDays(today(), 14)} required />
		</div>
		<button type="submit">${t('waitlist.join')}</button>
		<${Msg} msg=${msg} />
	</form>`;
}

export function Waitlist({ offerId, flash }) {
	const doctorId = parseHash().query.get('doctor');
	const [list, reload] = useLoad(() => api.call('GET', '/waitlist/me?limit=100'), []);
	const [msg, run] = useAction(reload);
	const entries = list.data || [];
	const active = (e) => e.status === 'WAITING' || e.status === 'OFFERED';
	return html`<${Page} title=${t('waitlist.title')}>
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<${Msg} msg=${msg} />
		${offerId && !list.loading && !entries.some((e) => e.offer && e.offer.id === offerId) &&
			html`<${Banner} kind="error">${t('waitlist.no_offer')}<//>`}
		${doctorId && html`<${Join} doctorId=${doctorId} reload=${reload} />`}
		${!list.loading && entries.length === 0 ? html`<p class="muted">${t('waitlist.empty')}</p>` :
			html`<ul class="rows waitlist">${entries.map((e) => html`<li key=${e.id} data-entry=${e.id}>
				<div><strong><${DoctorName} id=${e.doctor_id} /></strong>
					<span class="muted"> · ${t('waitlist.between', { from: fmtDate(e.from_date + 'T12:00:00Z'),
						to: fmtDate(e.to_date + 'T12:00:00Z') })}</span>
					${' '}<span class=${'status ' + e.status}>${t('waitlist_status.' + e.status)}</span>
					<${Offer} entry=${e} focus=${e.offer && e.offer.id === offerId} run=${run} flash=${flash} />
				</div>
				${active(e) && html`<button type="button" class="secondary outline"
					onClick=${() => run(() => api.call('DELETE', `/waitlist/${e.id}`), t('waitlist.left'))}>
					${t('waitlist.leave')}</button>`}
			</li>`)}</ul>`}
	<//>`;
}
