// doctor.js - the doctor's screens: the day's visits with arrival status
// (live: re-fetched on each event of this doctor), a patient's chart (visits and records over time), writing and editing
// a record, completing a visit, and the weekly windows, services and time
// off (also reached by an admin for any doctor: #/schedule/{doctor_id}).
import { useState, useEffect } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtDateTime, fmtDate, fmtMoney } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, useLoad, getPatient, ptName, PatientName,
	addDays, today, useAction, Msg, DayNav, DayVisits, DateField, TimeField, RecordView } from './ui.js';
import { useLiveRevisions, LiveBadge } from './live.js';

const OPEN = ['SCHEDULED', 'ARRIVED'];

export function DoctorToday() {
	const day = parseHash().query.get('day') || today();
	// The stream is the whole clinic's: only this doctor's events (and a
	// resync after a gap) change rev, so only they re-fetch the day.
	const [me] = useLoad(() => api.call('GET', '/doctors/me/profile'), []);
	const [live, revOf] = useLiveRevisions();
	const rev = revOf(me.data && me.data.id);
	const [list, reload] = useLoad(() => api.call('GET',
		`/appointments/doctor/me?from=${day}&to=${addDays(day, 1)}&limit=200`), [day, rev]);
	const [msg, run] = useAction(reload);
	const complete = (a) => run(() => api.call('PATCH', `/appointments/${a.id}/status`, { status: 'COMPLETED' }),
		t('doc.completed'));

	return html`<${Page} title=${t('doc.today_title')}>
		<${LiveBadge} state=${live} />
		<${DayNav} day=${day} span=${1} setDay=${(d) => go('/today?day=' + d)} />
		<${DayVisits} list=${list} msg=${msg} actions=${(a) => html`
			<div class="actions">
				<a role="button" class="outline" href=${'#/chart/' + a.patient_id}>${t('doc.chart')}</a>
				${a.status !== 'CANCELLED' && html`<a role="button" class="outline"
					href=${`#/record/new?patient=${a.patient_id}&appt=${a.id}`}>${t('doc.write')}</a>`}
				${OPEN.includes(a.status) && html`<button type="button" onClick=${() => complete(a)}
					aria-label=${t('doc.complete_label', { time: fmtDateTime(a.start_time) })}>${t('doc.complete')}</button>`}
			</div>`} />
	<//>`;
}

// A patient's chart: who they are, then their visits with this doctor and
// the records written, newest first.
export function Chart({ patientId }) {
	const [p] = useLoad(() => getPatient(patientId), [patientId]);
	const [visits] = useLoad(() => api.call('GET', '/appointments/doctor/me?limit=500'), []);
	const [recs] = useLoad(() => api.call('GET', '/medical-records/doctor/me?limit=500'), []);
	const mine = (l) => (l || []).filter((x) => x.patient_id === patientId);
	const events = [
		...mine(visits.data).map((a) => ({ at: a.start_time, visit: a })),
		...mine(recs.data).map((r) => ({ at: r.recorded_at || r.created_at, rec: r })),
	].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
	const pt = p.data;
	const err = p.error || visits.error || recs.error;

	return html`<${Page} title=${t('doc.chart_title', { name: ptName(pt) })}>
		${err && html`<${Banner} kind="error">${errText(err)}<//>`}
		${pt && html`<dl class="facts">
			${pt.date_of_birth && html`<dt>${t('field.date_of_birth')}</dt><dd>${fmtDate(pt.date_of_birth + 'T12:00:00Z')}</dd>`}
			${pt.blood_type && html`<dt>${t('field.blood_type')}</dt><dd>${pt.blood_type}</dd>`}
			${pt.allergies && html`<dt>${t('field.allergies')}</dt><dd><bdi>${pt.allergies}</bdi></dd>`}
			${pt.phone && html`<dt>${t('field.phone')}</dt><dd><bdi dir="ltr">${pt.phone}</bdi></dd>`}
		</dl>`}
		<p><a role="button" href=${'#/record/new?patient=' + patientId}>${t('doc.write')}</a></p>
		<h2>${t('doc.history')}</h2>
		${visits.data && recs.data && events.length === 0 && html`<p class="muted">${t('records.none')}</p>`}
		<ol class="timeline">${events.map((e) => e.visit ? html`<li key=${e.visit.id} data-appt=${e.visit.id}>
				<strong>${fmtDateTime(e.at)}</strong> <span class="status ${e.visit.status}">${t('status.' + e.visit.status)}</span>
				${e.visit.reason && html` · <span dir="auto">${e.visit.reason}</span>`}</li>`
			: html`<li key=${e.rec.id} data-record=${e.rec.id}><article>
				<header><strong>${fmtDate(e.at)}</strong> · ${t('doc.record')}
					${' '}<a href=${'#/record/' + e.rec.id}>${t('doc.edit')}</a></header>
				<${RecordView} r=${e.rec} />
			</article></li>`)}</ol>
	<//>`;
}

const RECORD_FIELDS = [['diagnosis', 'records.diagnosis', 500], ['treatment_plan', 'records.treatment', 5000],
	['prescription', 'records.prescription', 5000], ['notes', 'records.notes', 5000]];

// Write a record (id 'new', ?patient=, optionally ?appt= the visit it
// follows, which can be completed at once) or edit one.
export function RecordForm({ id, flash }) {
	const q = parseHash().query;
	const isNew = id === 'new';
	const [rec] = useLoad(() => (isNew ? Promise.resolve(null) : api.call('GET', `/medical-records/${id}`)), [id]);
	const [form, setForm] = useState(null);
	const [completeToo, setCompleteToo] = useState(!!q.get('appt'));
	const [msg, setMsg] = useState(null);
	const patientId = isNew ? q.get('patient') : rec.data && rec.data.patient_id;
	useEffect(() => {
		if (!rec.loading) {
			const f = {};
			for (const [k] of RECORD_FIELDS)
				f[k] = (rec.data && rec.data[k]) || '';
			setForm(f);
		}
	}, [rec.loading]);

	async function save(e) {
		e.preventDefault();
		const body = {};
		for (const [k] of RECORD_FIELDS)
			body[k] = form[k].trim() === '' ? null : form[k].trim();
		try {
			if (isNew)
				await api.call('POST', '/medical-records', { ...body, patient_id: patientId });
			else
				await api.call('PATCH', `/medical-records/${id}`, body);
			if (isNew && completeToo && q.get('appt'))
				await api.call('PATCH', `/appointments/${q.get('appt')}/status`, { status: 'COMPLETED' });
			flash('ok', () => t('doc.saved'), '/chart/' + patientId);
			go('/chart/' + patientId);
		} catch (err) {
			setMsg({ kind: 'error', text: err.status === 409 ? t('err.409_refreshed') : errText(err) });
		}
	}

	return html`<${Page} title=${t(isNew ? 'doc.new_record' : 'doc.edit_record')}>
		${patientId && html`<p>${t('desk.for')} <strong><${PatientName} id=${patientId} /></strong>${' · '}
			<a href=${'#/chart/' + patientId}>${t('doc.chart')}</a></p>`}
		<${Msg} msg=${msg} />
		${rec.error && html`<${Banner} kind="error">${errText(rec.error)}<//>`}
		${form && html`<form onSubmit=${save}>
			${RECORD_FIELDS.map(([k, label, max]) => html`<label>${t(label)}
				${k === 'diagnosis' ? html`<input name=${k} required maxlength=${max} value=${form[k]} dir="auto"
					onInput=${(e) => setForm({ ...form, [k]: e.target.value })} />`
				: html`<textarea name=${k} maxlength=${max} rows="3" dir="auto" value=${form[k]}
					onInput=${(e) => setForm({ ...form, [k]: e.target.value })} />`}</label>`)}
			${isNew && q.get('appt') && html`<label><input type="checkbox" name="complete" checked=${completeToo}
				onChange=${(e) => setCompleteToo(e.target.checked)} /> ${t('doc.complete_too')}</label>`}
			<button type="submit">${t('profile.save')}</button>
		</form>`}
	<//>`;
}

// --- weekly windows, services, time off -----------------------------------

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const fields = (form) => Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));

