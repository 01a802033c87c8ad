/*-------------------------------------------------------------------------
 *
 * industrial.c
 *	  Industrial control protocols that Internet-wide scanners sweep every
 *	  port with: Modbus/TCP, ISO-TSAP (COTP) and S7comm, DNP3,
 *	  IEC 60870-5-104 and EtherNet/IP.
 *
 * Their frames are short and mostly binary, so each rule insists on a
 * length field that ends the message exactly, or on a checksum.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/*
 * Modbus/TCP: the MBAP header (transaction id, protocol id 0, length, unit
 * id) and a function code whose request has exactly the length given.  The
 * transaction and protocol ids are what PostgreSQL consumes; the length
 * word left behind must still end the message.
 */
bool
pd_rule_modbus(const PdView *v, PdClass *c)
{
	long		len = pd_be16(v, 4);
	int			unit = pd_at(v, 6);
	int			fn = pd_at(v, 7);
	long		want;
	PdStr		d;

	if (v->off == 0 && pd_be16(v, 2) != 0)
		return false;
	if (len < 2 || len > 254 || (size_t) len + 6 != pd_end(v) || unit < 0)
		return false;
	switch (fn)
	{
		case 1:					/* read coils .. write single register */
		case 2:
		case 3:
		case 4:
		case 5:
		case 6:
			want = 6;
			break;
		case 7:					/* read exception status, event counters */
		case 11:
		case 12:
		case 17:				/* report server id */
			want = 2;
			break;
		case 15:				/* write multiple coils / registers */
		case 16:
			want = pd_at(v, 12) < 0 ? -1 : 7 + pd_at(v, 12);
			break;
		case 43:				/* encapsulated interface: device id */
			if (pd_at(v, 8) != 0x0e || pd_at(v, 9) < 1 || pd_at(v, 9) > 4)
				return false;
			want = 5;
			break;
		default:
			return false;
	}
	/* without the first four bytes, a two-byte request is too little */
	if (len != want || (v->off != 0 && want < 5))
		return false;
	PD_SET(c->protocol, "modbus");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "function %d%s, unit %d", fn,
				fn == 43 ? " read device identification" :
				fn == 17 ? " report server id" :
				fn == 3 ? " read holding registers" : "", unit);
	return true;
}

/*
 * ISO transport over TCP (RFC 1006), port 102: TPKT and an X.224 (COTP)
 * Connection Request whose variable part is a list of ISO 8073 parameters
 * that includes a TSAP.  That is what S7 and MMS scanners send first; an
 * RDP client's request carries a cookie or an RDP negotiation request
 * instead, so this rule is tried before RDP's.  A data TPDU carrying an
 * S7comm (0x32) or S7comm-plus (0x72) PDU is s7comm.
 */
bool
pd_rule_iso_tsap(const PdView *v, PdClass *c)
{
	int			li = pd_at(v, 4);
	size_t		p;
	size_t		end;
	long		calling = -1,
				called = -1;
	int			k;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 3 || pd_at(v, 1) != 0 ||
						pd_be16(v, 2) != (long) pd_end(v)))
		return false;

	/* DT TPDU (li 2, 0xf0, EOT) carrying an S7 PDU */
	if (li == 2 && pd_at(v, 5) == 0xf0 && (pd_at(v, 6) & 0x7f) == 0 &&
		(pd_at(v, 7) == 0x32 || pd_at(v, 7) == 0x72))
	{
		int			rosctr = pd_at(v, 8);

		if (pd_at(v, 7) == 0x32 &&
			(rosctr < 1 || rosctr > 7 || pd_be16(v, 9) != 0 ||
			 17 + pd_be16(v, 13) + pd_be16(v, 15) != (long) pd_end(v)))
			return false;
		if (pd_at(v, 7) == 0x72 && (pd_at(v, 8) < 1 || pd_at(v, 8) > 3))
			return false;
		PD_SET(c->protocol, "s7comm");
		pd_str_init(&d, c->detail, sizeof(c->detail));
		if (pd_at(v, 7) == 0x72)
			pd_str_add(&d, "S7comm-plus PDU");
		else
			pd_str_addf(&d, "S7comm PDU, ROSCTR %d%s", rosctr,
						rosctr == 1 && pd_at(v, 17) == 0xf0 ?
						" setup communication" :
						rosctr == 7 ? " userdata" : "");
		return true;
	}

	/* CR TPDU: code 0xe0, destination reference 0, class 0-4 */
	if (li < 6 || pd_at(v, 5) != 0xe0 || pd_be16(v, 6) != 0 ||
		(pd_at(v, 10) & 0x0f) != 0 || (pd_at(v, 10) >> 4) > 4 ||
		(size_t) li + 5 != pd_end(v))
		return false;
	p = 11;
	end = (size_t) li + 5;
	for (k = 0; k < 8 && p < end; k++)
	{
		int			code = pd_at(v, p);
		int			plen = pd_at(v, p + 1);

		if (plen < 1 || p + 2 + plen > end)
			return false;
		if (code == 0xc1 && plen <= 4)
			calling = plen == 2 ? pd_be16(v, p + 2) : 0;
		else if (code == 0xc2 && plen <= 4)
			called = plen == 2 ? pd_be16(v, p + 2) : 0;
		else if (code == 0xc0)
		{
			/* TPDU size: 2^7 .. 2^13 */
			if (plen != 1 || pd_at(v, p + 2) < 7 || pd_at(v, p + 2) > 13)
				return false;
		}
		else if (code != 0xc6 && code != 0xc7 && code != 0xf0 && code != 0x85)
			return false;
		p += 2 + plen;
	}
	if (p != end || (calling < 0 && called < 0))
		return false;
	/*
	 * S7: a called TSAP of 0x01xx-0x03xx is a connection type (PG, OP, S7
	 * basic) and a rack and slot; MMS and others use other TSAPs.
	 */
	PD_SET(c->protocol, called >= 0x0100 && called < 0x0400 ? "s7comm" : "iso-tsap");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "COTP Connection Request");
	if (calling >= 0)
		pd_str_addf(&d, "; calling TSAP %04lx", calling);
	if (called >= 0)
		pd_str_addf(&d, "; called TSAP %04lx", called);
	/* S7: called TSAP 0x01xx-0x03xx names a rack and a slot */
	if (called >= 0x0100 && called < 0x0400)
		pd_str_addf(&d, " (S7 rack %ld slot %ld)", (called >> 5) & 0x7,
					called & 0x1f);
	return true;
}

