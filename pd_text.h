/*-------------------------------------------------------------------------
 *
 * pd_text.h
 *	  Pure helpers for turning network bytes into text and back.
 *
 * No PostgreSQL headers: this builds on its own for unit tests and fuzzing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_TEXT_H
#define PD_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Longest output of pd_escape_bytes() for n input bytes, without the NUL. */
#define PD_ESCAPED_MAX(n) ((n) * 4)

/*
 * Render bytes as text: printable ASCII as is, a backslash as "\\", every
 * other byte as "\xNN".  Writes at most outsz - 1 characters plus a NUL and
 * never splits an escape; returns the number of input bytes rendered.
 */
extern size_t pd_escape_bytes(const uint8_t *in, size_t n,
							  char *out, size_t outsz);

/*
 * Parse a protocol version as PostgreSQL prints it ("65363.19778": major and
 * minor, each 0..65535, decimal, no sign or spaces) into the 32-bit word the
 * client sent.  Returns 0 on success, -1 if the text is malformed.
 */
extern int	pd_parse_version(const char *s, size_t len, uint32_t *word);

/* Print a version word as "major.minor"; buf needs 12 bytes. */
extern void pd_format_version(uint32_t word, char *buf);

/* The four bytes of a version word in network order. */
extern void pd_version_bytes(uint32_t word, uint8_t out[4]);

#endif							/* PD_TEXT_H */
