/*-------------------------------------------------------------------------
 *
 * ja4.c
 *	  A TLS ClientHello message parsed, its JA4 fingerprint, and the few
 *	  TLS stacks a JA4 names.
 *
 * JA4 as FoxIO publishes it (technical_details/JA4.md in FoxIO-LLC/ja4):
 * "t" (TLS over TCP; QUIC never reaches a TCP port), the version (highest
 * supported_versions entry, else client_version), "d" if there is a
 * server_name extension or "i", the number of cipher suites and of
 * extensions (GREASE left out, at most 99), the first and last characters
 * of the first ALPN value; then the first 12 hex digits of the SHA-256 of
 * the sorted cipher suites, and of the sorted extensions without SNI and
 * ALPN followed by "_" and the signature algorithms in their order.  An
 * empty list hashes to "000000000000".
 *
 * Where FoxIO's own implementations differ from that text (a non-ASCII
 * ALPN is "99" in ja4.py and the Rust crate, a one-byte ALPN "x0" in the
 * Rust crate), we follow the text: first and last characters of the hex
 * of the value when either end is not alphanumeric, a single character
 * twice.  Real clients send "h2", "http/1.1" or "postgresql": all agree.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/ja4.h"

#include <string.h>

#include "classify/sha256.h"
#include "classify/view.h"

#define PD_EXT_SERVER_NAME		0x0000
#define PD_EXT_SIGALGS			0x000d
#define PD_EXT_ALPN				0x0010
#define PD_EXT_VERSIONS			0x002b

static inline unsigned
pd_get16(const uint8_t *p)
{
	return (unsigned) p[0] << 8 | p[1];
}

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa */
static inline bool
pd_grease(unsigned v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Add v to a capped list; false if it is full. */
static bool
pd_push(uint16_t *list, int *n, int max, unsigned v)
{
	if (pd_grease(v))
		return true;
	if (*n >= max)
		return false;
	list[(*n)++] = (uint16_t) v;
	return true;
}

/*
 * One extension's body [b, b + n), all of it known.  False if it is
 * malformed or overflows a cap: the JA4 would not be exact.
 */
static bool
pd_hello_ext(PdHello *h, unsigned type, const uint8_t *b, size_t n)
{
	size_t		i;

	switch (type)
	{
		case PD_EXT_SERVER_NAME:
			h->has_sni = true;
			/* server_name_list, first entry host_name(0) */
			if (n >= 5 && b[2] == 0)
			{
				size_t		nl = pd_get16(b + 3);

				if (nl > 0 && 5 + nl <= n)
				{
					h->sni = b + 5;
					h->sni_len = nl;
				}
			}
			return true;
		case PD_EXT_ALPN:
			if (n < 2 || 2 + (size_t) pd_get16(b) > n)
				return false;
			h->alpn = b + 2;
			h->alpn_len = pd_get16(b);
			return true;
		case PD_EXT_SIGALGS:
			if (n < 2 || 2 + (size_t) pd_get16(b) > n || (pd_get16(b) & 1))
				return false;
			for (i = 2; i + 2 <= 2 + (size_t) pd_get16(b); i += 2)
				if (!pd_push(h->sigalgs, &h->n_sigalgs, PD_HELLO_SIGALGS_MAX,
							 pd_get16(b + i)))
					return false;
			return true;
		case PD_EXT_VERSIONS:
			if (n < 1 || 1 + (size_t) b[0] > n || (b[0] & 1))
				return false;
			h->has_versions = true;
			for (i = 1; i + 2 <= 1 + (size_t) b[0]; i += 2)
			{
				unsigned	v = pd_get16(b + i);

				if (!pd_grease(v) && v > h->best)
					h->best = (uint16_t) v;
			}
			return true;
		default:
			return true;
	}
}

bool
pd_hello_parse(const uint8_t *msg, size_t len, PdHello *h)
{
	size_t		end;
	size_t		known;
	size_t		p;
	size_t		stop;
	bool		ok = true;

	h->complete = false;
	h->version = h->best = 0;
	h->has_versions = h->has_sni = false;
	h->n_ciphers = h->n_exts = h->n_sigalgs = 0;
	h->sni = h->alpn = NULL;
	h->sni_len = h->alpn_len = 0;

	if (len < 4 || msg[0] != 0x01)
		return false;
	end = 4 + ((size_t) msg[1] << 16 | (size_t) msg[2] << 8 | msg[3]);
	known = Min_(len, end);

	/* client_version, random, session id */
	if (known < 4 + 2 + 32 + 1)
		return true;
	h->version = (uint16_t) pd_get16(msg + 4);
	p = 4 + 2 + 32;
	if (msg[p] > 32)
		return true;
	p += 1 + msg[p];

	/* cipher suites */
	if (p + 2 > known)
		return true;
	stop = p + 2 + pd_get16(msg + p);
	if (pd_get16(msg + p) & 1)
		ok = false;
	for (p += 2; p + 2 <= stop && p + 2 <= known; p += 2)
		if (!pd_push(h->ciphers, &h->n_ciphers, PD_HELLO_CIPHERS_MAX,
					 pd_get16(msg + p)))
			ok = false;
	p = stop;

	/* compression methods */
	if (p + 1 > known)
		return true;
	p += 1 + msg[p];
	if (p > known)
		return true;

	/* extensions, if any: they fill the rest of the message */
	if (p < end)
	{
		if (p + 2 > known)
			return true;
		stop = p + 2 + pd_get16(msg + p);
		if (stop != end)
			ok = false;
		if (stop > end)
			stop = end;
		for (p += 2; p + 4 <= stop && p + 4 <= known;)
		{
			unsigned	type = pd_get16(msg + p);
			size_t		n = pd_get16(msg + p + 2);
			size_t		body = p + 4;

			if (body + n > stop)
			{
				ok = false;
				break;
			}
			if (!pd_push(h->exts, &h->n_exts, PD_HELLO_EXTS_MAX, type))
			{
				ok = false;		/* more than any real client: stop here */
				break;
			}
			if (body + n > known)
			{
				/* cut off: SNI and ALPN are shown as far as they go */
				if (type == PD_EXT_SERVER_NAME)
					h->has_sni = true;
				p = body + n;
				break;
			}
			if (!pd_hello_ext(h, type, msg + body, n))
				ok = false;
			p = body + n;
		}
		if (p != stop)
			ok = false;
	}
	else if (p > end)
		ok = false;

	h->complete = ok && end <= len;
	return true;
}

/* ----- the fingerprint -------------------------------------------------- */

static void
pd_sort16(uint16_t *a, int n)
{
	int			i,
				j;

	for (i = 1; i < n; i++)
	{
		uint16_t	v = a[i];

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Hash a comma-separated hex list (and, after "_", a second one). */
static void
pd_ja4_hash(const uint16_t *a, int n, const uint16_t *b, int nb, char *out)
{
	static const char hex[] = "0123456789abcdef";
	PdSha256	s;
	uint8_t		d[32];
	char		item[5];
	int			i;

	if (n + nb == 0)
	{
		memcpy(out, "000000000000", 12);
		return;
	}
	pd_sha256_init(&s);
	for (i = 0; i < n + nb; i++)
	{
		unsigned	v = i < n ? a[i] : b[i - n];

		item[0] = hex[(v >> 12) & 0xf];
		item[1] = hex[(v >> 8) & 0xf];
		item[2] = hex[(v >> 4) & 0xf];
		item[3] = hex[v & 0xf];
		if (i > 0)
			pd_sha256_update(&s, i == n ? "_" : ",", 1);
		pd_sha256_update(&s, item, 4);
	}
	pd_sha256_final(&s, d);
	for (i = 0; i < 6; i++)
	{
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
}

static const char *
pd_ja4_version(unsigned v)
{
	switch (v)
	{
		case 0x0304:
			return "13";
		case 0x0303:
			return "12";
		case 0x0302:
			return "11";
		case 0x0301:
			return "10";
		case 0x0300:
			return "s3";
		case 0x0002:
			return "s2";
		case 0xfeff:
			return "d1";
		case 0xfefd:
			return "d2";
		case 0xfefc:
			return "d3";
		default:
			return "00";
	}
}

/* Two decimal digits, at most 99. */
static void
pd_ja4_count(int n, char *out)
{
	if (n > 99)
		n = 99;
	out[0] = (char) ('0' + n / 10);
	out[1] = (char) ('0' + n % 10);
}

static bool
pd_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		(c >= 'a' && c <= 'z');
}

/* The first and last characters of the first ALPN value. */
static void
pd_ja4_alpn(const PdHello *h, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t		n;
	int			a,
				z;

	out[0] = out[1] = '0';
	if (h->alpn == NULL || h->alpn_len < 1)
		return;
	n = h->alpn[0];
	if (n == 0 || 1 + n > h->alpn_len)
		return;
	a = h->alpn[1];
	z = h->alpn[n];
	if (pd_alnum(a) && pd_alnum(z))
	{
		out[0] = (char) a;
		out[1] = (char) z;
	}
	else
	{
		out[0] = hex[a >> 4];
		out[1] = hex[z & 0xf];
	}
}

void
pd_ja4(const PdHello *h, char *out)
{
	uint16_t	ciphers[PD_HELLO_CIPHERS_MAX];
	uint16_t	exts[PD_HELLO_EXTS_MAX];
	int			n_exts = 0;
	int			i;

	memcpy(ciphers, h->ciphers, sizeof(uint16_t) * h->n_ciphers);
	pd_sort16(ciphers, h->n_ciphers);
	for (i = 0; i < h->n_exts; i++)
		if (h->exts[i] != PD_EXT_SERVER_NAME && h->exts[i] != PD_EXT_ALPN)
			exts[n_exts++] = h->exts[i];
	pd_sort16(exts, n_exts);

	out[0] = 't';
	memcpy(out + 1, pd_ja4_version(h->has_versions ? h->best : h->version), 2);
	out[3] = h->has_sni ? 'd' : 'i';
	pd_ja4_count(h->n_ciphers, out + 4);
	pd_ja4_count(h->n_exts, out + 6);
	pd_ja4_alpn(h, out + 8);
	out[10] = '_';
	pd_ja4_hash(ciphers, h->n_ciphers, NULL, 0, out + 11);
	out[23] = '_';
	pd_ja4_hash(exts, n_exts, h->sigalgs, n_exts > 0 ? h->n_sigalgs : 0,
				out + 24);
	out[PD_JA4_LEN] = '\0';
}

/* ----- well-known stacks ------------------------------------------------ */

/*
 * By the b and c parts of the JA4 (the cipher suites, and the extensions
 * with the signature algorithms): they stay when a client adds SNI or
 * ALPN, which changes only the a part.  Source: FoxIO's ja4plus-mapping.csv
 * (FoxIO-LLC/ja4, commit 0e54bc8), only rows that name a TLS stack rather
 * than one program built on it (its Sliver, Cobalt Strike and IcedID rows
 * share their values with Go and Windows, and are left out).  Python's and
 * Go's rows were also checked against captures here: unit/captures.tsv.
 */
typedef struct PdJa4Stack
{
	const char *bc;				/* "bbbbbbbbbbbb_cccccccccccc" */
	const char *name;
} PdJa4Stack;

static const PdJa4Stack pd_ja4_stacks[] = {
	{"85036bcba153_d41ae481755e", "python-ssl"},
	{"c7886603b240_b26ce05bbdd6", "python-ssl"},
	{"9dc949149365_97f8aa674fd9", "go-tls"},
	{"9dc949149365_e7c285222651", "go-tls"},
	{"cbb2034c60b8_e7c285222651", "go-tls"},
	{"8cdfa2d4673b_18dd7303c4a5", "go-tls"},
	{"e33ad33b3d25_6b314db333b6", "go-tls"},
	{"8daaf6152771_02713d6af862", "chromium"},
	{"8daaf6152771_b0da82dd1658", "chromium"},
	{"8daaf6152771_b1ff8ab2d16f", "chromium"},
	{"5b57614c22b0_7121afd63204", "firefox"},
	{"a09f3c656075_14788d8d241b", "safari"},
	{"fcb5b95cb75a_b0d3b4ac2a14", "softether"},
};

const char *
pd_ja4_stack(const char *ja4)
{
	size_t		i;

	if (strlen(ja4) != PD_JA4_LEN)
		return NULL;
	for (i = 0; i < lengthof_(pd_ja4_stacks); i++)
		if (strcmp(ja4 + 11, pd_ja4_stacks[i].bc) == 0)
			return pd_ja4_stacks[i].name;
	return NULL;
}

void
pd_hello_describe(const PdHello *h, PdClass *c)
{
	PdStr		d;

	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (h->complete)
	{
		char		ja4[PD_JA4_LEN + 1];
		const char *stack;

		pd_ja4(h, ja4);
		pd_str_add(&d, " ja4=");
		pd_str_add(&d, ja4);
		stack = pd_ja4_stack(ja4);
		if (stack != NULL && c->tool[0] == '\0')
			PD_SET(c->tool, stack);
	}
	if (h->sni != NULL)
	{
		pd_str_add(&d, " sni=");
		pd_str_addn_token(&d, h->sni, h->sni_len);
	}
	if (h->alpn != NULL)
	{
		size_t		q = 0;
		int			k;

		pd_str_add(&d, " alpn=");
		for (k = 0; k < 16 && q < h->alpn_len; k++)
		{
			size_t		pl = h->alpn[q];

			if (pl == 0 || q + 1 + pl > h->alpn_len)
				break;
			if (k > 0)
				pd_str_add(&d, ",");
			pd_str_addn_token(&d, h->alpn + q + 1, pl);
			q += 1 + pl;
		}
	}
}
