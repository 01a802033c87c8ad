/*-------------------------------------------------------------------------
 *
 * pd_text.c
 *	  Pure helpers for turning network bytes into text and back.
 *
 * Everything here handles bytes from the network or text from the user:
 * every loop is bounded by an explicit length or a NUL, and every write by
 * the caller's buffer size.
 *
 *-------------------------------------------------------------------------
 */
/* inet_pton() when built on its own as C99 (unit tests, fuzzing) */
#define _POSIX_C_SOURCE 200112L

#include "pd_text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char pd_hex[] = "0123456789abcdef";

static size_t
pd_escape(const uint8_t *in, size_t n, char *out, size_t outsz, uint8_t lowest)
{
	size_t		i;
	size_t		o = 0;

	if (outsz == 0)
		return 0;

	for (i = 0; i < n; i++)
	{
		uint8_t		c = in[i];
		size_t		need = (c == '\\') ? 2 : (c >= lowest && c < 0x7f) ? 1 : 4;

		if (o + need > outsz - 1)
			break;
		if (c == '\\')
		{
			out[o++] = '\\';
			out[o++] = '\\';
		}
		else if (need == 1)
			out[o++] = (char) c;
		else
		{
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = pd_hex[c >> 4];
			out[o++] = pd_hex[c & 0x0f];
		}
	}
	out[o] = '\0';
	return i;
}

size_t
pd_escape_bytes(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	return pd_escape(in, n, out, outsz, 0x20);
}

size_t
pd_escape_token(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	return pd_escape(in, n, out, outsz, 0x21);
}

/* Parse one decimal 0..65535 from s[*pos..len); 0 on success. */
static int
pd_parse_u16(const char *s, size_t len, size_t *pos, uint32_t *val)
{
	size_t		start = *pos;
	uint32_t	v = 0;

	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9')
	{
		v = v * 10 + (uint32_t) (s[*pos] - '0');
		if (v > 65535)
			return -1;
		(*pos)++;
	}
	if (*pos == start)
		return -1;
	*val = v;
	return 0;
}

int
pd_parse_version(const char *s, size_t len, uint32_t *word)
{
	size_t		pos = 0;
	uint32_t	major;
	uint32_t	minor;

	if (pd_parse_u16(s, len, &pos, &major) != 0)
		return -1;
	if (pos >= len || s[pos] != '.')
		return -1;
	pos++;
	if (pd_parse_u16(s, len, &pos, &minor) != 0)
		return -1;
	if (pos != len)
		return -1;
	*word = (major << 16) | minor;
	return 0;
}

void
pd_format_version(uint32_t word, char *buf)
{
	snprintf(buf, 12, "%u.%u", (unsigned) (word >> 16),
			 (unsigned) (word & 0xffff));
}

void
pd_version_bytes(uint32_t word, uint8_t out[4])
{
	out[0] = (uint8_t) (word >> 24);
	out[1] = (uint8_t) (word >> 16);
	out[2] = (uint8_t) (word >> 8);
	out[3] = (uint8_t) word;
}

int
pd_parse_net(const char *s, PdNet *net)
{
	char		buf[64];
	char	   *slash;
	int			max;
	size_t		len = strlen(s);

	memset(net, 0, sizeof(*net));
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, net->addr) == 1)
	{
		net->family = AF_INET;
		max = 32;
	}
	else if (inet_pton(AF_INET6, buf, net->addr) == 1)
	{
		net->family = AF_INET6;
		max = 128;
	}
	else
		return -1;
	net->bits = (uint8_t) max;
	if (slash)
	{
		const char *p = slash + 1;
		int			b = 0;

		/* decimal digits only: no sign, no spaces, no overflow */
		if (*p == '\0')
			return -1;
		for (; *p; p++)
		{
			if (*p < '0' || *p > '9')
				return -1;
			b = b * 10 + (*p - '0');
			if (b > max)
				return -1;
		}
		net->bits = (uint8_t) b;
	}
	return 0;
}

int
pd_net_contains(const PdNet *net, uint8_t family, const uint8_t *addr)
{
	int			full = net->bits / 8;
	int			rest = net->bits % 8;

	if (net->family != family || memcmp(net->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}
