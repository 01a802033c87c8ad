/*
 * bench_classify.c
 *	  Nanoseconds per classification of 256-byte payloads (make bench).
 *
 * Payloads: every capture in unit/captures.tsv cut or padded to 256 bytes
 * (as the server keeps them at the default capture_bytes) and random bytes,
 * each classified as the server sees it (first four bytes gone).  Reports
 * the mean and the worst payload; not a test, never pass/fail.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pd_classify.h"

#define MAXP 256
#define ROUNDS_DEFAULT 20000
static int ROUNDS = ROUNDS_DEFAULT;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static uint8_t payload[128][MAXP];
	static char names[128][64];
	int			np = 0;
	FILE	   *f = fopen(argc > 1 ? argv[1] : "unit/captures.tsv", "r");
	char		line[8192];
	double		total = 0,
				worst = 0;
	int			worst_i = 0;
	volatile int sink = 0;
	uint32_t	r = 12345;

	if (getenv("BENCH_ROUNDS"))
		ROUNDS = atoi(getenv("BENCH_ROUNDS"));
	if (ROUNDS < 10)
		ROUNDS = 10;

	while (f && fgets(line, sizeof(line), f) && np < 96)
	{
		char	   *hex = strrchr(line, '\t');
		int			n = 0;

		if (line[0] == '#' || strncmp(line, "name\t", 5) == 0 || !hex)
			continue;
		sscanf(line, "%63[^\t]", names[np]);
		for (hex++; hex[0] && hex[1] && hex[0] != '\n' && n < MAXP; hex += 2)
		{
			unsigned	v;

			sscanf(hex, "%2x", &v);
			payload[np][n++] = (uint8_t) v;
		}
		while (n < MAXP)		/* pad short ones as if more followed */
			payload[np][n++] = 'A' + n % 26;
		np++;
	}
	if (f)
		fclose(f);
	for (; np < 128; np++)
	{
		snprintf(names[np], sizeof(names[np]), "random-%d", np);
		for (int k = 0; k < MAXP; k++)
		{
			r = r * 1103515245 + 12345;
			payload[np][k] = (uint8_t) (r >> 16);
		}
	}

	for (int i = 0; i < np; i++)
	{
		PdProbe		p = {.kind = PD_KIND_INVALID_LENGTH, .bytes = payload[i] + 4, .len = MAXP - 4, .offset = 4,
						   .params = NULL, .params_len = 0};
		PdClass		c;
		double		t0 = now_ns();

		for (int k = 0; k < ROUNDS; k++)
		{
			pd_classify(&p, &c);
			sink += c.protocol[0];
		}
		double		ns = (now_ns() - t0) / ROUNDS;

		total += ns;
		if (ns > worst)
		{
			worst = ns;
			worst_i = i;
		}
	}
	printf("classifier: %d payloads of %d bytes, %d rounds each\n", np, MAXP, ROUNDS);
	printf("classifier: mean %.0f ns per payload, worst %.0f ns (%s)\n",
		   total / np, worst, names[worst_i]);

	/* adversarial: 8 kB (capture_bytes at its maximum) of HTTP headers */
	{
		static uint8_t big[8192];
		size_t		n = 0;
		PdProbe		p = {.kind = PD_KIND_INVALID_LENGTH, .bytes = big, .len = sizeof(big), .offset = 4,
						   .params = NULL, .params_len = 0};
		PdClass		c;
		double		t0;

		n += snprintf((char *) big, sizeof(big), "/ HTTP/1.1\r\n");
		while (n + 40 < sizeof(big))
			n += snprintf((char *) big + n, sizeof(big) - n, "User-Agent: %030d\r\n", (int) n);
		memset(big + n, 'x', sizeof(big) - n);
		t0 = now_ns();
		for (int k = 0; k < ROUNDS / 10; k++)
		{
			pd_classify(&p, &c);
			sink += c.protocol[0];
		}
		printf("classifier: %.0f ns for 8192 bytes of HTTP headers (worst case)\n",
			   (now_ns() - t0) / (ROUNDS / 10));
	}
	return sink == -1;
}
