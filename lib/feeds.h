/*
 * feeds.h - a person's visits as a calendar feed a calendar app subscribes
 * to: POST /calendar/feed gives a secret URL, DELETE /calendar/feed
 * revokes it, GET /calendar/{token}.ics serves it without a login.
 *
 * The token is 256 random bits; only its SHA-256 is stored, so a copy of
 * the database opens no feed, and POST again makes a new token (the old
 * URL stops working: a URL that was shared too widely is replaced this
 * way).  A feed tells when, with whom and in what state (cancelled visits
 * as STATUS:CANCELLED, from 30 days back), never why: no reason, and a
 * doctor's feed names no patient.  nginx rate-limits the feed's location
 * (deploy/nginx.conf.in).
 */
#ifndef FEEDS_H
#define FEEDS_H

/* Past visits a feed still shows. */
#define FEED_PAST_DAYS 30
/* Visits one feed shows at most (the nearest first after the past ones). */
#define FEED_MAX_EVENTS 2000

#endif
