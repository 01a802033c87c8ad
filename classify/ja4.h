/*-------------------------------------------------------------------------
 *
 * ja4.h
 *	  A TLS ClientHello message parsed, and its JA4 fingerprint.
 *
 * The message is the handshake message as it travels inside a TLS record
 * and as OpenSSL's message callback hands it over: type 1, a 3-byte length,
 * the body.  Everything in it is the client's: lengths are checked against
 * what is known, every loop is bounded, and what does not fit the fixed
 * arrays below makes the hello "too large" rather than read partly.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_JA4_H
#define PD_CLASSIFY_JA4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_classify.h"

/*
 * Caps.  Real clients offer at most about 90 cipher suites (SoftEther's 88
 * in FoxIO's mapping), 20-odd extensions and 20-odd signature algorithms.
 */
#define PD_HELLO_CIPHERS_MAX	128
#define PD_HELLO_EXTS_MAX		64
#define PD_HELLO_SIGALGS_MAX	64

/* "t13d1516h2_8daaf6152771_e5627efa2ab1" and its NUL */
#define PD_JA4_LEN	36

typedef struct PdHello
{
	bool		complete;		/* the whole message is known and well
								 * formed, within the caps: JA4 is exact */
	uint16_t	version;		/* legacy client_version */
	uint16_t	best;			/* highest supported_versions entry, or 0 */
	bool		has_versions;	/* supported_versions extension present */
	bool		has_sni;		/* server_name extension present */
	int			n_ciphers;		/* GREASE left out, as in all three lists */
	uint16_t	ciphers[PD_HELLO_CIPHERS_MAX];
	int			n_exts;
	uint16_t	exts[PD_HELLO_EXTS_MAX];
	int			n_sigalgs;
	uint16_t	sigalgs[PD_HELLO_SIGALGS_MAX];
	const uint8_t *sni;			/* first host_name, or NULL */
	size_t		sni_len;
	const uint8_t *alpn;		/* protocol_name_list, or NULL */
	size_t		alpn_len;
} PdHello;

/*
 * Parse msg[0 .. len), a ClientHello message or the known start of one.
 * False if it is no ClientHello at all; true otherwise, with whatever was
 * complete (SNI and ALPN may be set while complete is false).
 */
extern bool pd_hello_parse(const uint8_t *msg, size_t len, PdHello *h);

/* The JA4 of a complete hello, into out[PD_JA4_LEN + 1]. */
extern void pd_ja4(const PdHello *h, char *out);

/* A well-known TLS stack whose JA4 this is (by its b and c parts), or NULL. */
extern const char *pd_ja4_stack(const char *ja4);

/*
 * Append " ja4=... sni=... alpn=..." (each only if known) to c->detail,
 * escaped, and name the stack in c->tool if the JA4 is a known one and
 * c->tool is empty.
 */
extern void pd_hello_describe(const PdHello *h, PdClass *c);

#endif							/* PD_CLASSIFY_JA4_H */
