/*-------------------------------------------------------------------------
 *
 * remote.c
 *	  Remote shells and desktops: SSH, RDP, VNC, telnet and X11.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

bool
pd_rule_ssh(const PdView *v, PdClass *c)
{
	size_t		n;
	size_t		next;
	size_t		ver;
	PdStr		s;

	if (PD_IS(v, 0, "SSH-"))
		ver = 4;
	else if (v->off == 4 && (PD_IS(v, 4, "2.0-") || PD_IS(v, 4, "1.99-") ||
							 PD_IS(v, 4, "1.5-")))
		ver = 4;
	else
		return false;
	if (!pd_line(v, ver, &n, &next) || n < 5 || n > 251)
		return false;
	PD_SET(c->protocol, "ssh");
	pd_str_init(&s, c->detail, sizeof(c->detail));
	pd_str_add(&s, "SSH-");
	pd_str_addv(&s, v, ver, n);

	/* the software version names the tool: the tool pass reads it */
	return true;
}

/* RDP: TPKT + X.224 Connection Request, with its cookie. */
bool
pd_rule_rdp(const PdView *v, PdClass *c)
{
	int			li = pd_at(v, 4);
	long		ck;
	PdStr		d;

	if (li < 6 || pd_at(v, 5) != 0xe0 || pd_be16(v, 6) != 0 || pd_at(v, 10) != 0)
		return false;
	if (v->off == 0 && (pd_at(v, 0) != 3 || pd_at(v, 1) != 0 ||
						pd_be16(v, 2) != li + 5))
		return false;
	ck = PD_IS(v, 11, "Cookie: mstshash=") ? 11 : -1;
	/*
	 * No cookie: the length must be exact, and the request must end after
	 * its fixed part or carry just an RDP negotiation request (type 1,
	 * length 8).  ISO 8073 parameters there (a TSAP) are ISO-TSAP's.
	 */
	if (ck < 0 && ((size_t) li + 5 != pd_end(v) ||
				   (li != 6 && !(li == 14 && pd_at(v, 11) == 1 &&
								 pd_le16(v, 13) == 8))))
		return false;
	PD_SET(c->protocol, "rdp");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "X.224 Connection Request");
	if (ck >= 0)
	{
		long		e = pd_find(v, 11, '\r', 128);
		size_t		from = 11 + 17;

		if (e > (long) from)
		{
			pd_str_add(&d, "; Cookie: mstshash=");
			pd_str_addv(&d, v, from, (size_t) e - from);
		}
	}
	return true;
}

bool
pd_rule_vnc(const PdView *v, PdClass *c)
{
	size_t		i = 4;
	size_t		k;
	PdStr		d;

	if (v->off == 0 && !PD_IS(v, 0, "RFB "))
		return false;
	if (pd_end(v) != i + 8 || pd_at(v, i + 3) != '.' || pd_at(v, i + 7) != '\n')
		return false;
	for (k = 0; k < 7; k++)
	{
		int			ch = pd_at(v, i + k);

		if (k != 3 && (ch < '0' || ch > '9'))
			return false;
	}
	PD_SET(c->protocol, "vnc");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "RFB ");
	pd_str_addv(&d, v, i, 7);
	return true;
}

/*
 * Telnet NTLM authentication (RFC 2941's AUTHENTICATION option with
 * MS-TNAP's NTLM type): IAC SB AUTHENTICATION IS NTLM who command, a
 * little-endian data size and buffer type, an NTLMSSP message of that size,
 * IAC SE.  From byte 4 on (what PostgreSQL leaves) the NTLM type, the
 * "NTLMSSP" signature at byte 15 and IAC SE exactly after the size remain.
 */
static bool
pd_telnet_ntlm(const PdView *v, PdClass *c)
{
	long long	size = pd_le32(v, 7);

	if (v->off == 0 && !PD_IS(v, 0, "\xff\xfa\x25\x00"))
		return false;
	if (pd_at(v, 4) != 0x0f || pd_at(v, 6) < 0 || pd_at(v, 6) > 2 ||
		size < 12 || size > 4096 || (size_t) (15 + size + 2) != pd_end(v) ||
		!PD_IS(v, 15, "NTLMSSP\0") || !pd_is(v, 15 + size, "\xff\xf0", 2))
		return false;
	return pd_found(c, "telnet", "NTLM authentication (MS-TNAP)");
}

/*
 * Telnet option negotiation: IAC DO/DONT/WILL/WONT triplets throughout; or
 * NTLM authentication.
 */
bool
pd_rule_telnet(const PdView *v, PdClass *c)
{
	size_t		p = v->off;
	int			triplets = 0;

	if (pd_telnet_ntlm(v, c))
		return true;
	if (v->off == 4)
	{
		/* we joined mid-stream: byte 3 was IAC, bytes 4-5 end that triplet */
		if (pd_at(v, 4) < 0xfb || pd_at(v, 4) > 0xfe || pd_at(v, 5) > 0x31)
			return false;
		p = 6;
		triplets = 1;
	}
	while (p < pd_end(v) && triplets < 64)
	{
		int			cmd = pd_at(v, p + 1);

		if (pd_at(v, p) != 0xff || cmd < 0xfb || cmd > 0xfe || pd_at(v, p + 2) < 0 ||
			pd_at(v, p + 2) > 0x31)
			return false;
		p += 3;
		triplets++;
	}
	if (triplets < 2 || p != pd_end(v))
		return false;
	return pd_found(c, "telnet", "option negotiation");
}

/*
 * X11 connection setup: byte order 'l' or 'B', protocol 11.0, and either
 * MIT-MAGIC-COOKIE-1 or XDM-AUTHORIZATION-1 (with a 16-byte or 8-byte
 * datum, padded), or no authorization in exactly 12 bytes.  Without the
 * first four bytes (byte order, major version) the minor version, the two
 * lengths and the authorization name remain; with no authorization that is
 * eight zero bytes, which name nothing.
 */
bool
pd_rule_x11(const PdView *v, PdClass *c)
{
	int			o = pd_at(v, 0);
	bool		le;
	long		nl,
				dl;

	if (v->off == 0)
	{
		if ((o != 'l' && o != 'B') || pd_at(v, 1) != 0)
			return false;
		le = o == 'l';
		if ((le ? pd_le16(v, 2) : pd_be16(v, 2)) != 11)
			return false;
	}
	else
		le = pd_at(v, 6) != 0;	/* the name length's low byte comes first */
	nl = le ? pd_le16(v, 6) : pd_be16(v, 6);
	dl = le ? pd_le16(v, 8) : pd_be16(v, 8);
	if (pd_be16(v, 4) != 0 || pd_be16(v, 10) != 0 || nl < 0 || dl < 0)
		return false;
	if (nl == 0)
	{
		if (v->off != 0 || dl != 0 || pd_end(v) != 12)
			return false;
	}
	else if (!(nl == 18 && dl == 16 && PD_IS(v, 12, "MIT-MAGIC-COOKIE-1")) &&
			 !(nl == 19 && dl == 8 && PD_IS(v, 12, "XDM-AUTHORIZATION-1")))
		return false;
	return pd_found(c, "x11", le ? "connection setup, little-endian" :
					"connection setup, big-endian");
}