/* CRC-16/DNP over n bytes from stream offset i, or -1 if one is unknown. */
static long
pd_dnp3_crc(const PdView *v, size_t i, size_t n)
{
	unsigned	crc = 0;
	size_t		k;
	int			b;

	for (k = 0; k < n; k++)
	{
		if ((b = pd_at(v, i + k)) < 0)
			return -1;
		crc = pd_dnp3_crc_step(crc, b);
	}
	return (long) (~crc & 0xffff);
}

/* Exported for the unit test's check value. */
unsigned
pd_dnp3_crc_step(unsigned crc, int b)
{
	int			k;

	crc ^= (unsigned) b;
	for (k = 0; k < 8; k++)
		crc = (crc & 1) ? (crc >> 1) ^ 0xa6bc : crc >> 1;
	return crc;
}

/*
 * Do the user-data blocks of a DNP3 frame of length field L, from stream
 * offset 10, carry correct CRCs?  Each holds up to 16 bytes and its CRC.
 */
static bool
pd_dnp3_blocks(const PdView *v, int l)
{
	size_t		p = 10;
	int			left = l - 5;

	while (left > 0)
	{
		int			n = left > 16 ? 16 : left;

		if (pd_dnp3_crc(v, p, (size_t) n) != pd_le16(v, p + n))
			return false;
		p += n + 2;
		left -= n;
	}
	return true;
}

/* Bytes a DNP3 frame with length field l occupies. */
static size_t
pd_dnp3_size(int l)
{
	return 10 + (size_t) (l - 5) + 2 * (size_t) ((l - 5 + 15) / 16);
}

/*
 * DNP3 over TCP: one link-layer frame, 0x05 0x64, whose header CRC (and the
 * CRC of every user-data block) is right and which ends the stream.  When
 * the first four bytes (start, length, control) are gone, the length is the
 * one that makes the frame end the stream, and the header CRC is tried for
 * each control byte a master sends first; a data block's CRC must also
 * hold unless the frame is a bare header (request link status).
 */
bool
pd_rule_dnp3(const PdView *v, PdClass *c)
{
	static const uint8_t ctrl[] = {0xc9, 0x49, 0xc0, 0x40, 0xc4, 0x44,
	0xd3, 0xf3, 0x73, 0x53, 0xe9, 0xc2};
	int			l;
	int			control = -1;
	PdStr		d;

	if (v->off == 0)
	{
		l = pd_at(v, 2);
		if (pd_at(v, 0) != 0x05 || pd_at(v, 1) != 0x64 || l < 5 ||
			pd_dnp3_size(l) != pd_end(v) ||
			pd_dnp3_crc(v, 0, 8) != pd_le16(v, 8) || !pd_dnp3_blocks(v, l))
			return false;
		control = pd_at(v, 3);
	}
	else
	{
		size_t		k;
		PdView		w;
		uint8_t		buf[292];

		/* the frame's size is known: so is its length field, if any */
		for (l = 5; l <= 255 && pd_dnp3_size(l) != pd_end(v); l++)
			;
		if (l > 255 || v->len + 4 > sizeof(buf))
			return false;
		memcpy(buf + 4, v->b, v->len);
		buf[0] = 0x05;
		buf[1] = 0x64;
		buf[2] = (uint8_t) l;
		buf[3] = 0;				/* each control byte is tried below */
		pd_view_init(&w, buf, v->len + 4, 0);
		/*
		 * A bare header leaves six bytes and one 16-bit CRC: only the two
		 * request-link-status codes a scanner opens with are tried, not
		 * all twelve, to keep a chance match near 1 in 33000.
		 */
		for (k = 0; k < (l == 5 ? 2 : lengthof_(ctrl)); k++)
		{
			buf[3] = ctrl[k];
			if (pd_dnp3_crc(&w, 0, 8) == pd_le16(&w, 8) &&
				pd_dnp3_blocks(&w, l))
			{
				control = ctrl[k];
				break;
			}
		}
		if (control < 0)
			return false;
	}
	PD_SET(c->protocol, "dnp3");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "link frame, control 0x%02x%s, destination %ld, source %ld",
				control,
				(control & 0x0f) == 9 ? " (request link status)" :
				(control & 0x0f) == 0 ? " (reset link)" : "",
				pd_le16(v, 4), pd_le16(v, 6));
	return true;
}

