// main.js - the clinic web app: the patient's screens (find a doctor,
// book, visits, records, bills, profile) and the session screens.
// Preact + htm: no build step, every file is served as written.
import { render } from '../vendor/preact.js';
import { useState, useEffect, useCallback } from '../vendor/hooks.js';
import * as api from './api.js';
import { t, initLang, setLang, getLang, setZone, getZone, LANGS,
	fmtDateTime, fmtDate, fmtMoney, dayKey } from './i18n.js';
import { visitIcs, download } from './ics.js';
import { Login, Register, Forgot, Reset } from './session.js';
import { Waitlist } from './waitlist.js';
import { Notifications } from './notifications.js';
import { html, parseHash, go, useRoute, errText, Banner, Page, useLoad, getDoctor, drName,
	DoctorName, PatientName, SlotPicker, isDesk, isPatient, isDoctor, isAdmin,
	useAction, CancelForm, cancelBody, RecordView, lazy } from './ui.js';

// The staff's screens load when first opened: a patient's phone never
// downloads them.
const Desk = lazy(() => import('./desk.js'), 'Desk');
const DeskBook = lazy(() => import('./desk.js'), 'DeskBook');
const DeskWeek = lazy(() => import('./desk.js'), 'DeskWeek');
const DeskNewPatient = lazy(() => import('./desk.js'), 'DeskNewPatient');
const DoctorToday = lazy(() => import('./doctor.js'), 'DoctorToday');
const Chart = lazy(() => import('./doctor.js'), 'Chart');
const RecordForm = lazy(() => import('./doctor.js'), 'RecordForm');
const Schedule = lazy(() => import('./doctor.js'), 'Schedule');
const Admin = lazy(() => import('./admin.js'), 'Admin');
const Billing = lazy(() => import('./billing.js'), 'Billing');

// --- header ---------------------------------------------------------------

function Header({ session, onLogout }) {
	const lang = getLang();
	return html`<header class="bar container">
		<a class="skip" href="#main" onClick=${(e) => {
			e.preventDefault();
			const h1 = document.querySelector('main h1');
			if (h1) h1.focus();
		}}>${t('nav.skip')}</a>
		<nav aria-label=${t('nav.label')}>
			<ul class="top">
				<li class="brand-item"><a class="brand" href="#/">${t('app.title')}</a></li>
				<li class="lang">
					<label for="lang-select" class="visually-hidden">${t('nav.language')}</label>
					<select id="lang-select" aria-label=${t('nav.language')} value=${lang}
						onChange=${(e) => session.setLang(e.target.value)}>
						${Object.keys(LANGS).map((l) => html`<option value=${l} lang=${l}>${LANGS[l]._name}</option>`)}
					</select>
				</li>
				${session.user && html`<li class="logout"><button class="secondary outline" type="button"
					onClick=${onLogout}>${t('nav.logout')}</button></li>`}
			</ul>
			<ul class="links">
				${(!session.user || isPatient(session.user)) && html`<li><a href="#/">${t('nav.doctors')}</a></li>`}
				${session.user ? html`
					${isDesk(session.user) && html`<li><a href="#/desk">${t('nav.desk')}</a></li>
						<li><a href="#/billing">${t('nav.billing')}</a></li>`}
					${isDoctor(session.user) && html`<li><a href="#/today">${t('nav.today')}</a></li>
						<li><a href="#/schedule">${t('nav.schedule')}</a></li>`}
					${isAdmin(session.user) && html`<li><a href="#/admin/users">${t('nav.admin')}</a></li>`}
					${isPatient(session.user) && html`
						<li><a href="#/visits">${t('nav.visits')}</a></li>
						<li><a href="#/records">${t('nav.records')}</a></li>
						<li><a href="#/bills">${t('nav.bills')}</a></li>
						<li><a href="#/profile">${t('nav.profile')}</a></li>`}
				` : html`
					<li><a href="#/login">${t('nav.login')}</a></li>
					<li><a href="#/register">${t('nav.register')}</a></li>
				`}
			</ul>
		</nav>
	</header>`;
}

