/*-------------------------------------------------------------------------
 *
 * tls.c
 *	  TLS (and SSL 3.0) ClientHello records, and SSLv2-format ones.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* A TLS (or SSL 3.0) ClientHello record, with SNI and ALPN. */
bool
pd_rule_tls(const PdView *v, PdClass *c)
{
	long		hs_len;
	size_t		p;
	size_t		end;
	int			sid;
	long		cs;
	int			comp;
	long		ext_len;
	int			guard;
	PdStr		d;

	if (pd_at(v, 5) != 0x01 || pd_at(v, 9) != 0x03 || pd_at(v, 10) > 0x04 ||
		pd_at(v, 6) != 0)
		return false;
	hs_len = pd_be16(v, 7);
	if (hs_len < 0)
		return false;
	if (v->off == 0)
	{
		long		rec = pd_be16(v, 3);

		if (pd_at(v, 0) != 0x16 || pd_at(v, 1) != 0x03 || pd_at(v, 2) > 0x04 ||
			rec != hs_len + 4)
			return false;
	}
	else if (((hs_len + 4) & 0xff) != pd_at(v, 4))
		return false;			/* record length's low byte must agree */

	PD_SET(c->protocol, "tls");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "ClientHello version 3.%d", pd_at(v, 10));
	if (pd_at(v, 2) >= 0)
		pd_str_addf(&d, " record 3.%d", pd_at(v, 2));

	/* session id, cipher suites, compression, then extensions */
	end = 9 + (size_t) hs_len;
	if (end > pd_end(v))
		end = pd_end(v);
	p = 43;
	sid = pd_at(v, p);
	if (sid < 0 || sid > 32)
		return true;
	p += 1 + sid;
	cs = pd_be16(v, p);
	if (cs < 0)
		return true;
	p += 2 + cs;
	comp = pd_at(v, p);
	if (comp < 0)
		return true;
	p += 1 + comp;
	ext_len = pd_be16(v, p);
	if (ext_len < 0)
		return true;
	p += 2;
	for (guard = 0; guard < 64 && p + 4 <= end; guard++)
	{
		long		type = pd_be16(v, p);
		long		len = pd_be16(v, p + 2);
		size_t		body = p + 4;

		if (type < 0 || len < 0)
			break;
		if (type == 0 && len >= 5 && pd_at(v, body + 2) == 0)
		{
			long		nl = pd_be16(v, body + 3);

			if (nl > 0 && nl <= 255)
			{
				pd_str_add(&d, " SNI=");
				pd_str_addv(&d, v, body + 5, (size_t) nl);
			}
		}
		else if (type == 16 && len >= 3)
		{
			size_t		q = body + 2;
			size_t		qe = body + (size_t) len;
			int			k;

			pd_str_add(&d, " ALPN=");
			for (k = 0; k < 16 && q < qe && q < end; k++)
			{
				int			pl = pd_at(v, q);

				if (pl <= 0)
					break;
				if (k > 0)
					pd_str_add(&d, ",");
				pd_str_addv(&d, v, q + 1, (size_t) pl);
				q += 1 + pl;
			}
		}
		p = body + (size_t) len;
	}
	return true;
}

/* SSLv2-format ClientHello (old clients, nmap's SSLv23SessionReq): whole
 * stream only, since its signature is in the first bytes. */
bool
pd_rule_sslv2(const PdView *v, PdClass *c)
{
	long		len = pd_be16(v, 0);
	long		cs = pd_be16(v, 5),
				sid = pd_be16(v, 7),
				ch = pd_be16(v, 9);

	if (v->off != 0 || len < 0 || !(len & 0x8000) || pd_at(v, 2) != 1 ||
		pd_at(v, 3) > 3 || cs < 3 || cs % 3 || sid < 0 || ch < 16 || ch > 32 ||
		(len & 0x7fff) != 9 + cs + sid + ch)
		return false;
	return pd_found(c, "tls", "SSLv2-format ClientHello");
}
