/*-------------------------------------------------------------------------
 *
 * nmap.c
 *	  nmap's service probes, recognised by fingerprint.
 *
 * nmap -sV sends fixed payloads; the bytes after the first four (which
 * PostgreSQL consumes as a length word) are hashed and looked up in the
 * generated table, nmap_table.c.  An exact match names the tool whatever
 * the rules made of the bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

const PdNmapProbe *
pd_nmap_match(const PdProbe *probe)
{
	const uint8_t *p;
	size_t		n;
	uint64_t	h[PD_NMAP_HASHED_MAX + 1];
	size_t		k;
	int			i;

	/* the bytes after the first four */
	if (probe->offset == 4)
	{
		p = probe->bytes;
		n = probe->len;
	}
	else if (probe->offset == 0 && probe->len >= 4)
	{
		p = probe->bytes + 4;
		n = probe->len - 4;
	}
	else
		return NULL;

	h[0] = UINT64_C(0xcbf29ce484222325);
	for (k = 0; k < n && k < PD_NMAP_HASHED_MAX; k++)
		h[k + 1] = (h[k] ^ p[k]) * UINT64_C(0x100000001b3);

	for (i = 0; i < pd_nmap_probe_count; i++)
	{
		const PdNmapProbe *np = &pd_nmap_probes[i];

		if (n >= np->hashed && n <= (size_t) np->length - 4 &&
			h[np->hashed] == np->hash &&
			(n == (size_t) np->length - 4 || n >= PD_NMAP_HASHED_MAX))
			return np;
	}
	return NULL;
}

const char *
pd_nmap_probe_name(const PdProbe *probe)
{
	const PdNmapProbe *np = pd_nmap_match(probe);

	return np ? np->name : NULL;
}

void
pd_nmap_classify(const PdProbe *probe, PdClass *out)
{
	const PdNmapProbe *np = pd_nmap_match(probe);
	PdStr		s;

	if (np == NULL)
		return;
	PD_SET(out->tool, "nmap -sV ");
	pd_str_init(&s, out->tool, sizeof(out->tool));
	pd_str_add(&s, np->name);
	/* the probe's own target beats what its bytes look like to us */
	if (np->protocol)
		PD_SET(out->protocol, np->protocol);
	if (!out->detail[0])
		PD_SET(out->detail, "nmap service probe");
}