// --- find a doctor ----------------------------------------------------------

function Search() {
	const { query } = parseHash();
	const [form, setForm] = useState({
		name: query.get('name') || '', specialty: query.get('specialty') || '',
		city: query.get('city') || '',
	});
	const [specs] = useLoad(() => api.call('GET', '/doctors/specialties'), []);
	const [res, reload] = useLoad(() => {
		const p = new URLSearchParams();
		for (const k of ['name', 'specialty', 'city'])
			if (form[k].trim())
				p.set(k, form[k].trim());
		p.set('limit', '50');
		return api.call('GET', '/doctors?' + p.toString());
	}, [form.name, form.specialty, form.city]);
	const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });

	return html`<${Page} title=${t('search.title')}>
		<form role="search" onSubmit=${(e) => { e.preventDefault(); reload(); }}>
			<div class="grid">
				<label>${t('search.specialty')}
					<select name="specialty" value=${form.specialty} onChange=${set('specialty')}>
						<option value="">${t('search.any')}</option>
						${(specs.data || []).map((s) => html`<option value=${s.name}>${s.name}</option>`)}
					</select>
				</label>
				<label>${t('search.city')}
					<input name="city" value=${form.city} onInput=${set('city')} autocomplete="address-level2" />
				</label>
				<label>${t('search.name')}
					<input name="name" type="search" value=${form.name} onInput=${set('name')} />
				</label>
			</div>
		</form>
		${res.error && html`<${Banner} kind="error">${errText(res.error)}<//>`}
		<p role="status" class="muted">${res.loading ? t('common.loading') :
			res.data ? t('search.count', { n: res.data.length }) : ''}</p>
		<div class="grid-cards">
			${(res.data || []).map((d) => html`<article key=${d.id}>
				<header><strong>${drName(d)}</strong></header>
				<p>${(d.specialties || []).map((s) => s.name).join(', ')}</p>
				<p class="muted">${d.city || ''}${d.rating_count ? ' · ' + t('doctor.rating', { r: d.avg_rating.toFixed(1), n: d.rating_count }) : ''}</p>
				<a role="button" href=${'#/doctor/' + d.id} aria-label=${t('search.book_with', { name: drName(d) })}>${t('search.book')}</a>
			</article>`)}
		</div>
	<//>`;
}

function DoctorPage({ id, session, flash }) {
	const [doc] = useLoad(() => getDoctor(id), [id]);
	const [reviews] = useLoad(() => api.call('GET', `/doctors/${id}/reviews?limit=5`), [id]);
	const [reason, setReason] = useState('');
	const d = doc.data;

	async function book(slot) {
		await api.call('POST', '/appointments', {
			doctor_id: id, start_time: slot.start_time, end_time: slot.end_time,
			...(reason.trim() ? { reason: reason.trim() } : {}),
		});
		flash('ok', () => t('book.done', { when: fmtDateTime(slot.start_time), name: drName(d) }), '/visits');
		go('/visits');
	}

	if (doc.error)
		return html`<${Page} title=${t('doctor.title')}><${Banner} kind="error">${errText(doc.error)}<//><//>`;
	return html`<${Page} title=${d ? drName(d) : t('common.loading')}>
		${d && html`<p dir="auto">${(d.specialties || []).map((s) => s.name).join(', ')}${d.city ? ' · ' + d.city : ''}</p>
			${d.bio && html`<p dir="auto">${d.bio}</p>`}
			${d.clinic_address && html`<p class="muted" dir="auto">${d.clinic_address}</p>`}`}
		<h2>${t('book.title')}</h2>
		<p class="muted">${t('book.zone', { zone: getZone() })}</p>
		<${SlotPicker} doctorId=${id} confirm=${book} needLogin=${!session.user}
			confirmLabel=${t('book.confirm')}
			extra=${session.user && html`<label>${t('book.reason')}
				<input name="reason" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>`} />
		${session.user && html`<p><a href=${'#/waitlist?doctor=' + id}>${t('waitlist.doctor_link')}</a></p>`}
		<h2>${t('doctor.reviews')}</h2>
		${d && d.rating_count ? html`<p>${t('doctor.rating', { r: d.avg_rating.toFixed(1), n: d.rating_count })}</p>` : null}
		${(reviews.data || []).length === 0 ? html`<p class="muted">${t('doctor.no_reviews')}</p>` :
			html`<ul>${reviews.data.map((r) => html`<li key=${r.id}>
				<span aria-label=${t('doctor.stars', { n: r.rating })}>${'★'.repeat(r.rating)}${'☆'.repeat(5 - r.rating)}</span>
				${r.comment ? ' ' + r.comment : ''} <small class="muted">${fmtDate(r.created_at)}</small></li>`)}</ul>`}
	<//>`;
}

