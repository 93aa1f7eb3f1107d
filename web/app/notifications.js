// notifications.js - what the clinic told me (GET /notifications): each
// message it sent (confirmation, move, cancellation, reminder, waitlist
// offer), newest first; unread ones marked, read one by one or all.
// The title is a block of its own direction: a message written in
// another language than the page's does not mix with the date's line.
import * as api from './api.js';
import { t, fmtDateTime } from './i18n.js';
import { html, errText, Banner, Page, useLoad, useAction, Msg } from './ui.js';

export function Notifications() {
	const [list, reload] = useLoad(() => api.call('GET', '/notifications?limit=100'), []);
	const [msg, run] = useAction(reload);
	const all = list.data || [];
	const unread = all.filter((n) => !n.read_at).length;
	return html`<${Page} title=${t('notif.title')}>
		${list.error && html`<${Banner} kind="error">${errText(list.error)}<//>`}
		<${Msg} msg=${msg} />
		<p role="status">${t('notif.unread', { n: unread })}</p>
		${unread > 0 && html`<button type="button" class="secondary outline"
			onClick=${() => run(() => api.call('POST', '/notifications/read-all', {}), t('notif.all_read'))}>
			${t('notif.read_all')}</button>`}
		${!list.loading && all.length === 0 ? html`<p class="muted">${t('notif.none')}</p>` :
			all.map((n) => html`<article key=${n.id} data-notification=${n.id} class=${n.read_at ? 'read' : 'unread'}>
				<header><strong class="block" dir="auto">${n.title}</strong>
					<small class="muted">${fmtDateTime(n.created_at)}</small>
					${!n.read_at && html` <span class="status SCHEDULED">${t('notif.new')}</span>`}</header>
				<p class="pre" dir="auto">${n.body}</p>
				${!n.read_at && html`<button type="button" class="secondary outline"
					onClick=${() => run(() => api.call('POST', `/notifications/${n.id}/read`, {}))}>
					${t('notif.mark_read')}</button>`}
			</article>`)}
	<//>`;
}
