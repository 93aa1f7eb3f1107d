// ics.js - an iCalendar file for one visit, built in the page and handed
// to the browser as a download (no server round trip, works offline).

function stamp(iso) {
	return new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// RFC 5545 text: escape \ ; , and newlines.
function text(s) {
	return String(s || '').replace(/[\\;,]/g, (c) => '\\' + c).replace(/\r?\n/g, '\\n');
}

export function visitIcs(appt, summary, location) {
	const lines = [
		'BEGIN:VCALENDAR',
		'VERSION:2.0',
		'PRODID:-//medclinic//web//FR',
		'CALSCALE:GREGORIAN',
		'BEGIN:VEVENT',
		`UID:${appt.id}@medclinic`,
		`DTSTAMP:${stamp(new Date().toISOString())}`,
		`DTSTART:${stamp(appt.start_time)}`,
		`DTEND:${stamp(appt.end_time)}`,
		`SUMMARY:${text(summary)}`,
		location ? `LOCATION:${text(location)}` : null,
		appt.reason ? `DESCRIPTION:${text(appt.reason)}` : null,
		'END:VEVENT',
		'END:VCALENDAR',
	].filter((l) => l !== null);
	return lines.join('\r\n') + '\r\n';
}

export function download(name, body, type) {
	const url = URL.createObjectURL(new Blob([body], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}