// --- my visits -----------------------------------------------------------

function Visits({ flash }) {
	const [list, reload] = useLoad(() => api.call('GET', '/appointments/me?limit=200'), []);
	const [cancelling, setCancelling] = useState(null);
	const [msg, run] = useAction(reload);
	const now = Date.now();
	const all = list.data || [];
	const upcoming = all.filter((a) => a.status === 'SCHEDULED' && Date.parse(a.end_time) > now)
		.sort((a, b) => Date.parse(a.start_time) - Date.parse(b.start_time));
	const past = all.filter((a) => !upcoming.includes(a));

	const cancel = (a, reason) => run(async () => {
		await api.call('POST', `/appointments/${a.id}/cancel`, cancelBody(reason));
		setCancelling(null);
	}, t('visits.cancelled'));

	async function ics(a) {
		const d = await getDoctor(a.doctor_id).catch(() => null);
		download(`visite-${a.start_time.slice(0, 10)}.ics`,
			visitIcs(a, t('ics.summary', { name: drName(d) }), d && d.clinic_address), 'text/calendar');
	}

	const row = (a, actions) => html`<article key=${a.id} data-appt=${a.id}>
		<header><strong>${fmtDateTime(a.start_time)}</strong> <span class="status ${a.status}">${t('status.' + a.status)}</span></header>
		<p><${DoctorName} id=${a.doctor_id} />${a.reason ? ' · ' + a.reason : ''}</p>
		${a.cancellation_reason && html`<p class="muted">${t('visits.reason', { r: a.cancellation_reason })}</p>`}
		${actions && (cancelling === a.id ? html`<${CancelForm} onConfirm=${(r) => cancel(a, r)}
			onBack=${() => setCancelling(null)} />` : html`<div class="actions">
			<a role="button" class="outline" href=${'#/reschedule/' + a.id}>${t('visits.reschedule')}</a>
			<button type="button" class="secondary outline" onClick=${() => setCancelling(a.id)}>${t('visits.cancel')}</button>
			<button type="button" class="secondary outline" onClick=${() => ics(a)}>${t('visits.ics')}</button>
		</div>`)}
	</article>`;

	return html`<${Page} title=${t('visits.title')}>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		${list.error && html`<${Banner} kind="error">${list.error.status === 404 ? t('profile.needed') : errText(list.error)}<//>`}
		${list.loading && !list.data && html`<p aria-busy="true">${t('common.loading')}</p>`}
		<h2>${t('visits.upcoming')}</h2>
		${upcoming.length ? upcoming.map((a) => row(a, true)) : html`<p>${t('visits.none')} <a href="#/">${t('nav.find')}</a></p>`}
		<p><a href="#/waitlist">${t('waitlist.visits_link')}</a> · <a href="#/notifications">${t('notif.visits_link')}</a></p>
		<h2>${t('visits.past')}</h2>
		${past.length ? past.map((a) => row(a, false)) : html`<p class="muted">${t('visits.none_past')}</p>`}
	<//>`;
}

