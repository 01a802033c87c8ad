/*
 * unit_text.c
 *	  Table-driven unit tests of pd_text.c; no server needed.
 *
 * Prints one line per failed case and a closing "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200112L

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "pd_text.h"

static int	passed;
static int	failed;

static void
check(int ok, const char *what, const char *got, const char *want)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got, want);
	}
}

static void
test_escape(void)
{
	static const struct
	{
		const char *in;
		size_t		len;
		const char *want;
	}			cases[] = {
		{"\xffSMB", 4, "\\xffSMB"},
		{"\xfeSMB", 4, "\\xfeSMB"},
		{"j\x81n0", 4, "j\\x81n0"},
		{"\0\0\0\0", 4, "\\x00\\x00\\x00\\x00"},
		{"GET / HTTP/1.0\r\n\r\n", 18, "GET / HTTP/1.0\\x0d\\x0a\\x0d\\x0a"},
		{"a\\b", 3, "a\\\\b"},
		{"~ \x7f\x1f", 4, "~ \\x7f\\x1f"},
		{"", 0, ""},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char		out[256];
		size_t		n = pd_escape_bytes((const uint8_t *) cases[i].in,
										cases[i].len, out, sizeof(out));

		check(strcmp(out, cases[i].want) == 0 && n == cases[i].len,
			  "escape", out, cases[i].want);
	}

	/* never splits an escape, always terminates, reports what fit */
	{
		char		out[8];
		size_t		n = pd_escape_bytes((const uint8_t *) "ab\xff\xff", 4,
										out, sizeof(out));

		check(strcmp(out, "ab\\xff") == 0 && n == 3, "escape bounded",
			  out, "ab\\xff");
		n = pd_escape_bytes((const uint8_t *) "abc", 3, out, 1);
		check(out[0] == '\0' && n == 0, "escape into 1 byte", out, "");
		n = pd_escape_bytes((const uint8_t *) "abc", 3, out, 0);
		check(n == 0, "escape into 0 bytes", "", "");
	}
	/* a token: a space escaped too, nothing else different */
	{
		char		out[64];

		pd_escape_token((const uint8_t *) "x ja4=a\\b\n~", 11, out, sizeof(out));
		check(strcmp(out, "x\\x20ja4=a\\\\b\\x0a~") == 0, "token", out,
			  "x\\x20ja4=a\\\\b\\x0a~");
	}
	/* the worst case fits PD_ESCAPED_MAX */
	{
		uint8_t		in[64];
		char		out[PD_ESCAPED_MAX(64) + 1];

		memset(in, 0xff, sizeof(in));
		check(pd_escape_bytes(in, 64, out, sizeof(out)) == 64 &&
			  strlen(out) == PD_ESCAPED_MAX(64), "escape worst case", out, "");
	}
}

static void
test_version(void)
{
	static const struct
	{
		const char *in;
		int			ok;
		uint32_t	word;
	}			cases[] = {
		{"65363.19778", 0, 0xff534d42},
		{"65107.19778", 0, 0xfe534d42},
		{"27265.28208", 0, 0x6a816e30},
		{"1234.5679", 0, 0x04d2162f},
		{"3.0", 0, 0x00030000},
		{"0.0", 0, 0},
		{"65535.65535", 0, 0xffffffff},
		{"007.08", 0, 0x00070008},
		{"65536.0", -1, 0},
		{"0.65536", -1, 0},
		{"1", -1, 0},
		{"1.", -1, 0},
		{".1", -1, 0},
		{"", -1, 0},
		{"1.2.3", -1, 0},
		{" 1.2", -1, 0},
		{"1.2 ", -1, 0},
		{"-1.2", -1, 0},
		{"+1.2", -1, 0},
		{"1..2", -1, 0},
		{"99999999999999999999.1", -1, 0},
		{"a.b", -1, 0},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		uint32_t	word = 12345;
		int			rc = pd_parse_version(cases[i].in, strlen(cases[i].in),
										  &word);

		check(rc == cases[i].ok && (rc != 0 || word == cases[i].word),
			  "parse version", cases[i].in, rc == 0 ? "ok" : "error");
		if (rc == 0)
		{
			char		buf[12];
			uint32_t	again;

			pd_format_version(word, buf);
			check(pd_parse_version(buf, strlen(buf), &again) == 0 &&
				  again == word, "format/parse round trip", buf, cases[i].in);
		}
	}

	/* length is honoured: no read past it, an embedded NUL is an error */
	{
		uint32_t	word;

		check(pd_parse_version("3.0xyz", 3, &word) == 0 && word == 0x30000,
			  "parse with length", "3.0xyz", "3.0");
		check(pd_parse_version("3.0\0" "1", 5, &word) == -1,
			  "embedded NUL", "3.0\\0", "error");
	}
	{
		uint8_t		b[4];

		pd_version_bytes(0xff534d42, b);
		check(b[0] == 0xff && b[1] == 'S' && b[2] == 'M' && b[3] == 'B',
			  "version bytes", "", "\\xffSMB");
	}
}

