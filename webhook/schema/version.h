/* version.h - migration version strings as the tools themselves order them: Flyway's
 * MigrationVersion (`_` is `.`, numeric parts of any size, trailing zero parts dropped) and
 * plain digit strings (golang-migrate, goose, Rails). Pure functions, no allocation. */
#ifndef SCHEMAGATE_VERSION_H
#define SCHEMAGATE_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* A Flyway version: ^[0-9]+([._][0-9]+)*$ (what V<version>__ file names may carry). */
bool version_flyway_valid(const char *text);

/* <0, 0, >0 like strcmp, in Flyway's order: 1.10 > 1.9, 1.0 == 1, 1_1 == 1.1, 005 == 5.
 * Both arguments must be valid. */
int version_flyway_compare(const char *a, const char *b);

/* The canonical spelling ("01_10.0" -> "1.10"), bounded to n bytes; "" if it does not fit. */
void version_flyway_normalize(const char *text, char *out, size_t n);

/* A non-empty string of ASCII digits. */
bool version_digits_valid(const char *text);

/* Digits that fit a signed 64-bit integer (golang-migrate and goose keep a bigint). */
bool version_bigint_valid(const char *text);

/* Numeric order of two digit strings of any length ("001" == "1"). */
int version_digits_compare(const char *a, const char *b);

/* "Is the latest applied version at or above the required one?" in each order, false when the
 * latest is not a valid version of that kind (for a tool's latest_at_or_above). */
bool version_flyway_at_or_above(const char *latest, const char *required);
bool version_digits_at_or_above(const char *latest, const char *required);
/* Byte order (the tools that compare versions as exact strings). */
bool version_text_at_or_above(const char *latest, const char *required);

#endif