// Move a visit to another free slot of its doctor: the patient from their
// visits, the front desk (desk: back to the day the visit moved to).
function Reschedule({ id, flash, desk }) {
	const [appt] = useLoad(() => api.call('GET', `/appointments/${id}`), [id]);
	const a = appt.data;
	const back = desk ? '/desk' : '/visits';

	async function move(slot) {
		await api.call('POST', `/appointments/${id}/reschedule`,
			{ start_time: slot.start_time, end_time: slot.end_time });
		flash('ok', () => t('visits.moved', { when: fmtDateTime(slot.start_time) }), back);
		go(desk ? '/desk?day=' + dayKey(slot.start_time) : back);
	}

	return html`<${Page} title=${t('visits.reschedule_title')}>
		${appt.error && html`<${Banner} kind="error">${errText(appt.error)}<//>`}
		${a && html`<p>${t('visits.now', { when: fmtDateTime(a.start_time) })} · <${DoctorName} id=${a.doctor_id} />
			${desk && html` · <${PatientName} id=${a.patient_id} />`}</p>
			<h2>${t('book.title')}</h2>
			<${SlotPicker} doctorId=${a.doctor_id} confirm=${move} confirmLabel=${t('visits.reschedule_confirm')} />`}
		<p><a href=${'#' + (desk && a ? '/desk?day=' + dayKey(a.start_time) : back)}>${t('common.back')}</a></p>
	<//>`;
}

// --- records and bills -------------------------------------------------------

function Records() {
	const [list] = useLoad(() => api.call('GET', '/medical-records/me?limit=200'), []);
	return html`<${Page} title=${t('records.title')}>
		${list.error && html`<${Banner} kind="error">${list.error.status === 404 ? t('profile.needed') : errText(list.error)}<//>`}
		${list.data && list.data.length === 0 && html`<p>${t('records.none')}</p>`}
		${(list.data || []).map((r) => html`<article key=${r.id}>
			<header><strong>${fmtDate(r.recorded_at || r.created_at)}</strong> · <${DoctorName} id=${r.doctor_id} /></header>
			<${RecordView} r=${r} />
		</article>`)}
	<//>`;
}

function Bills() {
	const [list] = useLoad(() => api.call('GET', '/billing/me?limit=200'), []);
	return html`<${Page} title=${t('bills.title')}>
		${list.error && html`<${Banner} kind="error">${list.error.status === 404 ? t('profile.needed') : errText(list.error)}<//>`}
		${list.data && list.data.length === 0 && html`<p>${t('bills.none')}</p>`}
		${list.data && list.data.length > 0 && html`<div class="overflow-auto" tabindex="0" role="region" aria-label=${t('bills.title')}><table>
			<thead><tr><th scope="col">${t('bills.date')}</th><th scope="col">${t('bills.description')}</th>
				<th scope="col">${t('bills.amount')}</th><th scope="col">${t('bills.status')}</th></tr></thead>
			<tbody>${list.data.map((b) => html`<tr key=${b.id}>
				<td>${fmtDate(b.created_at)}</td><td>${b.description || ''}</td>
				<td>${fmtMoney(b.amount, b.currency)}</td><td>${t('bill.' + b.status)}</td></tr>`)}</tbody>
		</table></div>`}
	<//>`;
}

// --- profile ---------------------------------------------------------------

const PROFILE_FIELDS = [
	['first_name', 'text', 'given-name', 100], ['last_name', 'text', 'family-name', 100],
	['phone', 'tel', 'tel', 20], ['date_of_birth', 'date', 'bday', 10],
	['city', 'text', 'address-level2', 100], ['address', 'text', 'street-address', 255],
	['blood_type', 'text', 'off', 5], ['allergies', 'text', 'off', 500],
	['emergency_contact_name', 'text', 'off', 100], ['emergency_contact_phone', 'tel', 'off', 20],
];

