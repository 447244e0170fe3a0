/* secretclass.h - is this name credential-sounding, and is this value credential material?
 * Names are split into words (FLYWAY_PASSWORD, spring.datasource.password, clientSecret) and
 * judged by their last credential word and what follows it; values by their shape, never by
 * entropy. References ($(X), ${X}) are not judged here: secretref.h resolves them. */
#ifndef SCHEMAGATE_SECRETCLASS_H
#define SCHEMAGATE_SECRETCLASS_H

#include <stdbool.h>
#include <stddef.h>

/* True when a value stored under this name would be a credential (FLYWAY_PASSWORD, API_KEY,
 * DJANGO_SECRET_KEY), false for names of files, Secrets, lengths, TTLs (PGPASSFILE,
 * DB_PASSWORD_SECRET_NAME, PASSWORD_MIN_LENGTH). */
bool secretclass_name(const char *name, size_t len);

/* The stems every credential word contains (secretclass.c has the list; "pass", "token"),
 * lower-case letters, two or more each, at most 16, NULL after the last. The stem scan's
 * prefilter is built from this list alone. */
extern const char *const secretclass_stems[];

/* True when the text holds one of secretclass_stems (ASCII case ignored). secretclass_name and
 * secretclass_is_authorization are false for any name without one, so a text without a stem
 * holds no credential-sounding key: detectors keyed by name can be skipped. */
bool secretclass_has_stem(const char *text, size_t len);

/* True when the value names Kubernetes Secrets rather than holding a credential: the name says
 * so (TS_KUBE_SECRET, quarkus.kubernetes-config.secrets: a Kubernetes word before "secret",
 * or the plural "secrets") and the value is one object name or a comma-separated list. */
bool secretclass_names_secret(const char *name, size_t len, const char *value, size_t value_len);

/* True for an HTTP authorization header name (its value carries a scheme word). */
bool secretclass_is_authorization(const char *name, size_t len);

/* A value under a credential-sounding name: false for empty values, booleans, small numbers,
 * durations, algorithm names, paths, URLs, Secret-manager references, hashes, public keys and
 * placeholders; true otherwise (default-looking values such as "changeme" included). */
bool secretclass_value(const char *value, size_t len);

/* A value found in a password position (after -password=, in URI userinfo): false only for
 * empty values, placeholders, masks (***) and magic words such as liquibase's PROMPT. */
bool secretclass_slot_value(const char *value, size_t len);

/* True for values that look like a default or example password (changeme, admin, postgres). */
bool secretclass_default_looking(const char *value, size_t len);

#endif