export function Schedule({ doctorId }) {
	const [me] = useLoad(() => (doctorId ? Promise.resolve({ id: doctorId })
		: api.call('GET', '/doctors/me/profile')), [doctorId]);
	const id = me.data && me.data.id;
	return html`<${Page} title=${t('sched.title')}>
		${me.error && html`<${Banner} kind="error">${errText(me.error)}<//>`}
		${id && html`<${Windows} id=${id} /><${Services} id=${id} /><${TimeOff} id=${id} />`}
	<//>`;
}

function Windows({ id }) {
	const [list, reload] = useLoad(() => api.call('GET', `/doctors/${id}/availability`), [id]);
	const [msg, run] = useAction(reload);
	const rows = (list.data || []).slice().sort((a, b) =>
		WEEKDAYS.indexOf(a.weekday) - WEEKDAYS.indexOf(b.weekday) || a.start_time.localeCompare(b.start_time));
	const add = (e) => {
		e.preventDefault();
		const f = fields(e.target);
		run(() => api.call('POST', `/doctors/${id}/availability`, f), t('sched.saved'));
	};
	return html`<section aria-labelledby="s-win"><h2 id="s-win">${t('sched.windows')}</h2>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<ul class="rows">${rows.map((w) => html`<li key=${w.id} data-window=${w.id}>
			<span>${t('weekday.' + w.weekday)} <span dir="ltr">${w.start_time.slice(0, 5)}–${w.end_time.slice(0, 5)}</span></span>
			<button type="button" class="secondary outline inline"
				aria-label=${t('sched.remove_window', { day: t('weekday.' + w.weekday), from: w.start_time.slice(0, 5) })}
				onClick=${() => run(() => api.call('DELETE', `/doctors/availability/${w.id}`), t('sched.removed'))}>${t('sched.remove')}</button>
		</li>`)}</ul>
		<form class="grid" onSubmit=${add}>
			<label>${t('sched.weekday')}<select name="weekday">
				${WEEKDAYS.map((d) => html`<option value=${d}>${t('weekday.' + d)}</option>`)}</select></label>
			<${TimeField} name="start_time" label=${t('sched.from')} value="09:00" />
			<${TimeField} name="end_time" label=${t('sched.to')} value="12:00" />
			<button type="submit">${t('sched.add')}</button>
		</form>
	</section>`;
}

