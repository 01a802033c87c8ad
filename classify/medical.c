/*-------------------------------------------------------------------------
 *
 * medical.c
 *	  Medical protocols that scanners probe for: DICOM's upper layer and
 *	  HL7 v2 over MLLP.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* Are stream bytes [i, i + n) all printable ASCII? */
static bool
pd_printable(const PdView *v, size_t i, size_t n)
{
	size_t		k;

	for (k = 0; k < n; k++)
	{
		int			ch = pd_at(v, i + k);

		if (ch < 0x20 || ch >= 0x7f)
			return false;
	}
	return true;
}

/*
 * DICOM A-ASSOCIATE-RQ: PDU type 1, protocol version 1, two 16-byte
 * printable AE titles, 32 reserved zero bytes, then the Application
 * Context item (0x10) naming a DICOM UID ("1.2.840.10008.").  Without the
 * first four bytes, everything from the protocol version on is still there.
 */
bool
pd_rule_dicom(const PdView *v, PdClass *c)
{
	size_t		k;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 1 || pd_at(v, 1) != 0 ||
						pd_be32(v, 2) + 6 != (long long) pd_end(v)))
		return false;
	if (pd_be16(v, 6) != 1 || pd_be16(v, 8) != 0 ||
		!pd_printable(v, 10, 32))
		return false;
	for (k = 42; k < 74; k++)
		if (pd_at(v, k) != 0)
			return false;
	if (pd_at(v, 74) != 0x10 || !PD_IS(v, 78, "1.2.840.10008."))
		return false;
	PD_SET(c->protocol, "dicom");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "A-ASSOCIATE-RQ called ");
	pd_str_addv(&d, v, 10, 16);
	pd_str_add(&d, " calling ");
	pd_str_addv(&d, v, 26, 16);
	return true;
}

/*
 * HL7 v2 over MLLP: a start block (0x0b) and an MSH segment: "MSH", the
 * field separator, four encoding characters and the separator again
 * (almost always "|^~\&|").  Without the first four bytes ("\x0bMSH"),
 * the separator and encoding characters must be exactly "|^~\&|" and a
 * segment must end in a carriage return.
 */
bool
pd_rule_hl7(const PdView *v, PdClass *c)
{
	int			sep = pd_at(v, 4);
	int			k;
	PdStr		d;

	if (v->off == 0)
	{
		if (!PD_IS(v, 0, "\x0bMSH") || sep < 0x21 || sep >= 0x7f ||
			(sep >= '0' && sep <= '9') || ((sep | 0x20) >= 'a' && (sep | 0x20) <= 'z'))
			return false;
		for (k = 5; k < 9; k++)
			if (pd_at(v, k) < 0x21 || pd_at(v, k) >= 0x7f || pd_at(v, k) == sep)
				return false;
		if (pd_at(v, 9) != sep)
			return false;
	}
	else if (!PD_IS(v, 4, "|^~\\&|") || pd_find(v, 10, '\r', 1024) < 0)
		return false;
	PD_SET(c->protocol, "hl7");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "MLLP MSH segment");
	{
		/* the message type is field 9 */
		size_t		p = 9;
		int			f = 2;

		while (f < 9 && p < pd_end(v) && p < 512 && pd_at(v, p) != '\r')
		{
			if (pd_at(v, p) == sep)
				f++;
			p++;
		}
		if (f == 9)
		{
			long		e = pd_find(v, p, sep, 32);

			if (e > (long) p)
			{
				pd_str_add(&d, " ");
				pd_str_addv(&d, v, p, (size_t) e - p);
			}
		}
	}
	return true;
}
