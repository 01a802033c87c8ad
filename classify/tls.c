/*-------------------------------------------------------------------------
 *
 * tls.c
 *	  TLS (and SSL 3.0) ClientHello records, and SSLv2-format ones.
 *
 * JA4 is computed for the first only: FoxIO defines it over TLS
 * extensions and 2-byte cipher suites, which an SSLv2-format hello has
 * neither of (its cipher specs are 3 bytes).
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"
#include "classify/ja4.h"

/*
 * A TLS (or SSL 3.0) ClientHello record at the start of the stream: the
 * length of its handshake message, or -1.
 */
static long
pd_tls_hello_record(const PdView *v)
{
	long		hs_len;

	if (pd_at(v, 5) != 0x01 || pd_at(v, 9) != 0x03 || pd_at(v, 10) > 0x04 ||
		pd_at(v, 6) != 0)
		return -1;
	hs_len = pd_be16(v, 7);
	if (hs_len < 0)
		return -1;
	if (v->off == 0)
	{
		long		rec = pd_be16(v, 3);

		if (pd_at(v, 0) != 0x16 || pd_at(v, 1) != 0x03 || pd_at(v, 2) > 0x04 ||
			rec != hs_len + 4)
			return -1;
	}
	else if (((hs_len + 4) & 0xff) != pd_at(v, 4))
		return -1;				/* record length's low byte must agree */
	return hs_len;
}

size_t
pd_tls_hello_need(const uint8_t *b, size_t len, size_t offset)
{
	PdView		v;
	long		hs_len;

	if (offset != 0 && offset != 4)
		return 0;
	/* no pd_view_init(): its line search is of no use here */
	v.b = b;
	v.len = len;
	v.off = offset;
	v.line = false;
	v.line_n = v.line_next = 0;
	hs_len = pd_tls_hello_record(&v);
	return hs_len < 0 ? 0 : 5 + 4 + (size_t) hs_len - offset;
}

/*
 * A TLS (or SSL 3.0) ClientHello record: its JA4, SNI and ALPN (ja4.c).
 * Without the first four bytes, only the record length's high byte is
 * gone with the content type and record version: the handshake message,
 * which is all JA4 reads, is intact from stream offset 5.
 */
bool
pd_rule_tls(const PdView *v, PdClass *c)
{
	long		hs_len = pd_tls_hello_record(v);
	PdStr		d;
	PdHello		h;

	if (hs_len < 0)
		return false;
	PD_SET(c->protocol, "tls");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "ClientHello version 3.%d", pd_at(v, 10));
	if (pd_at(v, 2) >= 0)
		pd_str_addf(&d, " record 3.%d", pd_at(v, 2));

	/* the handshake message: one record holds all of it (checked above) */
	if (pd_hello_parse(v->b + (5 - v->off), pd_end(v) - 5, &h))
		pd_hello_describe(&h, c);
	return true;
}

/*
 * SSLv2-format ClientHello (old clients, nmap's SSLv23SessionReq and its
 * sslv2 script): a 2-byte length with the high bit set, message type 1, a
 * version (0.2, or 3.0-3.3 offered in the old format), then the lengths of
 * the cipher specs (3 bytes each), the session id (0 or 16) and the
 * challenge (16-32), which with the 9-byte header make up the record.
 *
 * PostgreSQL takes the high bit for a bad length word and keeps what
 * follows the first four bytes: the version's low byte and the three
 * lengths, which must then add up to the end of the stream (a client
 * waits for the ServerHello), and every cipher spec must start as one of
 * SSL 2.0's (0x01-0x08) or a TLS suite's (0x00) does.  Three lengths that
 * end the stream exactly, one a multiple of three, are no coincidence.
 */
bool
pd_rule_sslv2(const PdView *v, PdClass *c)
{
	long		len = pd_be16(v, 0);
	int			ver = pd_at(v, 4);
	long		cs = pd_be16(v, 5),
				sid = pd_be16(v, 7),
				ch = pd_be16(v, 9);
	long		k;

	if (cs < 3 || cs % 3 || sid < 0 || ch < 16 || ch > 32 || ver < 0 || ver > 3)
		return false;
	if (v->off == 0)
	{
		if (len < 0 || !(len & 0x8000) || pd_at(v, 2) != 1 || pd_at(v, 3) > 3 ||
			(len & 0x7fff) != 9 + cs + sid + ch)
			return false;
		return pd_found(c, "tls", "SSLv2-format ClientHello");
	}
	if (v->off != 4 || (sid != 0 && sid != 16) ||
		(size_t) (11 + cs + sid + ch) != pd_end(v))
		return false;
	for (k = 0; k < cs; k += 3)
		if (pd_at(v, 11 + k) > 0x08)
			return false;
	return pd_found(c, "tls", "SSLv2-format ClientHello");
}
