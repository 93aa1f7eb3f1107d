/* embedded.h - schema.sql and seed.sql, compiled in (see scripts/embed.sh). */
#ifndef EMBEDDED_H
#define EMBEDDED_H

extern const char med_schema_sql[];
extern const char med_seed_sql[];

#endif
