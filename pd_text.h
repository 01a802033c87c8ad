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
 * The same with a space as "\x20" too: one word, for a client's text in a
 * "key=value key=value" detail, so that it cannot add a key of its own.
 */
extern size_t pd_escape_token(const uint8_t *in, size_t n,
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

/* An address or a network, as probe_detect.trusted_networks lists them. */
typedef struct PdNet
{
	uint8_t		family;			/* AF_INET or AF_INET6 */
	uint8_t		bits;			/* prefix length: 0..32 or 0..128 */
	uint8_t		addr[16];		/* network order; 4 bytes used for AF_INET */
} PdNet;

/*
 * Parse one item: an IPv4 or IPv6 address, optionally followed by "/bits"
 * (decimal, within the family's range; host bits may be set, as in inet).
 * Returns 0 on success, -1 if the text is malformed.
 */
extern int	pd_parse_net(const char *s, PdNet *net);

/* Whether addr (4 or 16 bytes, by family) lies in net. */
extern int	pd_net_contains(const PdNet *net, uint8_t family, const uint8_t *addr);

#endif							/* PD_TEXT_H */
