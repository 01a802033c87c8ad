/*-------------------------------------------------------------------------
 *
 * pd_classify.h
 *	  Identify the protocol and the tool behind a probe's bytes.
 *
 * Pure C, no PostgreSQL headers: unit-tested and fuzzed on its own.  Every
 * byte comes from the network; the classifier reads nothing past len, loops
 * only over bounded ranges, and does a bounded amount of work per call.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_H
#define PD_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_kind.h"

#define PD_PROTOCOL_MAX 24
#define PD_TOOL_MAX		80
#define PD_DETAIL_MAX	256

/* What the classifier is given. */
typedef struct PdProbe
{
	int			kind;			/* PdKind; PD_KIND_NONE if unknown */
	const uint8_t *bytes;		/* what is known of the client's stream */
	size_t		len;
	size_t		offset;			/* stream offset of bytes[0]: 0 or 4 */

	/*
	 * The parameters PostgreSQL parsed from a start-up packet it then
	 * rejected (missing_user, invalid_layout): "name\0value\0" pairs, as in
	 * the packet.  NULL if none.
	 */
	const char *params;
	size_t		params_len;
} PdProbe;

/* What it says; empty strings mean "no guess". */
typedef struct PdClass
{
	char		protocol[PD_PROTOCOL_MAX];
	char		tool[PD_TOOL_MAX];
	char		detail[PD_DETAIL_MAX];
} PdClass;

extern void pd_classify(const PdProbe *probe, PdClass *out);

/*
 * The nmap service probe whose exact bytes these are, or NULL.  Used by the
 * scan verdicts too.
 */
extern const char *pd_nmap_probe_name(const PdProbe *probe);

/*
 * If b (len bytes from stream offset 0 or 4) starts a TLS ClientHello
 * record, how many bytes from that offset the whole record takes; else 0.
 * Capture reads that much, past capture_bytes, for the hello's JA4.
 */
extern size_t pd_tls_hello_need(const uint8_t *b, size_t len, size_t offset);

#endif							/* PD_CLASSIFY_H */
