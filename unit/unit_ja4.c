/*
 * unit_ja4.c
 *	  Tests of the ClientHello parser, JA4 and SHA-256 (classify/ja4.c,
 *	  classify/sha256.c); no server needed.
 *
 * Real clients' hellos and their JA4, checked against FoxIO's reference
 * implementation, are in unit_classify.c (captures.tsv).  Here: SHA-256's
 * published test vectors, FoxIO's worked example from its JA4 text, the
 * ALPN examples of that text, and hostile hellos: cut at every length,
 * lying lengths, more extensions or cipher suites than the caps.
 *
 * Prints failures and a closing "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd_classify.h"
#include "classify/ja4.h"
#include "classify/sha256.h"

static int	passed;
static int	failed;

static void
ok(int cond, const char *what, const char *got, const char *want)
{
	if (cond)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got ? got : "", want ? want : "");
	}
}

/* ---- SHA-256 (FIPS 180-4 examples, and NIST's long message) ------------- */

static void
hexdigest(const void *data, size_t n, size_t repeat, char *out)
{
	PdSha256	s;
	uint8_t		d[32];
	size_t		i;

	pd_sha256_init(&s);
	for (i = 0; i < repeat; i++)
		pd_sha256_update(&s, data, n);
	pd_sha256_final(&s, d);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
run_sha256(void)
{
	char		got[65];

	hexdigest("", 0, 1, got);
	ok(strcmp(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
	   "sha256 empty", got, "e3b0c442...");
	hexdigest("abc", 3, 1, got);
	ok(strcmp(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	   "sha256 abc", got, "ba7816bf...");
	hexdigest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1, got);
	ok(strcmp(got, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
	   "sha256 two blocks", got, "248d6a61...");
	hexdigest("aaaaaaaaaa", 10, 100000, got);
	ok(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
	   "sha256 a million a", got, "cdc76e5c...");
}

/* ---- building ClientHellos ---------------------------------------------- */

typedef struct Hello
{
	uint8_t		b[20000];
	size_t		n;
} Hello;

static void
put8(Hello *h, unsigned v)
{
	h->b[h->n++] = (uint8_t) v;
}

static void
put16(Hello *h, unsigned v)
{
	put8(h, v >> 8);
	put8(h, v & 0xff);
}

static void
putn(Hello *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

/* Patch a 16- or 24-bit length at at, counting from at + width to the end. */
static void
patch(Hello *h, size_t at, int width)
{
	size_t		len = h->n - at - width;

	if (width == 3)
		h->b[at++] = (uint8_t) (len >> 16);
	h->b[at] = (uint8_t) (len >> 8);
	h->b[at + 1] = (uint8_t) len;
}

/* Record header, handshake header, version, random, empty session id. */
static void
begin(Hello *h, size_t *rec, size_t *msg)
{
	static const uint8_t random[32] = {1, 2, 3};

	h->n = 0;
	put8(h, 0x16);
	put16(h, 0x0301);
	*rec = h->n;
	put16(h, 0);
	*msg = h->n;
	put8(h, 0x01);
	put8(h, 0);
	put16(h, 0);
	put16(h, 0x0303);
	putn(h, random, 32);
	put8(h, 0);
}

static void
finish(Hello *h, size_t rec, size_t msg)
{
	patch(h, msg + 1, 3);
	patch(h, rec, 2);
}

/* The first byte of the handshake message, in the record. */
#define MSG(h) ((h)->b + 5)
#define MSGLEN(h) ((h)->n - 5)

static void
ja4_of(const uint8_t *msg, size_t len, char *out, int *complete)
{
	PdHello		h;

	out[0] = '\0';
	*complete = 0;
	if (pd_hello_parse(msg, len, &h) && h.complete)
	{
		pd_ja4(&h, out);
		*complete = 1;
	}
}

/*
 * FoxIO's worked example (technical_details/JA4.md): its cipher suites,
 * extensions and signature algorithms, with GREASE added where Chrome puts
 * it, which must not count.  Published result:
 * t13d1516h2_8daaf6152771_e5627efa2ab1.
 */
static void
foxio_example(Hello *h)
{
	static const unsigned ciphers[] = {
		0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
		0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035
	};
	static const unsigned exts[] = {
		0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
		0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015
	};
	static const unsigned sigalgs[] = {
		0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601
	};
	size_t		rec,
				msg,
				at,
				ext;
	size_t		i,
				k;

	begin(h, &rec, &msg);
	at = h->n;
	put16(h, 0);
	put16(h, 0x3a3a);			/* GREASE */
	for (i = 0; i < 15; i++)
		put16(h, ciphers[i]);
	patch(h, at, 2);
	put8(h, 1);
	put8(h, 0);
	ext = h->n;
	put16(h, 0);
	put16(h, 0xdada);			/* GREASE extension, empty */
	put16(h, 0);
	for (i = 0; i < 16; i++)
	{
		size_t		len;

		put16(h, exts[i]);
		len = h->n;
		put16(h, 0);
		switch (exts[i])
		{
			case 0x0000:		/* server_name: example.com */
				put16(h, 14);
				put8(h, 0);
				put16(h, 11);
				putn(h, "example.com", 11);
				break;
			case 0x0010:		/* ALPN: h2, http/1.1 */
				put16(h, 12);
				put8(h, 2);
				putn(h, "h2", 2);
				put8(h, 8);
				putn(h, "http/1.1", 8);
				break;
			case 0x000d:
				put16(h, 2 * 8);
				for (k = 0; k < 8; k++)
					put16(h, sigalgs[k]);
				break;
			case 0x002b:		/* GREASE, 1.3, 1.2 */
				put8(h, 6);
				put16(h, 0x7a7a);
				put16(h, 0x0304);
				put16(h, 0x0303);
				break;
			default:
				break;
		}
		patch(h, len, 2);
	}
	patch(h, ext, 2);
	finish(h, rec, msg);
}

static void
run_foxio_example(void)
{
	static Hello h;
	char		ja4[PD_JA4_LEN + 1];
	int			complete;
	PdProbe		pr;
	PdClass		c;

	foxio_example(&h);
	ja4_of(MSG(&h), MSGLEN(&h), ja4, &complete);
	ok(complete && strcmp(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1") == 0,
	   "FoxIO's JA4 example", ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

	/* through the classifier, whole and without the first four bytes */
	pr.kind = PD_KIND_NONE;
	pr.params = NULL;
	pr.params_len = 0;
	pr.bytes = h.b;
	pr.len = h.n;
	pr.offset = 0;
	pd_classify(&pr, &c);
	ok(strstr(c.detail, "ja4=t13d1516h2_8daaf6152771_e5627efa2ab1 sni=example.com alpn=h2,http/1.1") != NULL,
	   "FoxIO's example, classified", c.detail, "ja4=... sni=example.com alpn=h2,http/1.1");
	pr.bytes = h.b + 4;
	pr.len = h.n - 4;
	pr.offset = 4;
	pd_classify(&pr, &c);
	ok(strstr(c.detail, "ja4=t13d1516h2_8daaf6152771_e5627efa2ab1") != NULL,
	   "FoxIO's example, minus4", c.detail, "ja4=t13d1516h2_8daaf6152771_e5627efa2ab1");
}

/*
 * A hello with only the extensions given as raw bytes, and the cipher
 * suites given: for the edge cases.
 */
static void
custom(Hello *h, const unsigned *ciphers, size_t nc, const uint8_t *exts,
	   size_t ne)
{
	size_t		rec,
				msg,
				at,
				i;

	begin(h, &rec, &msg);
	at = h->n;
	put16(h, 0);
	for (i = 0; i < nc; i++)
		put16(h, ciphers[i]);
	patch(h, at, 2);
	put8(h, 1);
	put8(h, 0);
	if (exts != NULL)
	{
		put16(h, (unsigned) ne);
		putn(h, exts, ne);
	}
	finish(h, rec, msg);
}

/* ALPN's first value, and the two characters JA4.md gives for it. */
static void
run_alpn(void)
{
	static const struct
	{
		const char *value;
		size_t		n;
		const char *want;
	}			cases[] = {
		{"h2", 2, "h2"}, {"http/1.1", 8, "h1"}, {"postgresql", 10, "pl"},
		{"x", 1, "xx"},
		/* JA4.md's examples for bytes that are not alphanumeric */
		{"\xab", 1, "ab"}, {"\x20", 1, "20"}, {"\xab\xcd", 2, "ad"},
		{"\x20\x61", 2, "21"}, {"\x30\xab", 2, "3b"}, {"\x61\x20", 2, "60"},
		{"\x30\x31\xab\xcd", 4, "3d"}, {"\x30\xab\xcd\x31", 4, "01"},
	};
	static const unsigned ciphers[] = {0x1301};
	static Hello h;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		uint8_t		ext[64];
		size_t		n = 0;
		char		ja4[PD_JA4_LEN + 1];
		char		got[3];
		int			complete;

		ext[n++] = 0x00;
		ext[n++] = 0x10;
		ext[n++] = 0;
		ext[n++] = (uint8_t) (3 + cases[i].n);
		ext[n++] = 0;
		ext[n++] = (uint8_t) (1 + cases[i].n);
		ext[n++] = (uint8_t) cases[i].n;
		memcpy(ext + n, cases[i].value, cases[i].n);
		n += cases[i].n;
		custom(&h, ciphers, 1, ext, n);
		ja4_of(MSG(&h), MSGLEN(&h), ja4, &complete);
		memcpy(got, ja4 + 8, 2);
		got[2] = '\0';
		ok(complete && strcmp(got, cases[i].want) == 0, "ALPN characters",
		   got, cases[i].want);
	}
}

/* No cipher suites, no extensions but SNI and ALPN: "000000000000". */
static void
run_empty(void)
{
	static const uint8_t sni_alpn[] = {
		0x00, 0x00, 0x00, 0x06, 0x00, 0x04, 0x00, 0x00, 0x01, 'a',
		0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2',
	};
	static const unsigned grease[] = {0x0a0a};
	static Hello h;
	char		ja4[PD_JA4_LEN + 1];
	int			complete;

	custom(&h, grease, 1, sni_alpn, sizeof(sni_alpn));
	ja4_of(MSG(&h), MSGLEN(&h), ja4, &complete);
	ok(complete && strcmp(ja4, "t12d0002h2_000000000000_000000000000") == 0,
	   "no cipher suites (GREASE only), only SNI and ALPN", ja4,
	   "t12d0002h2_000000000000_000000000000");

	custom(&h, grease, 0, NULL, 0);
	ja4_of(MSG(&h), MSGLEN(&h), ja4, &complete);
	ok(complete && strcmp(ja4, "t12i000000_000000000000_000000000000") == 0,
	   "no cipher suites, no extensions block", ja4,
	   "t12i000000_000000000000_000000000000");
}

/* ---- hostile hellos ---------------------------------------------------- */

static void
classify_all(const uint8_t *b, size_t n, const char *what, int want_ja4)
{
	size_t		off;

	for (off = 0; off <= 4; off += 4)
	{
		PdProbe		pr = {.kind = PD_KIND_NONE, .bytes = b + off,
			.len = n > off ? n - off : 0, .offset = off, .params = NULL, .params_len = 0};
		PdClass		c;

		pd_classify(&pr, &c);
		ok((strstr(c.detail, "ja4=") != NULL) == want_ja4, what, c.detail,
		   want_ja4 ? "a ja4=" : "no ja4=");
	}
}

static void
run_hostile(void)
{
	static Hello h;
	static Hello big;
	static uint8_t cut[20000];
	size_t		i;
	char		what[80];

	/* every prefix of a real hello: never a JA4 but for the whole one */
	foxio_example(&h);
	for (i = 0; i < h.n; i++)
	{
		memcpy(cut, h.b, i);
		snprintf(what, sizeof(what), "FoxIO's example cut at %zu", i);
		classify_all(cut, i, what, 0);
	}
	classify_all(h.b, h.n, "FoxIO's example whole", 1);

	/* a handshake length longer than the bytes: incomplete, however long */
	memcpy(cut, h.b, h.n);
	cut[6] = 0x01;				/* + 64 kB */
	snprintf(what, sizeof(what), "handshake length lying");
	{
		PdHello		p;

		ok(pd_hello_parse(cut + 5, h.n - 5, &p) && !p.complete, what,
		   "complete", "incomplete");
	}

	/* an extension length past the block */
	memcpy(cut, h.b, h.n);
	cut[h.n - 2] = 0xff;		/* the last extension's (padding's) length */
	classify_all(cut, h.n, "extension length past the end", 0);

	/* an odd cipher-suite length */
	memcpy(cut, h.b, h.n);
	cut[5 + 4 + 2 + 32 + 1 + 1] |= 1;
	classify_all(cut, h.n, "odd cipher suite length", 0);

	/* 5000 empty extensions: over the cap, bounded, no JA4 */
	{
		static uint8_t exts[20000];
		static const unsigned c1[] = {0x1301};

		for (i = 0; i < 4000; i++)
		{
			exts[4 * i] = (uint8_t) (0x40 + i / 256);
			exts[4 * i + 1] = (uint8_t) i;
			exts[4 * i + 2] = exts[4 * i + 3] = 0;
		}
		custom(&big, c1, 1, exts, 16000);
		/* one record cannot hold it: the parser alone */
		{
			PdHello		p;

			ok(pd_hello_parse(MSG(&big), MSGLEN(&big), &p) && !p.complete &&
			   p.n_exts == PD_HELLO_EXTS_MAX, "4000 extensions", "complete",
			   "incomplete, capped");
		}
	}

	/* 4000 cipher suites */
	{
		static unsigned many[4000];

		for (i = 0; i < 4000; i++)
			many[i] = (unsigned) (0x1000 + i);
		custom(&big, many, 4000, NULL, 0);
		{
			PdHello		p;

			ok(pd_hello_parse(MSG(&big), MSGLEN(&big), &p) && !p.complete,
			   "4000 cipher suites", "complete", "incomplete");
		}
	}

	/* a session id longer than 32: no JA4 */
	memcpy(cut, h.b, h.n);
	cut[5 + 4 + 2 + 32] = 33;
	classify_all(cut, h.n, "session id of 33 bytes", 0);

	/* escaped SNI */
	{
		static const uint8_t sni[] = {
			0x00, 0x00, 0x00, 0x09, 0x00, 0x07, 0x00, 0x00, 0x04, 'a', '\n', 0xff, '"',
		};
		static const unsigned c1[] = {0x1301};
		PdProbe		pr = {.kind = PD_KIND_NONE, .params = NULL, .params_len = 0, .offset = 0};
		PdClass		c;

		custom(&h, c1, 1, sni, sizeof(sni));
		pr.bytes = h.b;
		pr.len = h.n;
		pd_classify(&pr, &c);
		ok(strstr(c.detail, "sni=a\\x0a\\xff\"") != NULL, "SNI escaped", c.detail,
		   "sni=a\\x0a\\xff\"");
	}
}

int
main(void)
{
	run_sha256();
	run_foxio_example();
	run_alpn();
	run_empty();
	run_hostile();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
