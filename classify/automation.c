/*-------------------------------------------------------------------------
 *
 * automation.c
 *	  Building and plant automation protocols that scanners probe for:
 *	  Niagara Fox, OMRON FINS/TCP, HART-IP and PC WORX.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* Niagara Fox: "fox a <n> -1 fox hello"; the "fox " may be gone. */
bool
pd_rule_fox(const PdView *v, PdClass *c)
{
	if (v->off == 0 ? !PD_IS(v, 0, "fox a ") : !PD_IS(v, 4, "a "))
		return false;
	if (pd_find_str(v, 6, " fox hello", 16) < 0)
		return false;
	return pd_found(c, "niagara-fox", "fox hello");
}

/*
 * OMRON FINS over TCP: "FINS", a length that ends the stream, a command
 * 0-3 and error code 0.  Without "FINS", only the node address request
 * (command 0, length 12) a client opens with: fifteen fixed bytes, the last
 * one the client's node number.
 */
bool
pd_rule_fins(const PdView *v, PdClass *c)
{
	long long	len = pd_be32(v, 4);
	long long	cmd = pd_be32(v, 8);

	if (len < 8 || len + 8 != (long long) pd_end(v) || pd_be32(v, 12) != 0)
		return false;
	if (v->off == 0)
	{
		if (!PD_IS(v, 0, "FINS") || cmd < 0 || cmd > 3)
			return false;
	}
	else if (cmd != 0 || len != 12 || pd_be16(v, 16) != 0 || pd_at(v, 18) != 0 ||
			 pd_at(v, 19) == 0xff)
		return false;
	return pd_found(c, "omron-fins", cmd == 0 ? "node address request" :
					cmd == 2 ? "FINS frame" : "FINS/TCP command");
}

/*
 * HART-IP: version 1, a request (type 0) with a known message id, status
 * 0, and a byte count that ends the stream.  Whole stream only: after the
 * first four bytes only the sequence number and byte count are left.
 */
bool
pd_rule_hart_ip(const PdView *v, PdClass *c)
{
	int			id = pd_at(v, 2);

	if (v->off != 0 || pd_at(v, 0) != 1 || pd_at(v, 1) != 0 || id < 0 ||
		id > 3 || pd_at(v, 3) != 0 || pd_be16(v, 6) != (long) pd_end(v))
		return false;
	/* Session Initiate: master type 1 or 2 and an inactivity timer */
	if (id == 0 && (pd_end(v) != 13 || pd_at(v, 8) < 1 || pd_at(v, 8) > 2))
		return false;
	if ((id == 1 || id == 2) && pd_end(v) != 8)
		return false;
	return pd_found(c, "hart-ip", id == 0 ? "Session Initiate request" :
					id == 1 ? "Session Close request" :
					id == 2 ? "Keep Alive request" : "Token-Passing PDU");
}

/* Phoenix Contact PC WORX: the "IBETH01N0_M" connect request. */
bool
pd_rule_pcworx(const PdView *v, PdClass *c)
{
	if (v->off == 0 && (pd_at(v, 0) != 1 || pd_at(v, 1) != 1))
		return false;
	if (!PD_IS(v, 12, "\0\x0cIBETH01N0_M\0"))
		return false;
	if (pd_be16(v, 2) >= 0 && pd_be16(v, 2) != (long) pd_end(v))
		return false;
	return pd_found(c, "pcworx", "IBETH01N0_M connect");
}
