// session.js - the screens around a session: log in (each role lands on
// its own first screen), create a patient account, forgotten password and
// reset.
import { useState } from '../vendor/hooks.js';
import * as api from './api.js';
import { t } from './i18n.js';
import { html, parseHash, go, errText, Banner, Page, isDesk, isDoctor } from './ui.js';

// next: where to go once logged in (the private page that asked for it).
export function Login({ session, next: wanted }) {
	const next = parseHash().query.get('next') || wanted || '/';
	const [msg, setMsg] = useState(null);
	async function submit(e) {
		e.preventDefault();
		const f = new FormData(e.target);
		try {
			await api.login(f.get('email'), f.get('password'));
			const u = await session.load();
			// The front desk starts its day on the desk, a doctor on the day's
			// visits, not on the search.
			go(next !== '/' ? next : isDesk(u) ? '/desk' : isDoctor(u) ? '/today' : next);
		} catch (err) {
			setMsg(err.status === 401 ? t('login.bad') : err.status === 403 ? t('login.inactive') : errText(err));
		}
	}
	return html`<${Page} title=${t('login.title')}>
		${session.expired && html`<${Banner} kind="info">${t('login.expired')}<//>`}
		${msg && html`<${Banner} kind="error">${msg}<//>`}
		<form onSubmit=${submit}>
			<label>${t('field.email')}<input name="email" type="email" autocomplete="username" required /></label>
			<label>${t('field.password')}<input name="password" type="password" autocomplete="current-password" required /></label>
			<button type="submit">${t('login.submit')}</button>
		</form>
		<p><a href="#/forgot">${t('login.forgot')}</a> · <a href=${'#/register?next=' + encodeURIComponent(next)}>${t('nav.register')}</a></p>
	<//>`;
}

export function Register({ session }) {
	const next = parseHash().query.get('next') || '/';
	const [msg, setMsg] = useState(null);
	async function submit(e) {
		e.preventDefault();
		const f = new FormData(e.target);
		if (String(f.get('password')).length < 8)
			return setMsg(t('register.short'));
		try {
			await api.register(f.get('email'), f.get('password'));
			await api.call('POST', '/patients/me', {
				first_name: f.get('first_name'), last_name: f.get('last_name'),
				phone: f.get('phone') || null,
			});
			await session.load();
			go(next);
		} catch (err) {
			setMsg(err.status === 409 ? t('register.taken') : errText(err));
		}
	}
	return html`<${Page} title=${t('register.title')}>
		${msg && html`<${Banner} kind="error">${msg}<//>`}
		<form onSubmit=${submit}>
			<div class="grid">
				<label>${t('field.first_name')}<input name="first_name" autocomplete="given-name" required maxlength="100" /></label>
				<label>${t('field.last_name')}<input name="last_name" autocomplete="family-name" required maxlength="100" /></label>
			</div>
			<label>${t('field.phone')}<input name="phone" type="tel" autocomplete="tel" maxlength="20" /></label>
			<label>${t('field.email')}<input name="email" type="email" autocomplete="username" required /></label>
			<label>${t('field.password')}<input name="password" type="password" autocomplete="new-password" required minlength="8"
				aria-describedby="pw-help" /></label>
			<small id="pw-help">${t('register.pw_help')}</small>
			<button type="submit">${t('register.submit')}</button>
		</form>
		<p><a href="#/login">${t('register.have_account')}</a></p>
	<//>`;
}

export function Forgot() {
	const [msg, setMsg] = useState(null);
	async function submit(e) {
		e.preventDefault();
		try {
			await api.call('POST', '/auth/forgot', { email: new FormData(e.target).get('email') });
			setMsg({ kind: 'ok', text: t('forgot.sent') });
		} catch (err) {
			setMsg({ kind: 'error', text: errText(err) });
		}
	}
	return html`<${Page} title=${t('forgot.title')}>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		<p>${t('forgot.help')}</p>
		<form onSubmit=${submit}>
			<label>${t('field.email')}<input name="email" type="email" autocomplete="username" required /></label>
			<button type="submit">${t('forgot.submit')}</button>
		</form>
		<p><a href="#/reset">${t('forgot.have_code')}</a></p>
	<//>`;
}

export function Reset() {
	const token = parseHash().query.get('token') || '';
	const [msg, setMsg] = useState(null);
	async function submit(e) {
		e.preventDefault();
		const f = new FormData(e.target);
		try {
			await api.call('POST', '/auth/reset', { reset_token: f.get('reset_token'), new_password: f.get('new_password') });
			setMsg({ kind: 'ok', text: t('reset.done') });
		} catch (err) {
			setMsg({ kind: 'error', text: err.status === 400 ? t('reset.bad') : errText(err) });
		}
	}
	return html`<${Page} title=${t('reset.title')}>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text} ${msg.kind === 'ok' && html`<a href="#/login">${t('login.title')}</a>`}<//>`}
		<form onSubmit=${submit}>
			<label>${t('reset.code')}<input name="reset_token" required value=${token} autocomplete="off" /></label>
			<label>${t('reset.password')}<input name="new_password" type="password" minlength="8" required autocomplete="new-password" /></label>
			<button type="submit">${t('reset.submit')}</button>
		</form>
	<//>`;
}
