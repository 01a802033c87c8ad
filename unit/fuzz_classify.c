/*
 * fuzz_classify.c
 *	  libFuzzer harness for the classifier and the scan recogniser.
 *
 * The first input byte picks the event kind and whether the first four
 * bytes are gone, as in the server; the rest is the payload.  Invariants
 * beyond "no crash": every output string is terminated, printable ASCII and
 * within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pd_classify.h"
#include "pd_scan.h"
#include "classify/ja4.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	size_t		n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PdProbe		p;
	PdClass		c;
	PdScanEvent ev[8];
	int			i;

	if (size < 1)
		return 0;
	p.kind = data[0] % PD_KIND_MAX;
	p.offset = (data[0] & 0x80) ? 4 : 0;
	p.bytes = data + 1;
	p.len = size - 1;
	/* missing_user/invalid_layout: the payload doubles as parameters */
	p.params = (data[0] & 0x40) ? (const char *) data + 1 : NULL;
	p.params_len = (data[0] & 0x40) ? size - 1 : 0;
	pd_classify(&p, &c);
	check_text(c.protocol, sizeof(c.protocol));
	check_text(c.tool, sizeof(c.tool));
	check_text(c.detail, sizeof(c.detail));

	/* the payload as a bare ClientHello message, as OpenSSL hands it over */
	{
		PdHello		h;
		char		ja4[PD_JA4_LEN + 1];

		if (pd_hello_parse(data + 1, size - 1, &h) && h.complete)
		{
			pd_ja4(&h, ja4);
			if (strlen(ja4) != PD_JA4_LEN || ja4[0] != 't' ||
				ja4[10] != '_' || ja4[23] != '_')
				abort();
			check_text(ja4, sizeof(ja4));
		}
		c.detail[0] = c.tool[0] = '\0';
		if (pd_hello_parse(data + 1, size - 1, &h))
			pd_hello_describe(&h, &c);
		check_text(c.detail, sizeof(c.detail));
		check_text(c.tool, sizeof(c.tool));
	}

	/* a few events built from the input through the scan recogniser */
	for (i = 0; i < 8; i++)
	{
		size_t		o = (size_t) i * 4;
		uint8_t		b0 = o < size ? data[o] : 0;

		ev[i].t_us = (int64_t) b0 * 1000000;
		ev[i].waited_ms = o + 1 < size ? data[o + 1] * 40 : 0;
		ev[i].kind = b0 % PD_KIND_MAX;
		ev[i].has_proto = b0 & 1;
		ev[i].proto = o + 3 < size ? (uint32_t) data[o + 2] << 24 | data[o + 3] : 0;
		ev[i].raw_len = b0 & 3;
		memset(ev[i].raw_head, '\r', 4);
		ev[i].tool = (b0 & 4) ? c.tool : "";
		ev[i].from_log = (b0 & 8) != 0;
	}
	pd_scan_detect(ev, 8);
	return 0;
}
