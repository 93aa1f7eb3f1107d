// admin.js - the administrator's screens: users and their roles, doctors,
// the clinic's booking rules and holidays, the audit log (who saw which
// record).  #/admin/{users,doctors,settings,audit}.
import { useState } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtDateTime, fmtDate } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, useLoad, drName, useAction, Msg, DateField } from './ui.js';

// A catalogue label for a value the API gives, or the value itself when
// the catalogue has none (a newer kind of audit entry).
const lbl = (prefix, v) => (t(prefix + v) === prefix + v ? v : t(prefix + v));

const TABS = ['users', 'doctors', 'settings', 'audit'];
const ROLES = ['PATIENT', 'DOCTOR', 'STAFF', 'ADMIN'];

export function Admin({ tab }) {
	const cur = TABS.includes(tab) ? tab : 'users';
	const Screen = { users: Users, doctors: Doctors, settings: Settings, audit: Audit }[cur];
	return html`<${Page} title=${t('admin.' + cur)}>
		<nav aria-label=${t('admin.title')} class="tabs"><ul>
			${TABS.map((k) => html`<li><a href=${'#/admin/' + k} aria-current=${k === cur ? 'page' : undefined}>${t('admin.' + k)}</a></li>`)}
		</ul></nav>
		<${Screen} />
	<//>`;
}

function Users() {
	const [list, reload] = useLoad(() => api.call('GET', '/users?limit=1000'), []);
	const [me] = useLoad(() => api.call('GET', '/users/me'), []);
	const [msg, run] = useAction(reload);
	const [find, setFind] = useState('');
	// The API would let an admin demote or deactivate themself, and so
	// lock the clinic out of its own administration: not from here.
	const self = (u) => me.data && me.data.id === u.id;
	const rows = (list.data || []).filter((u) => u.email.toLowerCase().includes(find.trim().toLowerCase()));
	const patch = (u, body, ok) => run(() => api.call('PATCH', `/users/${u.id}`, body), ok);
	return html`
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<label>${t('admin.find_user')}<input name="find_user" type="search" value=${find} onInput=${(e) => setFind(e.target.value)} /></label>
		<ul class="rows users">${rows.map((u) => html`<li key=${u.id} data-user=${u.id}>
			<strong class="email" dir="ltr">${u.email}</strong>
			${self(u) ? html`<span class="muted">${t('role.' + u.role.name)} · ${t('admin.you')}</span>` : html`
			<select name="role" aria-label=${t('admin.role_of', { email: u.email })} value=${u.role ? u.role.name : ''}
				onChange=${(e) => patch(u, { role: e.target.value }, t('admin.role_saved', { email: u.email }))}>
				${ROLES.map((r) => html`<option value=${r}>${t('role.' + r)}</option>`)}</select>
			${u.is_active ? html`<span class="status SCHEDULED">${t('admin.active')}</span>`
				: html`<span class="status CANCELLED">${t('admin.inactive')}</span>`}
			${u.is_active
				? html`<button type="button" class="secondary outline inline" aria-label=${t('admin.deactivate_label', { email: u.email })}
					onClick=${() => patch(u, { is_active: false }, t('admin.deactivated', { email: u.email }))}>${t('admin.deactivate')}</button>`
				: html`<button type="button" class="outline inline" aria-label=${t('admin.activate_label', { email: u.email })}
					onClick=${() => patch(u, { is_active: true }, t('admin.activated', { email: u.email }))}>${t('admin.activate')}</button>`}`}
		</li>`)}</ul>`;
}

function Doctors() {
	const [list] = useLoad(() => api.call('GET', '/doctors?limit=100'), []);
	return html`
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<ul class="rows">${(list.data || []).map((d) => html`<li key=${d.id} data-doctor=${d.id}>
			<strong>${drName(d)}</strong> · ${(d.specialties || []).map((s) => s.name).join(', ')}${d.city ? ' · ' + d.city : ''}
			${' '}<a href=${'#/schedule/' + d.id} aria-label=${t('admin.schedule_of', { name: drName(d) })}>${t('sched.title')}</a>
			${' '}<a href=${'#/doctor/' + d.id}>${t('admin.public_page')}</a>
		</li>`)}</ul>`;
}

const SETTINGS = [['min_notice_minutes', 0, 525600], ['booking_horizon_days', 1, 3650],
	['max_no_shows', 0, 100], ['slot_step_minutes', 5, 480]];

