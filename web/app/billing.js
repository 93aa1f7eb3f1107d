// billing.js - the front desk's billing (STAFF, ADMIN): find a patient,
// then their bills (create, mark paid, void, refund), insurance policies
// (list, add) and each policy's claims (list, file, follow).
import { useState } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, fmtDate, fmtMoney } from './i18n.js';
import { html, go, errText, Banner, Page, useLoad, getPatient, ptName, useAction, Msg,
	PatientFinder } from './ui.js';

const BILL_STATUSES = ['PENDING', 'PAID', 'VOID', 'REFUNDED'];
const CLAIM_STATUSES = ['PENDING', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID'];
const fields = (form) => Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));

export function Billing({ patientId }) {
	const [p] = useLoad(() => (patientId ? getPatient(patientId) : Promise.resolve(null)), [patientId]);
	// One list of bills for both sections: a claim names a bill just made.
	const [bills, reloadBills] = useLoad(() => (patientId
		? api.call('GET', `/billing/patient/${patientId}?limit=200`) : Promise.resolve([])), [patientId]);
	if (!patientId)
		return html`<${Page} title=${t('billing.title')}>
			<${PatientFinder} onPick=${(x) => go('/billing/' + x.id)} />
		<//>`;
	return html`<${Page} title=${t('billing.of', { name: ptName(p.data) })}>
		<p><a href="#/billing">${t('billing.other')}</a></p>
		${p.error && html`<${Banner} kind="error">${errText(p.error)}<//>`}
		<${Bills} patientId=${patientId} list=${bills} reload=${reloadBills} />
		<${Policies} patientId=${patientId} bills=${bills.data || []} />
	<//>`;
}

function Bills({ patientId, list, reload }) {
	const [msg, run] = useAction(reload);
	const add = (e) => {
		e.preventDefault();
		const f = fields(e.target);
		run(() => api.call('POST', '/billing', { patient_id: patientId, amount: Number(f.amount),
			currency: 'DZD', description: f.description || null }), t('billing.bill_added'))
			.then((done) => done && e.target.reset());
	};
	const setStatus = (b, status) => run(() => api.call('PATCH', `/billing/${b.id}`, { status }),
		t('billing.bill_saved'));
	return html`<section aria-labelledby="b-bills"><h2 id="b-bills">${t('billing.bills')}</h2>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		${list.data && list.data.length === 0 && html`<p class="muted">${t('bills.none')}</p>`}
		<ul class="rows">${(list.data || []).map((b) => html`<li key=${b.id} data-bill=${b.id}>
			<span>${fmtDate(b.created_at)} · <span dir="auto">${b.description || ''}</span> · <strong>${fmtMoney(b.amount, b.currency)}</strong></span>
			<select name="bill_status" aria-label=${t('billing.status_of', { what: b.description || fmtDate(b.created_at) })}
				value=${b.status} onChange=${(e) => setStatus(b, e.target.value)}>
				${BILL_STATUSES.map((s) => html`<option value=${s}>${t('bill.' + s)}</option>`)}</select>
		</li>`)}</ul>
		<form class="grid" onSubmit=${add}>
			<label>${t('bills.description')}<input name="description" maxlength="500" dir="auto" /></label>
			<label>${t('billing.amount_dzd')}<input name="amount" type="number" min="0.01" step="0.01" required /></label>
			<button type="submit">${t('billing.add_bill')}</button>
		</form>
	</section>`;
}

function Policies({ patientId, bills }) {
	const [list, reload] = useLoad(() => api.call('GET', `/billing/policies/patient/${patientId}?limit=100`), [patientId]);
	const [msg, run] = useAction(reload);
	const add = (e) => {
		e.preventDefault();
		const f = fields(e.target);
		run(() => api.call('POST', '/billing/policies', { patient_id: patientId, provider_name: f.provider_name,
			policy_number: f.policy_number, coverage_details: f.coverage_details || null }), t('billing.policy_added'))
			.then((done) => done && e.target.reset());
	};
	return html`<section aria-labelledby="b-pol"><h2 id="b-pol">${t('billing.policies')}</h2>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		${list.data && list.data.length === 0 && html`<p class="muted">${t('billing.no_policy')}</p>`}
		${(list.data || []).map((pol) => html`<article key=${pol.id} data-policy=${pol.id}>
			<header><strong dir="auto">${pol.provider_name}</strong> · <span dir="ltr">${pol.policy_number}</span></header>
			${pol.coverage_details && html`<p><bdi>${pol.coverage_details}</bdi></p>`}
			<${Claims} policy=${pol} bills=${bills} />
		</article>`)}
		<form class="grid" onSubmit=${add}>
			<label>${t('billing.provider')}<input name="provider_name" required maxlength="100" dir="auto" /></label>
			<label>${t('billing.policy_number')}<input name="policy_number" required maxlength="50" dir="ltr" /></label>
			<label>${t('billing.coverage')}<input name="coverage_details" maxlength="500" dir="auto" /></label>
			<button type="submit">${t('billing.add_policy')}</button>
		</form>
	</section>`;
}

function Claims({ policy, bills }) {
	const [list, reload] = useLoad(() => api.call('GET', `/billing/claims/policy/${policy.id}?limit=100`), [policy.id]);
	const [msg, run] = useAction(reload);
	const [billId, setBillId] = useState('');
	const bill = (id) => bills.find((b) => b.id === id);
	const billLabel = (b) => `${fmtDate(b.created_at)} · ${b.description || ''} · ${fmtMoney(b.amount, b.currency)}`;
	const file = () => run(() => api.call('POST', '/billing/claims', { policy_id: policy.id,
		billing_id: billId || null }), t('billing.claim_added'));
	return html`<h3>${t('billing.claims')}</h3>
		<${Msg} msg=${msg} />
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<ul class="rows">${(list.data || []).map((c) => html`<li key=${c.id} data-claim=${c.id}>
			<span>${fmtDate(c.created_at)}${c.billing_id && bill(c.billing_id) ? ' · ' + billLabel(bill(c.billing_id)) : ''}</span>
			<select name="claim_status" aria-label=${t('billing.claim_status', { when: fmtDate(c.created_at) })} value=${c.status}
				onChange=${(e) => run(() => api.call('PATCH', `/billing/claims/${c.id}`, { status: e.target.value }),
					t('billing.claim_saved'))}>
				${CLAIM_STATUSES.map((s) => html`<option value=${s}>${t('claim.' + s)}</option>`)}</select>
		</li>`)}</ul>
		<div class="grid">
			<label>${t('billing.claim_for')}<select name="claim_bill" value=${billId} onChange=${(e) => setBillId(e.target.value)}>
				<option value="">—</option>
				${bills.map((b) => html`<option value=${b.id}>${billLabel(b)}</option>`)}</select></label>
			<button type="button" class="outline" onClick=${file}>${t('billing.add_claim')}</button>
		</div>`;
}