/* probe_detect.trusted_networks items: parsing, then membership */
static void
test_net(void)
{
	static const struct
	{
		const char *net;
		const char *addr;
		int			in;			/* 1 inside, 0 outside; -1: net malformed */
	}			cases[] = {
		{"192.0.2.0/24", "192.0.2.77", 1},
		{"192.0.2.0/24", "192.0.3.1", 0},
		{"192.0.2.0/25", "192.0.2.127", 1},
		{"192.0.2.0/25", "192.0.2.128", 0},
		{"192.0.2.9/24", "192.0.2.200", 1},	/* host bits set, as in inet */
		{"10.0.0.1", "10.0.0.1", 1},
		{"10.0.0.1", "10.0.0.2", 0},
		{"0.0.0.0/0", "203.0.113.7", 1},
		{"0.0.0.0/0", "::1", 0},
		{"127.0.0.1", "::ffff:127.0.0.1", 0},	/* families differ */
		{"2001:db8::/32", "2001:db8:ffff::1", 1},
		{"2001:db8::/32", "2001:db9::1", 0},
		{"2001:db8::/33", "2001:db8:7fff::1", 1},
		{"2001:db8::/33", "2001:db8:8000::1", 0},
		{"::/0", "fe80::1", 1},
		{"::/0", "10.0.0.1", 0},
		{"::1", "::1", 1},
		{"", NULL, -1},
		{"/24", NULL, -1},
		{"192.0.2.0/", NULL, -1},
		{"192.0.2.0/33", NULL, -1},
		{"192.0.2.0/-1", NULL, -1},
		{"192.0.2.0/+8", NULL, -1},
		{"192.0.2.0/ 8", NULL, -1},
		{"192.0.2.0/24/1", NULL, -1},
		{"192.0.2.0/99999999999999999999", NULL, -1},
		{"2001:db8::/129", NULL, -1},
		{"300.1.1.1", NULL, -1},
		{"host.example", NULL, -1},
		{" 10.0.0.1", NULL, -1},
		{"1234567890123456789012345678901234567890123456789012345678901234567890", NULL, -1},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		PdNet		net;
		int			rc = pd_parse_net(cases[i].net, &net);

		if (cases[i].in < 0)
		{
			check(rc == -1, "net malformed", cases[i].net, "error");
			continue;
		}
		if (rc != 0)
		{
			check(0, "net parses", cases[i].net, "ok");
			continue;
		}
		{
			uint8_t		a[16] = {0};
			uint8_t		family = strchr(cases[i].addr, ':') ? AF_INET6 : AF_INET;
			int			in;

			inet_pton(family, cases[i].addr, a);
			in = pd_net_contains(&net, family, a);
			check(in == cases[i].in, cases[i].net, cases[i].addr,
				  cases[i].in ? "inside" : "outside");
		}
	}
}

int
main(void)
{
	test_escape();
	test_version();
	test_net();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
