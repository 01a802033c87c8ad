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
