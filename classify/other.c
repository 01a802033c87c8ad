/*-------------------------------------------------------------------------
 *
 * other.c
 *	  Everything else with a binary signature: SMB, SOCKS, Java RMI, ONC RPC,
 *	  AJP, BitTorrent and distcc.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

bool
pd_rule_smb(const PdView *v, PdClass *c)
{
	int			m = pd_at(v, 4);

	if (!PD_IS(v, 5, "SMB") || (m != 0xff && m != 0xfe && m != 0xfd))
		return false;
	PD_SET(c->protocol, m == 0xff ? "smb1" : "smb2");
	if (m == 0xff && pd_at(v, 8) == 0x72)
		PD_SET(c->detail, "SMB1 NEGOTIATE");
	else if (m == 0xfe && pd_le16(v, 16) == 0)
		PD_SET(c->detail, "SMB2 NEGOTIATE");
	else if (m == 0xfd)
		PD_SET(c->detail, "SMB3 transform header");
	else
		PD_SET(c->detail, m == 0xff ? "SMB1 header" : "SMB2 header");
	return true;
}

/* SOCKS: whole stream only; their signatures are in the first bytes. */
bool
pd_rule_socks(const PdView *v, PdClass *c)
{
	if (v->off != 0)
		return false;
	if (pd_at(v, 0) == 4 && (pd_at(v, 1) == 1 || pd_at(v, 1) == 2) &&
		pd_end(v) >= 9 && pd_end(v) <= 300 && pd_at(v, pd_end(v) - 1) == 0)
	{
		size_t		k;
		int			nuls = 0;

		for (k = 8; k < pd_end(v); k++)
		{
			int			ch = pd_at(v, k);

			if (ch == 0)
				nuls++;
			else if (ch < 0x20 || ch >= 0x7f)
				return false;
		}
		if (nuls > 2)
			return false;
		return pd_found(c, "socks4", pd_at(v, 1) == 1 ? "CONNECT" : "BIND");
	}
	if (pd_at(v, 0) == 5)
	{
		int			n = pd_at(v, 1);
		int			k;

		if (n < 1 || n > 9)
			return false;
		for (k = 0; k < n; k++)
		{
			int			m = pd_at(v, 2 + k);

			if (m < 0 || (m > 3 && m < 0x80) || m == 0xff)
				return false;
		}
		if (pd_end(v) != (size_t) 2 + n &&
			!(pd_at(v, 2 + n) == 5 && pd_at(v, 4 + n) == 0))
			return false;
		return pd_found(c, "socks5", "method selection");
	}
	return false;
}

bool
pd_rule_java_rmi(const PdView *v, PdClass *c)
{
	int			p = pd_at(v, 6);

	if ((v->off == 0 && !PD_IS(v, 0, "JRMI")) || pd_end(v) != 7 ||
		pd_at(v, 4) != 0 || (pd_at(v, 5) != 1 && pd_at(v, 5) != 2) ||
		p < 0x4b || p > 0x4d)
		return false;
	return pd_found(c, "java-rmi", "JRMI stream header");
}

/* ONC RPC over TCP: a CALL, RPC version 2. */
bool
pd_rule_onc_rpc(const PdView *v, PdClass *c)
{
	long long	prog = pd_be32(v, 16),
				vers = pd_be32(v, 20),
				proc = pd_be32(v, 24),
				flavor = pd_be32(v, 28);
	PdStr		d;

	if (pd_be32(v, 8) != 0 || pd_be32(v, 12) != 2 || prog < 100000 ||
		prog > 0x7fffffff || vers < 0 || vers > 20 || proc < 0 || proc > 64 ||
		flavor < 0 || flavor > 6)
		return false;
	if (v->off == 0 && !(pd_at(v, 0) & 0x80))
		return false;
	PD_SET(c->protocol, "onc-rpc");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "CALL program %lld%s version %lld procedure %lld", prog,
				prog == 100000 ? " (portmapper)" : prog == 100003 ? " (nfs)" :
				prog == 100005 ? " (mountd)" : "", vers, proc);
	return true;
}

/* Apache JServ Protocol: forward request (or CPing with the whole stream). */
bool
pd_rule_ajp(const PdView *v, PdClass *c)
{
	if (v->off == 0 && PD_IS(v, 0, "\x12\x34") &&
		(pd_at(v, 4) == 0x0a || pd_at(v, 4) == 0x02) &&
		pd_be16(v, 2) == (long) pd_end(v) - 4)
		return pd_found(c, "ajp", pd_at(v, 4) == 0x0a ? "AJP13 CPing" :
				"AJP13 forward request");
	if (pd_at(v, 4) == 0x02 && pd_at(v, 5) >= 1 && pd_at(v, 5) <= 28 &&
		PD_IS(v, 6, "\0\x08HTTP/1."))
		return pd_found(c, "ajp", "AJP13 forward request");
	return false;
}

bool
pd_rule_bittorrent(const PdView *v, PdClass *c)
{
	PdStr		d;

	if (!PD_IS(v, 4, "Torrent protocol") || (v->off == 0 && !PD_IS(v, 0, "\x13" "Bit")))
		return false;
	PD_SET(c->protocol, "bittorrent");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "handshake");
	if (pd_at(v, 48) == '-' && pd_at(v, 55) == '-')
	{
		pd_str_add(&d, "; peer id ");
		pd_str_addv(&d, v, 48, 8);
	}
	return true;
}

bool
pd_rule_distcc(const PdView *v, PdClass *c)
{
	int			k;

	if (v->off == 0 && !PD_IS(v, 0, "DIST"))
		return false;
	for (k = 4; k < 12; k++)
	{
		int			ch = pd_at(v, k);

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	if (pd_end(v) != 12 && !PD_IS(v, 12, "ARGC"))
		return false;
	return pd_found(c, "distcc", "DIST request");
}
