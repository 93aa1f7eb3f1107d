/*
 * route_doc.h - the routing table as data, for the documents rendered
 * from it: openapi.json (build/routes, then scripts/openapi.py) and any
 * other description of the API (a FHIR CapabilityStatement).  The table
 * is the one source; nothing here adds to it, so a limit changed in a spec
 * changes every document rendered from this.
 *
 *   { "base": "/api/v1",
 *     "roles": ["ADMIN", "DOCTOR", "PATIENT", "STAFF"],      every role name
 *     "routes": [ {
 *       "method": "POST",
 *       "path": "/appointments/{appointment_id}/cancel",    without "base"
 *       "auth": "none" | "optional" | "required",
 *       "roles": ["ADMIN", ...],                 sorted; [] when none listed
 *       "tx": "none" | "read" | "write" | "audit",
 *       "params": [ {"name": "appointment_id", "type": "string", "format": "uuid"} ],
 *       "query": [ field, ... ] | null,          null: the route names no spec
 *       "body":  [ field, ... ] | null
 *     }, ... ] }
 *
 * A field, in JSON Schema's words where they fit:
 *   "name", "type": "string" | "integer" | "number" | "boolean" | "array",
 *   "format" (only some types): "uuid", "email", "date", "time" (clinic-local
 *     wall clock HH:MM[:SS]), "date-time" (RFC 3339; without an offset it is
 *     clinic-local time), "money" (a number of at most 2 decimals),
 *   "required", "nullable" (JSON null accepted), "cap" (a value above
 *     "maximum" is served as "maximum", not refused): always present,
 *   "minLength"/"maxLength" (code points), "minimum"/"maximum" (money as a
 *     decimal amount, not cents), "multipleOf", "enum", "items" and
 *     "maxItems" (arrays): only when the spec or the type sets them,
 *   "roles": sorted names; the field is read only from callers holding one.
 */
#ifndef ROUTE_DOC_H
#define ROUTE_DOC_H

#include <cjson/cJSON.h>

#include "route.h"

/*
 * routes (NULL-terminated like med_routes()) as above; the caller frees
 * it with cJSON_Delete.  NULL when memory runs out or a route lies
 * outside MED_API_BASE or names a role bit without a name.
 */
cJSON *route_doc(const struct med_route *routes);

/* "none", "optional" or "required": the auth mode as documents name it. */
const char *route_auth_name(enum route_auth a);

#endif
