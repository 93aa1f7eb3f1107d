// live.js - live updates for the front desk: one EventSource for the page
// (nginx/nchan at /api/v1/live), opened with a single-use ticket from
// POST /live/ticket, shared by every screen that listens.  An event names a
// kind and ids only ({kind, appointment_id, doctor_id, at}); a screen
// re-fetches what it shows through the API.  When the stream drops (network,
// the subscription's 10-minute limit, a spent ticket on the browser's own
// retry) it is closed and opened again with a fresh ticket, backing off up
// to 30 s; after such a gap every listener re-fetches, since events may have
// been missed.
import { h } from '../vendor/preact.js';
import { useState, useEffect } from '../vendor/hooks.js';
import htm from '../vendor/htm.js';
import * as api from './api.js';
import { t } from './i18n.js';

const html = htm.bind(h);
const listeners = new Set();   // (event) => void; {kind: 'resync'} after a gap
const watchers = new Set();    // (state) => void
let source = null;
let state = 'off';             // 'on' while the stream is open
let delay = 0;
let timer = null;
let opened = false;

function setState(s) {
	state = s;
	watchers.forEach((f) => f(s));
}

function tell(ev) {
	listeners.forEach((f) => f(ev));
}

function stop() {
	if (source)
		source.close();
	source = null;
	clearTimeout(timer);
	timer = null;
}

function later() {
	stop();
	setState('off');
	if (listeners.size === 0)
		return;
	delay = Math.min(delay ? delay * 2 : 1000, 30000);
	timer = setTimeout(start, delay);
}

async function start() {
	timer = null;
	if (source || listeners.size === 0)
		return;
	let ticket;
	try {
		ticket = await api.call('POST', '/live/ticket');
	} catch (e) {
		later();
		return;
	}
	if (source || listeners.size === 0)
		return;
	const es = new EventSource(ticket.url);
	source = es;
	es.onopen = () => {
		delay = 0;
		setState('on');
		if (opened)
			tell({ kind: 'resync' });
		opened = true;
	};
	es.onmessage = (m) => {
		let ev;
		try {
			ev = JSON.parse(m.data);
		} catch (e) {
			return;
		}
		tell(ev);
	};
	// The browser would retry with the same, now spent, ticket: take over.
	es.onerror = () => {
		if (source === es)
			later();
	};
}

// Listen while mounted; the stream's state ('on' or 'off') for the badge.
export function useLive(onEvent) {
	const [s, setS] = useState(state);
	useEffect(() => {
		listeners.add(onEvent);
		watchers.add(setS);
		if (!source && !timer)
			start();
		return () => {
			listeners.delete(onEvent);
			watchers.delete(setS);
			if (listeners.size === 0) {
				stop();
				opened = false;
				setState('off');
			}
		};
	}, []);
	return s;
}

// A revision per doctor, raised by each event of theirs (every doctor's by
// a resync or an event without one): a column re-fetches when its changes.
export function useLiveRevisions() {
	const [revs, setRevs] = useState({ all: 0 });
	const s = useLive((ev) => setRevs((r) => (ev.doctor_id
		? { ...r, [ev.doctor_id]: (r[ev.doctor_id] || 0) + 1 }
		: { ...r, all: r.all + 1 })));
	return [s, (doctorId) => `${revs.all}.${revs[doctorId] || 0}`];
}

export function LiveBadge({ state: s }) {
	return html`<small class="live-badge ${s}" role="status" data-live=${s}>
		<span aria-hidden="true">● </span>${t(s === 'on' ? 'live.on' : 'live.off')}</small>`;
}
