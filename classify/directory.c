/*-------------------------------------------------------------------------
 *
 * directory.c
 *	  Directory and naming services: Kerberos, LDAP and DNS over TCP.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* Kerberos over TCP: a DER [APPLICATION 10] AS-REQ or [12] TGS-REQ. */
bool
pd_rule_kerberos(const PdView *v, PdClass *c)
{
	int			tag = pd_at(v, 4);
	int			l = pd_at(v, 5);
	size_t		p;

	if (tag != 0x6a && tag != 0x6c)
		return false;

	if (l == 0x81)
		p = 7;
	else if (l == 0x82)
		p = 8;
	else if (l > 0 && l < 0x80)
		p = 6;
	else
		return false;
	if (pd_at(v, p) != 0x30)
		return false;
	/* the SEQUENCE's length, then pvno [1] INTEGER 5 and msg-type [2] */
	p += pd_at(v, p + 1) == 0x81 ? 3 : pd_at(v, p + 1) == 0x82 ? 4 : 2;
	if (pd_end(v) > p && !(pd_is(v, p, "\xa1\x03\x02\x01\x05\xa2\x03\x02\x01", 9) &&
						  (pd_at(v, p + 9) == 10 || pd_at(v, p + 9) == 12)))
		return false;
	return pd_found(c, "kerberos", tag == 0x6a ? "AS-REQ" : "TGS-REQ");
}

/* An OID in dotted decimal, n bytes at stream offset i, all known. */
static bool
pd_oid(const PdView *v, size_t i, size_t n)
{
	size_t		k;

	for (k = 0; k < n; k++)
	{
		int			ch = pd_at(v, i + k);

		if (!((ch >= '0' && ch <= '9') || (ch == '.' && k > 0)))
			return false;
	}
	return true;
}

/* LDAP: a BER LDAPMessage with a 1-byte message id. */
bool
pd_rule_ldap(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 5);
	int			l = pd_at(v, 6);
	size_t		body;
	long		oplen;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 0x30 || pd_at(v, 2) != 0x02 || pd_at(v, 3) != 0x01))
		return false;
	if (l < 0)
		return false;
	if (l < 0x80)
	{
		oplen = l;
		body = 7;
	}
	else if (l == 0x81)
	{
		oplen = pd_at(v, 7);
		body = 8;
	}
	else if (l == 0x82)
	{
		oplen = pd_be16(v, 7);
		body = 9;
	}
	else
		return false;
	if (oplen < 0 || (body + oplen != pd_end(v) && pd_at(v, body + oplen) != 0xa0 &&
					  body + oplen < pd_end(v)))
		return false;
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (op == 0x60 && pd_at(v, body) == 0x02 && pd_at(v, body + 1) == 0x01 &&
		(pd_at(v, body + 2) == 3 || pd_at(v, body + 2) == 2) &&
		pd_at(v, body + 3) == 0x04)
	{
		int			nl = pd_at(v, body + 4);

		pd_str_addf(&d, "bindRequest v%d", pd_at(v, body + 2));
		if (nl > 0 && nl < 0x80)
		{
			pd_str_add(&d, " name=");
			pd_str_addv(&d, v, body + 5, (size_t) nl);
		}
		else if (nl == 0)
			pd_str_add(&d, " anonymous");
	}
	else if (op == 0x63 && pd_at(v, body) == 0x04 && pd_at(v, body + 1) >= 0 &&
			 pd_at(v, body + 1) < 0x80 &&
			 pd_is(v, body + 2 + pd_at(v, body + 1), "\x0a\x01", 2) &&
			 pd_at(v, body + 4 + pd_at(v, body + 1)) <= 2 &&
			 pd_is(v, body + 5 + pd_at(v, body + 1), "\x0a\x01", 2) &&
			 pd_at(v, body + 7 + pd_at(v, body + 1)) <= 3)
	{
		/* base object, then scope 0-2 and derefAliases 0-3 (ENUMERATED) */
		int			bl = pd_at(v, body + 1);

		pd_str_add(&d, "searchRequest base=\"");
		if (bl > 0 && bl < 0x80)
			pd_str_addv(&d, v, body + 2, (size_t) bl);
		pd_str_add(&d, "\"");
	}
	else if (op == 0x77 && pd_at(v, body) == 0x80 && pd_at(v, body + 1) >= 3 &&
			 pd_at(v, body + 1) <= 64 && pd_oid(v, body + 2, (size_t) pd_at(v, body + 1)))
	{
		pd_str_add(&d, "extendedRequest");
		if (pd_find_str(v, body, "1.3.6.1.4.1.1466.20037", 32) >= 0)
			pd_str_add(&d, " StartTLS");
	}
	else
		return false;
	PD_SET(c->protocol, "ldap");
	return true;
}

/* DNS over TCP: a query (or nmap's status request) with a sane question. */
bool
pd_rule_dns(const PdView *v, PdClass *c)
{
	long		flags = pd_be16(v, 4);
	long		qd = pd_be16(v, 6),
				an = pd_be16(v, 8),
				ns = pd_be16(v, 10),
				ar = pd_be16(v, 12);
	size_t		p = 14;
	int			labels = 0;
	long		qtype,
				qclass;
	PdStr		d;

	if (flags < 0 || (flags & 0x8000) || an != 0 || ns != 0 || ar < 0 || ar > 1)
		return false;
	if (v->off == 0 && pd_be16(v, 0) != (long) pd_end(v) - 2)
		return false;
	if (((flags >> 11) & 0xf) == 2 && qd == 0 && ar == 0 && pd_end(v) == 14)
		return pd_found(c, "dns", "server status request");
	if (((flags >> 11) & 0xf) != 0 || qd != 1)
		return false;
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "query ");
	for (;;)
	{
		int			l = pd_at(v, p);
		int			k;

		if (l < 0 || l > 63 || labels > 32)
			return false;
		if (l == 0)
			break;
		for (k = 1; k <= l; k++)
		{
			int			ch = pd_at(v, p + k);

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
				return false;
		}
		if (labels++)
			pd_str_add(&d, ".");
		pd_str_addv(&d, v, p + 1, (size_t) l);
		p += 1 + l;
	}
	qtype = pd_be16(v, p + 1);
	qclass = pd_be16(v, p + 3);
	if (qtype < 1 || qtype > 255 || (qclass != 1 && qclass != 3 && qclass != 255))
		return false;
	if (labels == 0)
		pd_str_add(&d, ".");
	pd_str_addf(&d, " type %ld class %s", qtype,
				qclass == 1 ? "IN" : qclass == 3 ? "CH" : "ANY");
	PD_SET(c->protocol, "dns");
	return true;
}
