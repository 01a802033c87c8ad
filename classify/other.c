/*-------------------------------------------------------------------------
 *
 * other.c
 *	  Everything else with a binary signature: SMB, SOCKS, Java RMI, ONC RPC,
 *	  AJP, BitTorrent, distcc, JDWP and iSCSI.
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

/* A SOCKS5 request (05 cmd 00 atyp address port) at stream offset p? */
static bool
pd_socks5_request(const PdView *v, size_t p)
{
	int			atyp = pd_at(v, p + 3);
	size_t		alen;

	if (pd_at(v, p) != 5 || pd_at(v, p + 1) < 1 || pd_at(v, p + 1) > 3 ||
		pd_at(v, p + 2) != 0)
		return false;
	if (atyp == 1)
		alen = 4;
	else if (atyp == 4)
		alen = 16;
	else if (atyp == 3 && pd_at(v, p + 4) > 0)
	{
		size_t		k;

		alen = 1 + (size_t) pd_at(v, p + 4);
		for (k = 1; k < alen; k++)
			if (pd_at(v, p + 4 + k) <= 0x20 || pd_at(v, p + 4 + k) >= 0x7f)
				return false;
	}
	else
		return false;
	return p + 4 + alen + 2 == pd_end(v);
}

/* n SOCKS5 method ids from stream offset p: known ones, ascending. */
static bool
pd_socks5_methods(const PdView *v, size_t p, size_t n)
{
	size_t		k;
	int			prev = -1;

	for (k = p; k < p + n; k++)
	{
		int			m = pd_at(v, k);

		if (m < 0 || (m > 3 && m < 0x80) || m == 0xff || m <= prev)
			return false;
		prev = m;
	}
	return true;
}

/*
 * Without the first four bytes: a SOCKS4a request (its address 0.0.0.x,
 * x not 0, then a user id and a host name, each NUL-terminated, ending the
 * stream), or a SOCKS5 greeting of three or more methods followed by its
 * request, which ends the stream.  A plain SOCKS4 request leaves four address bytes and a user id:
 * too little to name.
 */
static bool
pd_socks_tail(const PdView *v, PdClass *c)
{
	size_t		n;
	size_t		k;

	if (pd_be16(v, 4) == 0 && pd_at(v, 6) == 0 && pd_at(v, 7) > 0 &&
		pd_at(v, pd_end(v) - 1) == 0)
	{
		int			nuls = 0;
		bool		dot = false;

		for (k = 8; k < pd_end(v) && k < 300; k++)
		{
			int			ch = pd_at(v, k);

			if (ch == 0)
				nuls++;
			else if (ch < 0x20 || ch >= 0x7f)
				return false;
			else if (ch == '.' && nuls == 1)
				dot = true;
		}
		if (k == pd_end(v) && nuls == 2 && dot && pd_at(v, pd_end(v) - 2) != 0)
			return pd_found(c, "socks4", "SOCKS4a request");
		return false;
	}
	for (n = 3; n <= 9; n++)
	{
		/* methods 2 .. 2+n-1; bytes 4 on are known */
		if (pd_socks5_methods(v, 4, n - 2) && pd_socks5_request(v, 2 + n))
			return pd_found(c, "socks5", "method selection and request");
	}
	return false;
}

