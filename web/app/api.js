// api.js - the one way the app talks to /api/v1.
//
// The access token lives in this module's memory only; the refresh token
// is an HttpOnly cookie the page never sees (X-Client: web asks the API
// for it).  A 401 refreshes the session once and retries; a second 401
// ends the session.  One refresh at a time: two rotations of the same
// cookie would look like a stolen token and end every session.

const BASE = '/api/v1';
let access = null;
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
	constructor(status, message, data, retryAfter) {
		super(message || `HTTP ${status}`);
		this.status = status;          // 0: the network failed (offline)
		this.data = data || null;
		this.retryAfter = retryAfter || 0;
	}
}

// Subscribe to session events: 'in', 'out', 'expired', 'online', 'offline'.
export function onSession(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

function emit(ev) {
	for (const fn of listeners)
		fn(ev);
}

export function loggedIn() {
	return access !== null;
}

async function send(method, path, body, token) {
	const headers = { 'Accept': 'application/json', 'X-Client': 'web' };
	if (token)
		headers['Authorization'] = `Bearer ${token}`;
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	let res;
	try {
		res = await fetch(BASE + path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch (e) {
		emit('offline');
		throw new ApiError(0, 'offline');
	}
	emit('online');
	let env = null;
	if (res.status !== 204) {
		try {
			env = await res.json();
		} catch (e) {
			env = null;
		}
	}
	return { res, env };
}

function fail(res, env) {
	const retry = parseInt(res.headers.get('Retry-After') || '0', 10);
	return new ApiError(res.status, env && env.message, env && env.data, retry);
}

// Rotate the session cookie; true when a new access token is in memory.
export function refresh() {
	if (refreshing)
		return refreshing;
	refreshing = (async () => {
		try {
			const { res, env } = await send('POST', '/auth/refresh', {});
			if (res.ok && env && env.data && env.data.access_token) {
				access = env.data.access_token;
				return true;
			}
			access = null;
			return false;
		} finally {
			refreshing = null;
		}
	})();
	return refreshing;
}

// call(method, path, body?) -> data of the envelope; throws ApiError.
export async function call(method, path, body) {
	let { res, env } = await send(method, path, body, access);
	if (res.status === 401 && access !== null) {
		if (await refresh()) {
			({ res, env } = await send(method, path, body, access));
		}
		if (res.status === 401) {
			access = null;
			emit('expired');
		}
	}
	if (!res.ok)
		throw fail(res, env);
	return env ? env.data : null;
}

async function tokens(path, body) {
	const { res, env } = await send('POST', path, body);
	if (!res.ok)
		throw fail(res, env);
	access = env.data.access_token;
	emit('in');
	return env.data;
}

export function login(email, password) {
	return tokens('/auth/login', { email, password });
}

export function register(email, password) {
	return tokens('/auth/register', { email, password });
}

export async function logout() {
	try {
		await send('POST', '/auth/logout', undefined, access);
	} finally {
		access = null;
		emit('out');
	}
}

// At start: a session cookie from an earlier visit gives a session.
export async function resume() {
	try {
		if (await refresh()) {
			emit('in');
			return true;
		}
	} catch (e) {
		// offline: stay anonymous, the banner says why
	}
	return false;
}