/*
 * IEC 60870-5-104: a chain of APDUs, each 0x68 and a length of at least 4,
 * ending the stream exactly; U-format frames (STARTDT, STOPDT, TESTFR) are
 * exactly one function bit and zeros.  Only the whole stream: a lone
 * STARTDT leaves two zero bytes after the first four.  With the first four
 * gone, the rest of a first U or S frame (two zero bytes) must be followed
 * by at least one more APDU.
 */
bool
pd_rule_iec104(const PdView *v, PdClass *c)
{
	size_t		p = 0;
	int			frames = 0;
	int			first = -1;
	PdStr		d;

	if (v->off != 0)
	{
		if (pd_at(v, 4) != 0 || pd_at(v, 5) != 0 || pd_at(v, 6) != 0x68)
			return false;
		p = 6;
	}
	while (p < pd_end(v) && frames < 32)
	{
		int			l = pd_at(v, p + 1);
		int			cf = pd_at(v, p + 2);

		if (pd_at(v, p) != 0x68 || l < 4 || p + 2 + l > pd_end(v) || cf < 0)
			return false;
		if ((cf & 3) == 3)
		{
			if (l != 4 || (cf != 0x07 && cf != 0x0b && cf != 0x13 &&
						   cf != 0x23 && cf != 0x43 && cf != 0x83) ||
				pd_at(v, p + 3) != 0 || pd_at(v, p + 4) != 0 || pd_at(v, p + 5) != 0)
				return false;
		}
		else if ((cf & 3) == 1)
		{
			if (l != 4 || cf != 1 || pd_at(v, p + 3) != 0)
				return false;
		}
		else
		{
			/* I-format: an ASDU with a type id and a cause of transmission */
			int			type = pd_at(v, p + 6);
			int			cot = pd_at(v, p + 8);

			if (l < 10 || type < 1 || type > 127 || (cot & 0x3f) < 1 ||
				(cot & 0x3f) > 47)
				return false;
		}
		if (first < 0)
			first = cf;
		p += 2 + l;
		frames++;
	}
	if (frames == 0 || p != pd_end(v))
		return false;
	PD_SET(c->protocol, "iec-104");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (v->off != 0)
		pd_str_addf(&d, "%d APDU(s) after a U or S frame", frames);
	else
		pd_str_addf(&d, "%d APDU(s), first %s", frames,
					first == 0x07 ? "STARTDT act" : first == 0x43 ? "TESTFR act" :
					first == 0x13 ? "STOPDT act" : (first & 1) == 0 ? "I-format" :
					"U/S-format");
	return true;
}

/*
 * EtherNet/IP encapsulation: a known command, a length that ends the
 * stream after the 24-byte header, status 0, options 0.  Whole stream only:
 * without the command and the length, a List Identity request is twenty
 * bytes of which at most eight (the sender context) are not zero.
 */
bool
pd_rule_enip(const PdView *v, PdClass *c)
{
	long		cmd = pd_le16(v, 0);
	const char *name;
	PdStr		d;

	if (v->off != 0 || pd_le16(v, 2) + 24 != (long) pd_end(v) ||
		pd_le32(v, 8) != 0 || pd_le32(v, 20) != 0)
		return false;
	switch (cmd)
	{
		case 0x0004:
			name = "ListServices";
			break;
		case 0x0063:
			name = "ListIdentity";
			break;
		case 0x0064:
			name = "ListInterfaces";
			break;
		case 0x0065:
			/* protocol version 1, options 0 */
			if (pd_le16(v, 2) != 4 || pd_le16(v, 24) != 1 || pd_le16(v, 26) != 0)
				return false;
			name = "RegisterSession";
			break;
		default:
			return false;
	}
	if (cmd != 0x0065 && pd_le16(v, 2) != 0)
		return false;
	PD_SET(c->protocol, "enip");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, name);
	return true;
}