/* SOCKS 4, 4a and 5: their signatures are in the first bytes. */
bool
pd_rule_socks(const PdView *v, PdClass *c)
{
	if (v->off != 0)
		return pd_socks_tail(v, c);
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
		/*
		 * One NUL ends the user id of a SOCKS4 request to a real address;
		 * two, a SOCKS4a request to 0.0.0.x and a host name.  The port is
		 * never 0.
		 */
		if (pd_be16(v, 2) == 0 ||
			(nuls == 1 && pd_be16(v, 4) == 0 && pd_at(v, 6) == 0) ||
			(nuls == 1 && pd_at(v, 4) == 0) ||
			(nuls == 2 && (pd_be16(v, 4) != 0 || pd_at(v, 6) != 0 ||
						   pd_at(v, 7) == 0 || pd_at(v, pd_end(v) - 2) == 0)) ||
			nuls > 2)
			return false;
		return pd_found(c, "socks4", pd_at(v, 1) == 1 ? "CONNECT" : "BIND");
	}
	if (pd_at(v, 0) == 5)
	{
		int			n = pd_at(v, 1);

		/* clients list their methods in ascending order */
		if (n < 1 || n > 9 || !pd_socks5_methods(v, 2, (size_t) n))
			return false;
		if (pd_end(v) != (size_t) 2 + n && !pd_socks5_request(v, 2 + (size_t) n))
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

/*
 * Java Debug Wire Protocol: the debugger opens with the 14 ASCII bytes
 * "JDWP-Handshake" (JDWP specification, "JDWP Handshake"); nmap's
 * jdwp-* scripts send their first command packet (length, id, flags 0,
 * command set, command) right after it.  "-Handshake" is left when the
 * first four bytes are gone.
 */
bool
pd_rule_jdwp(const PdView *v, PdClass *c)
{
	long long	plen = pd_be32(v, 14);
	PdStr		d;

	if (!PD_IS(v, 4, "-Handshake") || (v->off == 0 && !PD_IS(v, 0, "JDWP")))
		return false;
	/* nothing, or a command packet: at least 11 bytes, flags 0 */
	if (pd_end(v) > 14 && (plen < 11 || plen > 65536 || pd_at(v, 22) > 0))
		return false;
	PD_SET(c->protocol, "jdwp");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "JDWP-Handshake");
	if (pd_at(v, 24) >= 0)
		pd_str_addf(&d, "; command set %d command %d", pd_at(v, 23), pd_at(v, 24));
	return true;
}

/*
 * iSCSI Login Request (RFC 7143, 11.12): opcode 0x03 in a 48-byte basic
 * header, no additional header segments, reserved bytes 32-47 zero, then a
 * data segment of text keys, padded to four bytes, that ends the stream
 * (the initiator waits for the Login Response), and opens with a key a
 * login carries (nmap's iscsi-info: InitiatorName, SessionType,
 * AuthMethod).  Without the first four bytes (opcode, flags, versions) the
 * segment length and the keys remain, which are evidence enough.
 */
bool
pd_rule_iscsi(const PdView *v, PdClass *c)
{
	static const char *const keys[] = {"InitiatorName=iqn.", "InitiatorName=eui.",
		"InitiatorName=naa.", "SessionType=Discovery", "SessionType=Normal",
	"AuthMethod=", "InitiatorAlias="};
	long		dsl;
	size_t		k;
	PdStr		d;

	if (v->off == 0 &&
		((pd_at(v, 0) & 0xbf) != 0x03 || (pd_at(v, 1) & 0x30) != 0 ||
		 pd_at(v, 2) != 0 || pd_at(v, 3) != 0))
		return false;
	if (pd_at(v, 4) != 0 || pd_at(v, 5) < 0)
		return false;
	dsl = ((long) pd_at(v, 5) << 16) | pd_be16(v, 6);
	if (pd_be16(v, 6) < 0 || dsl < 12 || (size_t) (48 + ((dsl + 3) & ~3L)) != pd_end(v))
		return false;
	for (k = 32; k < 48; k++)
		if (pd_at(v, k) != 0)
			return false;
	for (k = 0; k < lengthof_(keys); k++)
		if (pd_is(v, 48, keys[k], strlen(keys[k])))
			break;
	if (k == lengthof_(keys))
		return false;
	PD_SET(c->protocol, "iscsi");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "Login request ");
	{
		long		e = pd_find(v, 48, 0, (size_t) dsl);

		pd_str_addv(&d, v, 48, e > 48 ? Min_((size_t) e - 48, 80) : Min_((size_t) dsl, 80));
	}
	return true;
}
