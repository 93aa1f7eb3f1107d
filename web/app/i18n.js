// i18n.js - one catalogue per language (web/i18n/*.js), the chosen
// language (French by default), and dates always in the clinic's zone.
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';
import ar from '../i18n/ar.js';

export const LANGS = { fr, en, ar };
// The locale each language formats dates with (Latin digits in Arabic, as
// on Algerian documents).
const LOCALE = { fr: 'fr-FR', en: 'en-GB', ar: 'ar-DZ-u-nu-latn' };

let lang = 'fr';
let zone = 'UTC';

function stored() {
	try {
		return localStorage.getItem('lang');
	} catch (e) {
		return null;
	}
}

export function initLang() {
	const q = new URLSearchParams(location.search).get('lang');
	setLang(LANGS[q] ? q : LANGS[stored()] ? stored() : 'fr', false);
}

export function setLang(l, remember = true) {
	if (!LANGS[l])
		return;
	lang = l;
	document.documentElement.lang = l;
	document.documentElement.dir = LANGS[l]._dir || 'ltr';
	document.title = t('app.title');
	if (remember) {
		try {
			localStorage.setItem('lang', l);
		} catch (e) {
			// private mode: the choice lasts this visit
		}
	}
}

export function getLocale() {
	return LOCALE[lang];
}

export function getLang() {
	return lang;
}

export function setZone(z) {
	zone = z || 'UTC';
}

export function getZone() {
	return zone;
}

// t('key', {name: 'x'}): the string of the current language, {name}
// replaced; the French string when a translation is missing; the key
// itself as a last resort (the tests catch those).
export function t(key, vars) {
	let s = LANGS[lang][key] ?? LANGS.fr[key] ?? key;
	if (vars)
		for (const k of Object.keys(vars))
			s = s.split(`{${k}}`).join(String(vars[k]));
	return s;
}

// Formatters are made once per locale, zone and format: constructing an
// Intl.DateTimeFormat costs tens of microseconds, and the front desk's
// week formats thousands of times per render.
const formatters = new Map();

function fmt(iso, name, locale = LOCALE[lang]) {
	const key = `${locale}|${zone}|${name}`;
	let f = formatters.get(key);
	if (!f) {
		f = new Intl.DateTimeFormat(locale, { timeZone: zone, ...FORMATS[name] });
		formatters.set(key, f);
	}
	return f.format(new Date(iso));
}

const FORMATS = {
	day: { weekday: 'long', day: 'numeric', month: 'long' },
	dayShort: { weekday: 'short', day: 'numeric', month: 'short' },
	time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
	dateTime: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
		hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
	date: { day: 'numeric', month: 'long', year: 'numeric' },
	key: { year: 'numeric', month: '2-digit', day: '2-digit' },
};

export const fmtDay = (iso) => fmt(iso, 'day');
export const fmtDayShort = (iso) => fmt(iso, 'dayShort');
export const fmtTime = (iso) => fmt(iso, 'time');
export const fmtDateTime = (iso) => fmt(iso, 'dateTime');
export const fmtDate = (iso) => fmt(iso, 'date');

// YYYY-MM-DD of an instant in the clinic's zone (to group slots by day).
export const dayKey = (iso) => fmt(iso, 'key', 'en-CA');

export function fmtMoney(amount, currency) {
	try {
		return new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency })
			.format(amount);
	} catch (e) {
		return `${amount} ${currency}`;
	}
}