function Profile() {
	const [p, reload] = useLoad(() => api.call('GET', '/patients/me').catch((e) => {
		if (e.status === 404)
			return null;
		throw e;
	}), []);
	const [form, setForm] = useState(null);
	const [msg, setMsg] = useState(null);
	useEffect(() => {
		if (!p.loading && !p.error) {
			const f = {};
			for (const [k] of PROFILE_FIELDS)
				f[k] = (p.data && p.data[k]) || '';
			setForm(f);
		}
	}, [p.loading, p.data]);

	async function save(e) {
		e.preventDefault();
		const body = {};
		for (const [k] of PROFILE_FIELDS)
			body[k] = form[k].trim() === '' ? null : form[k].trim();
		try {
			if (p.data)
				await api.call('PATCH', '/patients/me', body);
			else
				await api.call('POST', '/patients/me', body);
			setMsg({ kind: 'ok', text: t('profile.saved') });
			reload();
		} catch (err) {
			setMsg({ kind: 'error', text: errText(err) });
		}
	}

	return html`<${Page} title=${t('profile.title')}>
		${msg && html`<${Banner} kind=${msg.kind}>${msg.text}<//>`}
		${p.error && html`<${Banner} kind="error">${errText(p.error)}<//>`}
		${!p.loading && !p.data && !p.error && html`<${Banner} kind="info">${t('profile.needed')}<//>`}
		${form && html`<form onSubmit=${save}>
			<div class="grid-cards">
			${PROFILE_FIELDS.map(([k, type, ac, max]) => html`<label>${t('field.' + k)}
				<input name=${k} type=${type} autocomplete=${ac} maxlength=${max} value=${form[k]}
					onInput=${(e) => setForm({ ...form, [k]: e.target.value })} /></label>`)}
			</div>
			<button type="submit">${t('profile.save')}</button>
		</form>`}
	<//>`;
}

// --- the app ---------------------------------------------------------------

const PRIVATE = ['/visits', '/records', '/bills', '/profile', '/reschedule', '/desk', '/today', '/chart',
	'/record', '/schedule', '/admin', '/billing', '/waitlist', '/notifications'];

