/*-------------------------------------------------------------------------
 *
 * sha256.h
 *	  SHA-256 (FIPS 180-4) for the classifier's JA4 hashes.
 *
 * The classifier builds without PostgreSQL or OpenSSL: this small, fixed-
 * state implementation keeps it that way.  Nothing allocates.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_SHA256_H
#define PD_CLASSIFY_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct PdSha256
{
	uint32_t	h[8];
	uint64_t	bytes;			/* message length so far */
	uint8_t		block[64];
	size_t		fill;			/* bytes waiting in block */
} PdSha256;

extern void pd_sha256_init(PdSha256 *s);
extern void pd_sha256_update(PdSha256 *s, const void *data, size_t n);
extern void pd_sha256_final(PdSha256 *s, uint8_t digest[32]);

#endif							/* PD_CLASSIFY_SHA256_H */