function Settings() {
	const [s, reload] = useLoad(() => api.call('GET', '/settings'), []);
	const [hol, reloadHol] = useLoad(() => api.call('GET', '/holidays'), []);
	const [msg, run] = useAction(reload);
	const [hmsg, runHol] = useAction(reloadHol);
	const save = (e) => {
		e.preventDefault();
		const f = new FormData(e.target);
		const body = {};
		for (const [k] of SETTINGS)
			body[k] = parseInt(f.get(k), 10);
		run(() => api.call('PATCH', '/settings', body), t('admin.settings_saved'));
	};
	const addHoliday = (e) => {
		e.preventDefault();
		const f = new FormData(e.target);
		runHol(() => api.call('POST', '/holidays', { date: f.get('date'), name: String(f.get('name')).trim() }),
			t('sched.saved'));
	};
	return html`
		<${Msg} msg=${msg} />
		${s.error && html`<${Banner} kind="error">${errText(s.error)}<//>`}
		${s.data && html`<form key=${JSON.stringify(s.data)} onSubmit=${save}><div class="grid-cards">
			${SETTINGS.map(([k, min, max]) => html`<label>${t('setting.' + k)}
				<input name=${k} type="number" min=${min} max=${max} required defaultValue=${s.data[k]} /></label>`)}
			</div><button type="submit">${t('profile.save')}</button></form>`}
		<h2>${t('admin.holidays')}</h2>
		<${Msg} msg=${hmsg} />
		<ul class="rows">${(hol.data || []).map((x) => html`<li key=${x.id} data-holiday=${x.id}>
			<span>${fmtDate(x.date + 'T12:00:00Z')} · <span dir="auto">${x.name}</span></span>
			<button type="button" class="secondary outline inline" aria-label=${t('sched.remove_named', { name: x.name })}
				onClick=${() => runHol(() => api.call('DELETE', `/holidays/${x.id}`), t('sched.removed'))}>${t('sched.remove')}</button>
		</li>`)}</ul>
		<form class="grid" onSubmit=${addHoliday}>
			<${DateField} name="date" label=${t('admin.holiday_date')} required />
			<label>${t('admin.holiday_name')}<input name="name" required maxlength="100" dir="auto" /></label>
			<button type="submit">${t('sched.add')}</button>
		</form>`;
}

// The audit log, newest first; filters are the query of the page, so a
// filtered view can be linked to.
// What an audit row is about: one object, or every object a list read showed.
const idLink = (id) => html`<a href=${'#/admin/audit?entity_id=' + encodeURIComponent(id)}
	dir="ltr"><small>${id.slice(0, 8)}</small></a>`;

function AuditObjects({ r }) {
	if (r.entity_id)
		return idLink(r.entity_id);
	const ids = r.entity_ids || [];
	if (ids.length === 0)
		return null;
	return html`<details><summary>${t('audit.items', { n: ids.length })}</summary>
		${ids.map((id) => html`${idLink(id)} `)}</details>`;
}

function Audit() {
	const q = parseHash().query;
	const keys = ['user_id', 'entity', 'entity_id', 'from', 'to'];
	const [users] = useLoad(() => api.call('GET', '/users?limit=1000'), []);
	const [list] = useLoad(() => {
		const p = new URLSearchParams();
		for (const k of keys)
			if (q.get(k))
				p.set(k, q.get(k));
		p.set('limit', '200');
		return api.call('GET', '/audit?' + p.toString());
	}, [q.toString()]);
	const email = (id) => ((users.data || []).find((u) => u.id === id) || {}).email || id || '—';
	const filter = (e) => {
		e.preventDefault();
		const p = new URLSearchParams();
		for (const [k, v] of new FormData(e.target))
			if (String(v).trim())
				p.set(k, String(v).trim());
		go('/admin/audit?' + p.toString());
	};
	return html`
		<form class="grid-cards" onSubmit=${filter}>
			<label>${t('audit.user')}<select name="user_id" value=${q.get('user_id') || ''}>
				<option value="">${t('common.all')}</option>
				${(users.data || []).map((u) => html`<option value=${u.id}>${u.email}</option>`)}</select></label>
			<label>${t('audit.entity')}<select name="entity" value=${q.get('entity') || ''}>
				<option value="">${t('common.all')}</option>
				${['medical_record', 'patient'].map((x) => html`<option value=${x}>${t('entity.' + x)}</option>`)}</select></label>
			<label>${t('audit.entity_id')}<input name="entity_id" value=${q.get('entity_id') || ''} dir="ltr" /></label>
			<${DateField} name="from" label=${t('audit.from')} value=${q.get('from') || ''} years=${[-2, -1, 0]} />
			<${DateField} name="to" label=${t('audit.to')} value=${q.get('to') || ''} years=${[-2, -1, 0, 1]} />
			<button type="submit">${t('audit.filter')}</button>
		</form>
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<p role="status" class="muted">${list.data ? t('audit.count', { n: list.data.length }) : ''}</p>
		<div class="overflow-auto" tabindex="0" role="region" aria-label=${t('admin.audit')}><table class="stack">
			<thead><tr><th scope="col">${t('audit.when')}</th><th scope="col">${t('audit.user')}</th>
				<th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.entity')}</th>
				<th scope="col">${t('audit.outcome')}</th></tr></thead>
			<tbody>${(list.data || []).map((r) => html`<tr key=${r.id} data-audit=${r.id}>
				<td class="nowrap" data-label=${t('audit.when')}>${fmtDateTime(r.at)}</td>
				<td class="nowrap" data-label=${t('audit.user')}><span dir="ltr">${email(r.user_id)}</span>${r.role ? ` (${lbl('role.', r.role)})` : ''}</td>
				<td data-label=${t('audit.action')}>${lbl('action.', r.action)}</td>
				<td data-label=${t('audit.entity')}>${lbl('entity.', r.entity)} <${AuditObjects} r=${r} /></td>
				<td data-label=${t('audit.outcome')}>${r.outcome}</td>
			</tr>`)}</tbody>
		</table></div>`;
}