function Services({ id }) {
	const [list, reload] = useLoad(() => api.call('GET', `/doctors/${id}/services`), [id]);
	const [msg, run] = useAction(reload);
	const add = (e) => {
		e.preventDefault();
		const f = fields(e.target);
		const body = { name: f.name, duration_minutes: parseInt(f.duration_minutes, 10) };
		if (f.price)
			Object.assign(body, { price: Number(f.price), currency: 'DZD' });
		run(() => api.call('POST', `/doctors/${id}/services`, body), t('sched.saved'))
			.then((done) => done && e.target.reset());
	};
	return html`<section aria-labelledby="s-svc"><h2 id="s-svc">${t('sched.services')}</h2>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<ul class="rows">${(list.data || []).map((s) => html`<li key=${s.id} data-service=${s.id}>
			<span dir="auto">${s.name}</span> · ${t('sched.minutes', { n: s.duration_minutes })}
			${s.price ? ' · ' + fmtMoney(s.price, s.currency) : ''}
			${!s.is_active && html` <span class="status CANCELLED">${t('sched.inactive')}</span>`}
			<button type="button" class="secondary outline inline" aria-label=${t('sched.remove_named', { name: s.name })}
				onClick=${() => run(() => api.call('DELETE', `/doctors/services/${s.id}`), t('sched.removed'))}>${t('sched.remove')}</button>
		</li>`)}</ul>
		<form class="grid" onSubmit=${add}>
			<label>${t('sched.service_name')}<input name="name" required maxlength="100" dir="auto" /></label>
			<label>${t('sched.duration')}<input name="duration_minutes" type="number" min="5" max="480" step="5" required value="30" /></label>
			<label>${t('sched.price')}<input name="price" type="number" min="0" step="0.01" /></label>
			<button type="submit">${t('sched.add')}</button>
		</form>
	</section>`;
}

function TimeOff({ id }) {
	const [list, reload] = useLoad(() => api.call('GET', `/doctors/${id}/time-off`), [id]);
	const [msg, run] = useAction(reload);
	const add = (e) => {
		e.preventDefault();
		const f = fields(e.target);
		// Whole days, clinic-local: from the first day's midnight to the
		// midnight after the last.
		run(() => api.call('POST', `/doctors/${id}/time-off`, {
			start_time: `${f.from}T00:00:00`, end_time: `${addDays(f.to || f.from, 1)}T00:00:00`,
			reason: f.reason || null,
		}), t('sched.saved'));
	};
	return html`<section aria-labelledby="s-off"><h2 id="s-off">${t('sched.time_off')}</h2>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<ul class="rows">${(list.data || []).map((o) => html`<li key=${o.id} data-time-off=${o.id}>
			<span>${fmtDateTime(o.start_time)} – ${fmtDateTime(o.end_time)}</span>${o.reason ? html` · <span dir="auto">${o.reason}</span>` : ''}
			<button type="button" class="secondary outline inline" aria-label=${t('sched.remove_named', { name: fmtDateTime(o.start_time) })}
				onClick=${() => run(() => api.call('DELETE', `/doctors/time-off/${o.id}`), t('sched.removed'))}>${t('sched.remove')}</button>
		</li>`)}</ul>
		<form class="grid" onSubmit=${add}>
			<${DateField} name="from" label=${t('sched.first_day')} required />
			<${DateField} name="to" label=${t('sched.last_day')} />
			<label>${t('sched.reason')}<input name="reason" maxlength="200" dir="auto" /></label>
			<button type="submit">${t('sched.add')}</button>
		</form>
	</section>`;
}
