/*-------------------------------------------------------------------------
 *
 * pd_classify_int.h
 *	  Internals of the classifier shared with its generated table.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_INT_H
#define PD_CLASSIFY_INT_H

#include <stddef.h>
#include <stdint.h>

#define PD_NMAP_HASHED_MAX 64

/* One nmap TCP probe: total length and FNV-1a of bytes 4 .. 4 + hashed. */
typedef struct PdNmapProbe
{
	const char *name;
	const char *protocol;		/* NULL when the probe's target is vague */
	uint16_t	length;
	uint16_t	hashed;
	uint64_t	hash;
} PdNmapProbe;

extern const PdNmapProbe pd_nmap_probes[];
extern const int pd_nmap_probe_count;

#endif							/* PD_CLASSIFY_INT_H */
