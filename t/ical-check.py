#!/usr/bin/python3
"""ical-check.py - validate what the clinic sends with independent parsers.

Usage: ical-check.py ics FILE   an iCalendar text (a .ics attachment or a feed)
       ical-check.py mail FILE  a whole mail as the mail command received it

Parses with Debian's python3-icalendar (and the standard email package for a
mail), checks the rules RFC 5545 sets that a lenient parser lets pass (CRLF
line ends, lines of at most 75 octets, the required properties), and prints
one JSON object describing what it found.  Exits 1 with the reason on
stderr when anything is wrong.
"""
import email
import email.policy
import json
import sys

import icalendar


def fail(why):
    sys.stderr.write("ical-check: %s\n" % why)
    sys.exit(1)


def check_ics(raw):
    if not raw.endswith(b"\r\n"):
        fail("the text does not end in CRLF")
    for line in raw[:-2].split(b"\r\n"):
        if b"\n" in line or b"\r" in line:
            fail("a bare LF or CR inside a line")
        if len(line) > 75:
            fail("a line of %d octets: %r" % (len(line), line[:80]))
        line.decode("utf-8")  # folding must not cut a character
    cal = icalendar.Calendar.from_ical(raw)
    if cal.name != "VCALENDAR":
        fail("not a VCALENDAR")
    for prop in ("PRODID", "VERSION"):
        if prop not in cal:
            fail("VCALENDAR without " + prop)
    if str(cal["VERSION"]) != "2.0":
        fail("VERSION is not 2.0")
    events = []
    for ev in cal.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"):
            if prop not in ev:
                fail("VEVENT without " + prop)
        start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
        if start.utcoffset() is None or start.utcoffset().total_seconds() != 0:
            fail("DTSTART not in UTC")
        events.append({
            "uid": str(ev["UID"]),
            "sequence": int(ev["SEQUENCE"]),
            "status": str(ev["STATUS"]),
            "start": int(start.timestamp()),
            "end": int(end.timestamp()),
            "summary": str(ev.get("SUMMARY", "")),
            "location": str(ev.get("LOCATION", "")),
            "organizer": str(ev.get("ORGANIZER", "")),
            "attendee": str(ev.get("ATTENDEE", "")),
        })
    return {"method": str(cal.get("METHOD", "")), "events": events}


def check_mail(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for h in ("From", "To", "Subject", "Date", "Message-ID"):
        if msg[h] is None:
            fail("mail without " + h)
    if msg.defects:
        fail("mail defects: %r" % msg.defects)
    out = {"subject": str(msg["Subject"]), "to": str(msg["To"]),
           "message_id": str(msg["Message-ID"]), "type": msg.get_content_type(),
           "text": "", "ics": None}
    for part in msg.walk():
        if part.defects:
            fail("part defects: %r" % part.defects)
        ctype = part.get_content_type()
        if ctype == "text/plain" and not out["text"]:
            out["text"] = part.get_content()
        elif ctype == "text/calendar":
            out["ics"] = check_ics(part.get_payload(decode=True))
            method = part.get_param("method")
            if method is not None and method != out["ics"]["method"]:
                fail("Content-Type method %s, VCALENDAR METHOD %s"
                     % (method, out["ics"]["method"]))
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ics", "mail"):
        fail("usage: ical-check.py ics|mail FILE")
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    try:
        out = check_ics(raw) if sys.argv[1] == "ics" else check_mail(raw)
    except (ValueError, UnicodeDecodeError) as e:
        fail("does not parse: %s" % e)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


main()