function App() {
	const route = useRoute();
	const [user, setUser] = useState(null);
	const [ready, setReady] = useState(false);
	const [expired, setExpired] = useState(false);
	const [offline, setOffline] = useState(!navigator.onLine);
	const [flashMsg, setFlash] = useState(null);
	const [, setLangTick] = useState(0);

	const load = useCallback(async () => {
		const u = await api.call('GET', '/users/me');
		setUser(u);
		setExpired(false);
		return u;
	}, []);

	useEffect(() => {
		const off = api.onSession((ev) => {
			if (ev === 'offline') setOffline(true);
			if (ev === 'online') setOffline(false);
			if (ev === 'out') setUser(null);
			if (ev === 'expired') {
				setUser(null);
				setExpired(true);
				go('/login?next=' + encodeURIComponent(parseHash().path));
			}
		});
		const on = () => setOffline(false), down = () => setOffline(true);
		addEventListener('online', on);
		addEventListener('offline', down);
		// The zone and the session at once: the first screen waits for both.
		const zone = api.call('GET', '/clinic').then((c) => setZone(c.timezone), () => {
			// unreachable: dates stay correct instants, shown in UTC
		});
		const session = api.resume().then((yes) => yes && load().catch(() => setUser(null)));
		Promise.all([zone, session]).then(() => setReady(true));
		return () => { off(); removeEventListener('online', on); removeEventListener('offline', down); };
	}, []);

	// A flash message is shown on the page it was meant for (booked ->
	// my visits) and dropped on the next navigation.
	useEffect(() => {
		if (flashMsg && (flashMsg.path !== route.path || flashMsg.shown))
			setFlash(null);
		else if (flashMsg)
			setFlash({ ...flashMsg, shown: true });
	}, [route]);

	const session = {
		user, expired, load,
		// Signed in, the choice is also the language of her mails, SMS
		// and notifications (users.locale); best effort, the page has
		// already switched.
		setLang: (l) => {
			setLang(l);
			setLangTick((n) => n + 1);
			if (user)
				api.call('PATCH', '/users/me', { locale: l }).catch(() => {});
		},
	};
	// text is a function: the message follows a change of language.
	const flash = (kind, text, path) => setFlash({ kind, text, path });

	async function onLogout() {
		await api.logout().catch(() => {});
		go('/');
	}

	const p = route.path;
	let screen;
	if (!ready)
		screen = html`<p aria-busy="true">${t('common.loading')}</p>`;
	else if (!user && PRIVATE.some((x) => p === x || p.startsWith(x + '/'))) {
		screen = html`<${Login} session=${session} next=${p} />`;
	} else if (p === '/' || p === '')
		screen = html`<${Search} />`;
	else if (p.startsWith('/doctor/'))
		screen = html`<${DoctorPage} id=${p.slice(8)} session=${session} flash=${flash} />`;
	else if (p === '/visits')
		screen = html`<${Visits} flash=${flash} />`;
	else if (p === '/waitlist')
		screen = html`<${Waitlist} flash=${flash} />`;
	else if (p === '/notifications')
		screen = html`<${Notifications} />`;
	else if (p.startsWith('/waitlist/offers/'))
		screen = html`<${Waitlist} offerId=${p.slice(17)} flash=${flash} />`;
	else if (p.startsWith('/reschedule/'))
		screen = html`<${Reschedule} id=${p.slice(12)} flash=${flash} />`;
	else if (p === '/desk')
		screen = html`<${Desk} />`;
	else if (p.startsWith('/desk/book/'))
		screen = html`<${DeskBook} doctorId=${p.slice(11)} flash=${flash} />`;
	else if (p.startsWith('/desk/move/'))
		screen = html`<${Reschedule} id=${p.slice(11)} flash=${flash} desk />`;
	else if (p === '/desk/week')
		screen = html`<${DeskWeek} />`;
	else if (p === '/desk/patient')
		screen = html`<${DeskNewPatient} />`;
	else if (p === '/today')
		screen = html`<${DoctorToday} />`;
	else if (p.startsWith('/chart/'))
		screen = html`<${Chart} patientId=${p.slice(7)} />`;
	else if (p.startsWith('/record/'))
		screen = html`<${RecordForm} id=${p.slice(8)} flash=${flash} />`;
	else if (p === '/schedule' || p.startsWith('/schedule/'))
		screen = html`<${Schedule} doctorId=${p.slice(10)} />`;
	else if (p === '/billing' || p.startsWith('/billing/'))
		screen = html`<${Billing} patientId=${p.slice(9)} />`;
	else if (p === '/admin' || p.startsWith('/admin/'))
		screen = html`<${Admin} tab=${p.slice(7)} />`;
	else if (p === '/records')
		screen = html`<${Records} />`;
	else if (p === '/bills')
		screen = html`<${Bills} />`;
	else if (p === '/profile')
		screen = html`<${Profile} />`;
	else if (p === '/login')
		screen = html`<${Login} session=${session} />`;
	else if (p === '/register')
		screen = html`<${Register} session=${session} />`;
	else if (p === '/forgot')
		screen = html`<${Forgot} />`;
	else if (p === '/reset')
		screen = html`<${Reset} />`;
	else
		screen = html`<${Page} title=${t('err.404')}><p><a href="#/">${t('nav.find')}</a></p><//>`;

	return html`
		<${Header} session=${session} onLogout=${onLogout} />
		<main id="main" class="container" key=${getLang() + p}>
			${offline && html`<${Banner} kind="offline">${t('err.offline_banner')}<//>`}
			${flashMsg && flashMsg.path === p && html`<${Banner} kind=${flashMsg.kind}>${flashMsg.text()}<//>`}
			${screen}
		</main>
		<footer class="container"><small class="muted">${t('footer.zone', { zone: getZone() })}</small></footer>`;
}

initLang();
render(html`<${App} />`, document.getElementById('app'));
