/*
 * fuzz_text.c
 *	  libFuzzer harness for pd_text.c: any bytes, any lengths.
 *
 * Build and run: make fuzz (clang with address and undefined-behaviour
 * sanitizers).  Invariants checked beyond "no crash":
 *  - escaping never overruns and always terminates;
 *  - a parsed version formats back to a string that parses to the same word;
 *  - a parsed trusted_networks item is within its family's bounds and
 *    contains its own address.
 */
#include <stdint.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "pd_text.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		outsz = size ? (data[0] % 64) : 0;
	char	   *out = malloc(outsz ? outsz : 1);
	char	   *full = malloc(PD_ESCAPED_MAX(size) + 1);
	uint32_t	word;

	/* a buffer of arbitrary size: bounded, terminated */
	if (outsz)
	{
		size_t		n = pd_escape_bytes(data, size, out, outsz);

		if (n > size || strlen(out) >= outsz)
			abort();
	}
	/* a buffer of the documented worst-case size: everything fits */
	if (pd_escape_bytes(data, size, full, PD_ESCAPED_MAX(size) + 1) != size)
		abort();

	if (pd_parse_version((const char *) data, size, &word) == 0)
	{
		char		buf[12];
		uint32_t	again;

		pd_format_version(word, buf);
		if (pd_parse_version(buf, strlen(buf), &again) != 0 || again != word)
			abort();
	}
	/* a trusted_networks item: parses or not, never overruns; a network
	 * always contains its own address */
	{
		char	   *item = malloc(size + 1);
		PdNet		net;

		memcpy(item, data, size);
		item[size] = '\0';
		if (pd_parse_net(item, &net) == 0)
		{
			if (net.bits > (net.family == AF_INET ? 32 : 128) ||
				(net.family != AF_INET && net.family != AF_INET6) ||
				!pd_net_contains(&net, net.family, net.addr))
				abort();
		}
		free(item);
	}
	free(out);
	free(full);
	return 0;
}
