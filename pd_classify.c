/*-------------------------------------------------------------------------
 *
 * pd_classify.c
 *	  Identify the protocol and the tool behind a probe's bytes.
 *
 * The input is what is known of the start of a client's byte stream: all of
 * it (offset 0, from probe_detect_classify), or everything after the first
 * four bytes, which PostgreSQL consumed as a length word (offset 4).  Every
 * rule reads stream bytes through pd_at(), which answers -1 for a byte that
 * is unknown, so one rule serves both cases and simply fails when the bytes
 * it needs are gone.
 *
 * A rule names a protocol only on evidence that would be a coincidence in
 * anything else: a wrong guess is worse than none, and random bytes must
 * stay unclassified.  Every loop is bounded by the input length and a
 * small constant; nothing allocates.
 *
 *-------------------------------------------------------------------------
 */
#include "pd_classify.h"
#include "pd_classify_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define Min_(a, b) ((a) < (b) ? (a) : (b))

/* Work caps: nothing below looks further than this into the payload. */
#define PD_SCAN_MAX		2048
#define PD_LINES_MAX	32

typedef struct PdView
{
	const uint8_t *b;
	size_t		len;
	size_t		off;			/* stream offset of b[0] */
} PdView;

/* Stream byte i, or -1 if it is not known. */
static inline int
pd_at(const PdView *v, size_t i)
{
	if (i < v->off || i - v->off >= v->len)
		return -1;
	return v->b[i - v->off];
}

/* Stream offset just past the last known byte. */
static inline size_t
pd_end(const PdView *v)
{
	return v->off + v->len;
}

/* Are stream bytes [i, i + n) known and equal to s? */
static bool
pd_is(const PdView *v, size_t i, const char *s, size_t n)
{
	if (i < v->off || i + n > pd_end(v))
		return false;
	return memcmp(v->b + (i - v->off), s, n) == 0;
}

#define PD_IS(v, i, lit) pd_is((v), (i), (lit), sizeof(lit) - 1)

static inline long
pd_be16(const PdView *v, size_t i)
{
	int			a = pd_at(v, i),
				b = pd_at(v, i + 1);

	return (a < 0 || b < 0) ? -1 : (a << 8) | b;
}

static inline long
pd_le16(const PdView *v, size_t i)
{
	int			a = pd_at(v, i),
				b = pd_at(v, i + 1);

	return (a < 0 || b < 0) ? -1 : (b << 8) | a;
}

static inline long long
pd_be32(const PdView *v, size_t i)
{
	long		hi = pd_be16(v, i),
				lo = pd_be16(v, i + 2);

	return (hi < 0 || lo < 0) ? -1 : ((long long) hi << 16) | lo;
}

static inline long long
pd_le32(const PdView *v, size_t i)
{
	long		lo = pd_le16(v, i),
				hi = pd_le16(v, i + 2);

	return (hi < 0 || lo < 0) ? -1 : ((long long) hi << 16) | lo;
}

/* Find byte c in stream [from, from + max); returns offset or -1. */
static long
pd_find(const PdView *v, size_t from, int c, size_t max)
{
	size_t		i;
	size_t		end = pd_end(v);

	if (from < v->off)
		return -1;
	if (end > from + max)
		end = from + max;
	for (i = from; i < end; i++)
		if (v->b[i - v->off] == c)
			return (long) i;
	return -1;
}

/* Find string s in stream [from, from + max); returns offset or -1. */
static long
pd_find_str(const PdView *v, size_t from, const char *s, size_t max)
{
	size_t		n = strlen(s);
	size_t		i;
	size_t		end = pd_end(v);

	if (from < v->off || n == 0)
		return -1;
	if (end > from + max)
		end = from + max;
	for (i = from; i + n <= end; i++)
		if (memcmp(v->b + (i - v->off), s, n) == 0)
			return (long) i;
	return -1;
}

/* ----- bounded output strings ------------------------------------------ */

typedef struct PdStr
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} PdStr;

static void
pd_str_init(PdStr *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->len = strlen(buf);
}

/* Append bytes escaped like raw_ascii: printable ASCII as is, a backslash
 * as \\\\, anything else as \xNN. */
static void
pd_str_addn(PdStr *s, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint8_t		c = p[i];

		if (c == '\\')
		{
			if (s->len + 3 > s->cap)
				break;
			s->buf[s->len++] = '\\';
			s->buf[s->len++] = '\\';
		}
		else if (c >= 0x20 && c < 0x7f)
		{
			if (s->len + 2 > s->cap)
				break;
			s->buf[s->len++] = (char) c;
		}
		else
		{
			if (s->len + 5 > s->cap)
				break;
			s->buf[s->len++] = '\\';
			s->buf[s->len++] = 'x';
			s->buf[s->len++] = hex[c >> 4];
			s->buf[s->len++] = hex[c & 15];
		}
	}
	s->buf[s->len] = '\0';
}

static void
pd_str_add(PdStr *s, const char *txt)
{
	pd_str_addn(s, (const uint8_t *) txt, strlen(txt));
}

/* Append stream bytes [i, i + n), clipped to what is known. */
static void
pd_str_addv(PdStr *s, const PdView *v, size_t i, size_t n)
{
	if (i < v->off || i >= pd_end(v))
		return;
	if (i + n > pd_end(v))
		n = pd_end(v) - i;
	pd_str_addn(s, v->b + (i - v->off), n);
}

#if defined(__GNUC__)
static void pd_str_addf(PdStr *s, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
#endif

static void
pd_str_addf(PdStr *s, const char *fmt,...)
{
	char		tmp[128];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	pd_str_add(s, tmp);
}

static void
pd_set(char *dst, size_t cap, const char *src)
{
	PdStr		s;

	dst[0] = '\0';
	pd_str_init(&s, dst, cap);
	pd_str_add(&s, src);
}

#define PD_SET(field, src) pd_set((field), sizeof(field), (src))

/* ----- lines of text ---------------------------------------------------- */

/*
 * The text line that starts at stream offset i: sets *n to its length
 * without the line end and *next to the start of the next line.  False if
 * there is no complete line of printable text there.
 */
static bool
pd_line(const PdView *v, size_t i, size_t *n, size_t *next)
{
	long		nl = pd_find(v, i, '\n', PD_SCAN_MAX);
	size_t		k;
	size_t		e;

	if (nl < 0)
		return false;
	e = (size_t) nl;
	if (e > i && pd_at(v, e - 1) == '\r')
		e--;
	for (k = i; k < e; k++)
	{
		int			c = pd_at(v, k);

		if (c < 0x20 && c != '\t')
			return false;
		if (c >= 0x7f)
			return false;
	}
	*n = e - i;
	*next = (size_t) nl + 1;
	return true;
}

static bool
pd_ends_with(const PdView *v, size_t i, size_t n, const char *suffix)
{
	size_t		sn = strlen(suffix);

	return n >= sn && pd_is(v, i + n - sn, suffix, sn);
}

/* Case-insensitive "Name:" at the start of a header line; value offset. */
static bool
pd_header(const PdView *v, size_t i, size_t n, const char *name, size_t *val)
{
	size_t		k;
	size_t		nn = strlen(name);

	if (n <= nn || pd_at(v, i + nn) != ':')
		return false;
	for (k = 0; k < nn; k++)
	{
		int			c = pd_at(v, i + k);

		if (c < 0 || (c | 0x20) != (name[k] | 0x20))
			return false;
	}
	k = i + nn + 1;
	while (k < i + n && pd_at(v, k) == ' ')
		k++;
	*val = k;
	return true;
}

/* ----- tools named by what clients say about themselves ----------------- */

typedef struct PdAgent
{
	const char *needle;			/* substring that identifies the tool */
	const char *tool;			/* lowercase name */
	bool		version;		/* "/VERSION" follows the needle */
} PdAgent;

static const PdAgent pd_http_agents[] = {
	{"Nmap Scripting Engine", "nmap NSE", false},
	{"CensysInspect/", "censysinspect", true},
	{"zgrab/", "zgrab", true},
	{"masscan/", "masscan", true},
	{"curl/", "curl", true},
	{"Wget/", "wget", true},
	{"python-requests/", "python-requests", true},
	{"Python-urllib/", "python-urllib", true},
	{"aiohttp/", "python-aiohttp", true},
	{"python-httpx/", "python-httpx", true},
	{"Go-http-client/", "go-http-client", true},
	{"sqlmap/", "sqlmap", true},
	{"Nuclei", "nuclei", false},
	{"Nikto", "nikto", false},
	{"libwww-perl/", "libwww-perl", true},
	{"okhttp/", "okhttp", true},
	{"Expanse", "expanse", false},
	{"InternetMeasurement/", "internetmeasurement", true},
	{"l9explore/", "leakix l9explore", true},
	{"l9tcpid/", "leakix l9tcpid", true},
	{"ModatScanner/", "modatscanner", true},
	{"Java/", "java", true},
	{"PostmanRuntime/", "postman", true},
	{"Googlebot/", "googlebot", true},
	{"bingbot/", "bingbot", true},
};

/* Name the tool from a User-Agent value at stream [i, i + n). */
static void
pd_agent_tool(const PdView *v, size_t i, size_t n, PdClass *c)
{
	size_t		a;

	if (n > 256)				/* real User-Agents are shorter */
		n = 256;

	for (a = 0; a < sizeof(pd_http_agents) / sizeof(pd_http_agents[0]); a++)
	{
		const PdAgent *ag = &pd_http_agents[a];
		long		at = pd_find_str(v, i, ag->needle, n);
		PdStr		s;

		if (at < 0)
			continue;
		c->tool[0] = '\0';
		pd_str_init(&s, c->tool, sizeof(c->tool));
		pd_str_add(&s, ag->tool);
		if (ag->version)
		{
			size_t		k = (size_t) at + strlen(ag->needle);
			size_t		e = k;

			while (e < i + n && e - k < 24)
			{
				int			ch = pd_at(v, e);

				if (ch <= ' ' || ch == ';' || ch == ')' || ch == '(')
					break;
				e++;
			}
			if (e > k)
			{
				pd_str_add(&s, "/");
				pd_str_addv(&s, v, k, e - k);
			}
		}
		return;
	}
}

/* ----- the rules -------------------------------------------------------- */

/* HTTP-like request lines: methods and their protocols. */
typedef struct PdMethod
{
	const char *name;
	const char *suffix;			/* what the request line ends with */
	const char *protocol;
} PdMethod;

static const PdMethod pd_methods[] = {
	{"GET", " HTTP/1.", "http"}, {"POST", " HTTP/1.", "http"},
	{"HEAD", " HTTP/1.", "http"}, {"PUT", " HTTP/1.", "http"},
	{"OPTIONS", " HTTP/1.", "http"}, {"DELETE", " HTTP/1.", "http"},
	{"CONNECT", " HTTP/1.", "http"}, {"TRACE", " HTTP/1.", "http"},
	{"PATCH", " HTTP/1.", "http"}, {"PROPFIND", " HTTP/1.", "http"},
	{"PRI", " HTTP/2.0", "http2"},
	{"OPTIONS", " RTSP/1.0", "rtsp"}, {"DESCRIBE", " RTSP/1.0", "rtsp"},
	{"SETUP", " RTSP/1.0", "rtsp"}, {"PLAY", " RTSP/1.0", "rtsp"},
	{"OPTIONS", " SIP/2.0", "sip"}, {"INVITE", " SIP/2.0", "sip"},
	{"REGISTER", " SIP/2.0", "sip"}, {"BYE", " SIP/2.0", "sip"},
	{"ACK", " SIP/2.0", "sip"}, {"CANCEL", " SIP/2.0", "sip"},
};

/* " HTTP/1.x" at the end of a line: the version digit must follow. */
static bool
pd_line_suffix(const PdView *v, size_t i, size_t n, const char *suffix)
{
	size_t		sn = strlen(suffix);

	if (suffix[sn - 1] == '.')
	{
		int			d;

		if (n < sn + 1)
			return false;
		d = pd_at(v, i + n - 1);
		return (d == '0' || d == '1') && pd_is(v, i + n - sn - 1, suffix, sn);
	}
	return pd_ends_with(v, i, n, suffix);
}

static bool
pd_rule_http(const PdView *v, PdClass *c)
{
	size_t		start = v->off;	/* 0, or 4 into the request line */
	size_t		n;
	size_t		next;
	size_t		m;
	const char *protocol = NULL;
	char		method[64] = "";
	size_t		target = 0;
	PdStr		d;
	int			lines;
	size_t		host = 0,
				hostn = 0,
				ua = 0,
				uan = 0;

	if (!pd_line(v, start, &n, &next) || n < 10)
		return false;

	/* Which methods fit what we see of the line? */
	for (m = 0; m < sizeof(pd_methods) / sizeof(pd_methods[0]); m++)
	{
		const PdMethod *pm = &pd_methods[m];
		size_t		ml = strlen(pm->name);
		bool		fits;

		if (!pd_line_suffix(v, start, n, pm->suffix))
			continue;
		if (start == 0)
			fits = pd_is(v, 0, pm->name, ml) && pd_at(v, ml) == ' ';
		else if (ml + 1 > 4)
			fits = pd_is(v, 4, pm->name + 4, ml - 4) && pd_at(v, ml) == ' ';
		else					/* a 3-letter method and its space were consumed */
			fits = ml == 3 && pd_at(v, 4) != ' ';
		if (!fits)
			continue;
		if (protocol && strcmp(protocol, pm->protocol) != 0)
			return false;		/* ambiguous: should not happen */
		/* the request target follows the method and its space */
		target = ml + 1 > start ? ml + 1 : start;
		protocol = pm->protocol;
		if (method[0] && strlen(method) + ml + 2 < sizeof(method))
			strcat(method, "|");
		if (strlen(method) + ml + 1 < sizeof(method))
			strcat(method, pm->name);
	}
	if (protocol == NULL)
		return false;
	PD_SET(c->protocol, protocol);

	/* headers: Host and User-Agent (SIP calls it User-Agent too) */
	for (lines = 0; lines < PD_LINES_MAX && next < start + PD_SCAN_MAX; lines++)
	{
		size_t		ln;
		size_t		lnext;
		size_t		val;

		if (!pd_line(v, next, &ln, &lnext) || ln == 0)
			break;
		if (!host && pd_header(v, next, ln, "Host", &val))
		{
			host = val;
			hostn = next + ln - val;
		}
		else if (!ua && pd_header(v, next, ln, "User-Agent", &val))
		{
			ua = val;
			uan = next + ln - val;
		}
		next = lnext;
	}

	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, method);
	pd_str_add(&d, " ");
	pd_str_addv(&d, v, target, start + n - target);
	if (host)
	{
		pd_str_add(&d, "; Host: ");
		pd_str_addv(&d, v, host, hostn);
	}
	if (ua)
	{
		pd_str_add(&d, "; User-Agent: ");
		pd_str_addv(&d, v, ua, uan);
		pd_agent_tool(v, ua, uan, c);
	}
	return true;
}

/* HTTP/2 prior knowledge: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
static bool
pd_rule_http2(const PdView *v, PdClass *c)
{
	if (PD_IS(v, 0, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") ||
		PD_IS(v, 4, "* HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	{
		PD_SET(c->protocol, "http2");
		PD_SET(c->detail, "HTTP/2 connection preface (prior knowledge)");
		return true;
	}
	return false;
}

static bool
pd_rule_ssh(const PdView *v, PdClass *c)
{
	size_t		n;
	size_t		next;
	size_t		ver;
	size_t		sw;
	size_t		e;
	PdStr		s;

	if (PD_IS(v, 0, "SSH-"))
		ver = 4;
	else if (v->off == 4 && (PD_IS(v, 4, "2.0-") || PD_IS(v, 4, "1.99-") ||
							 PD_IS(v, 4, "1.5-")))
		ver = 4;
	else
		return false;
	if (!pd_line(v, ver, &n, &next) || n < 5 || n > 251)
		return false;
	PD_SET(c->protocol, "ssh");
	pd_str_init(&s, c->detail, sizeof(c->detail));
	pd_str_add(&s, "SSH-");
	pd_str_addv(&s, v, ver, n);

	/* software version: after "2.0-", up to a space */
	sw = ver;
	while (sw < ver + n && pd_at(v, sw) != '-')
		sw++;
	sw++;
	e = sw;
	while (e < ver + n && pd_at(v, e) != ' ')
		e++;
	if (e > sw)
	{
		size_t		k;
		size_t		us = e;
		char	   *t = c->tool;

		/* "OpenSSH_9.2p1" -> "openssh 9.2p1"; "Go" -> "go" */
		for (k = sw; k < e; k++)
			if (pd_at(v, k) == '_')
			{
				us = k;
				break;
			}
		c->tool[0] = '\0';
		pd_str_init(&s, c->tool, sizeof(c->tool));
		pd_str_addv(&s, v, sw, us - sw);
		for (; *t; t++)
			if (*t >= 'A' && *t <= 'Z')
				*t += 'a' - 'A';
		if (us < e)
		{
			pd_str_add(&s, " ");
			pd_str_addv(&s, v, us + 1, e - us - 1);
		}
	}
	return true;
}

/* A TLS (or SSL 3.0) ClientHello record, with SNI and ALPN. */
static bool
pd_rule_tls(const PdView *v, PdClass *c)
{
	long		hs_len;
	size_t		p;
	size_t		end;
	int			sid;
	long		cs;
	int			comp;
	long		ext_len;
	int			guard;
	PdStr		d;
	bool		sni = false;

	if (pd_at(v, 5) != 0x01 || pd_at(v, 9) != 0x03 || pd_at(v, 10) > 0x04 ||
		pd_at(v, 6) != 0)
		return false;
	hs_len = pd_be16(v, 7);
	if (hs_len < 0)
		return false;
	if (v->off == 0)
	{
		long		rec = pd_be16(v, 3);

		if (pd_at(v, 0) != 0x16 || pd_at(v, 1) != 0x03 || pd_at(v, 2) > 0x04 ||
			rec != hs_len + 4)
			return false;
	}
	else if (((hs_len + 4) & 0xff) != pd_at(v, 4))
		return false;			/* record length's low byte must agree */

	PD_SET(c->protocol, "tls");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "ClientHello version 3.%d", pd_at(v, 10));
	if (pd_at(v, 2) >= 0)
		pd_str_addf(&d, " record 3.%d", pd_at(v, 2));

	/* session id, cipher suites, compression, then extensions */
	end = 9 + (size_t) hs_len;
	if (end > pd_end(v))
		end = pd_end(v);
	p = 43;
	sid = pd_at(v, p);
	if (sid < 0 || sid > 32)
		return true;
	p += 1 + sid;
	cs = pd_be16(v, p);
	if (cs < 0)
		return true;
	p += 2 + cs;
	comp = pd_at(v, p);
	if (comp < 0)
		return true;
	p += 1 + comp;
	ext_len = pd_be16(v, p);
	if (ext_len < 0)
		return true;
	p += 2;
	for (guard = 0; guard < 64 && p + 4 <= end; guard++)
	{
		long		type = pd_be16(v, p);
		long		len = pd_be16(v, p + 2);
		size_t		body = p + 4;

		if (type < 0 || len < 0)
			break;
		if (type == 0 && len >= 5 && pd_at(v, body + 2) == 0)
		{
			long		nl = pd_be16(v, body + 3);

			if (nl > 0 && nl <= 255)
			{
				pd_str_add(&d, " SNI=");
				pd_str_addv(&d, v, body + 5, (size_t) nl);
				sni = true;
			}
		}
		else if (type == 16 && len >= 3)
		{
			size_t		q = body + 2;
			size_t		qe = body + (size_t) len;
			int			k;

			pd_str_add(&d, " ALPN=");
			for (k = 0; k < 16 && q < qe && q < end; k++)
			{
				int			pl = pd_at(v, q);

				if (pl <= 0)
					break;
				if (k > 0)
					pd_str_add(&d, ",");
				pd_str_addv(&d, v, q + 1, (size_t) pl);
				q += 1 + pl;
			}
		}
		p = body + (size_t) len;
	}
	(void) sni;
	return true;
}

/* SSLv2-format ClientHello (old clients, nmap's SSLv23SessionReq): whole
 * stream only, since its signature is in the first bytes. */
static bool
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
	PD_SET(c->protocol, "tls");
	pd_set(c->detail, sizeof(c->detail), "SSLv2-format ClientHello");
	return true;
}

static bool
pd_rule_smb(const PdView *v, PdClass *c)
{
	int			m = pd_at(v, 4);

	if (!PD_IS(v, 5, "SMB") || (m != 0xff && m != 0xfe && m != 0xfd))
		return false;
	PD_SET(c->protocol, m == 0xff ? "smb1" : "smb2");
	if (m == 0xff && pd_at(v, 8) == 0x72)
		PD_SET(c->detail, "SMB1 NEGOTIATE");
	else if (m == 0xfe && pd_le16(v, 16) == 0)
		PD_SET(c->detail, "SMB2 NEGOTIATE");
	else if (m == 0xfd)
		PD_SET(c->detail, "SMB3 transform header");
	else
		PD_SET(c->detail, m == 0xff ? "SMB1 header" : "SMB2 header");
	return true;
}

/* Kerberos over TCP: a DER [APPLICATION 10] AS-REQ or [12] TGS-REQ. */
static bool
pd_rule_kerberos(const PdView *v, PdClass *c)
{
	int			tag = pd_at(v, 4);
	int			l = pd_at(v, 5);
	size_t		p;

	if (tag != 0x6a && tag != 0x6c)
		return false;

	if (l == 0x81)
		p = 7;
	else if (l == 0x82)
		p = 8;
	else if (l > 0 && l < 0x80)
		p = 6;
	else
		return false;
	if (pd_at(v, p) != 0x30)
		return false;
	/* the SEQUENCE's length, then pvno [1] INTEGER 5 and msg-type [2] */
	p += pd_at(v, p + 1) == 0x81 ? 3 : pd_at(v, p + 1) == 0x82 ? 4 : 2;
	if (pd_end(v) > p && !(pd_is(v, p, "\xa1\x03\x02\x01\x05\xa2\x03\x02\x01", 9) &&
						  (pd_at(v, p + 9) == 10 || pd_at(v, p + 9) == 12)))
		return false;
	PD_SET(c->protocol, "kerberos");
	PD_SET(c->detail, tag == 0x6a ? "AS-REQ" : "TGS-REQ");
	return true;
}

/* RDP: TPKT + X.224 Connection Request, with its cookie. */
static bool
pd_rule_rdp(const PdView *v, PdClass *c)
{
	int			li = pd_at(v, 4);
	long		ck;
	PdStr		d;

	if (li < 6 || pd_at(v, 5) != 0xe0 || pd_be16(v, 6) != 0 || pd_at(v, 10) != 0)
		return false;
	if (v->off == 0 && (pd_at(v, 0) != 3 || pd_at(v, 1) != 0 ||
						pd_be16(v, 2) != li + 5))
		return false;
	ck = PD_IS(v, 11, "Cookie: mstshash=") ? 11 : -1;
	if (ck < 0 && (size_t) li + 5 != pd_end(v))
		return false;			/* no cookie: the length must be exact */
	PD_SET(c->protocol, "rdp");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "X.224 Connection Request");
	if (ck >= 0)
	{
		long		e = pd_find(v, 11, '\r', 128);
		size_t		from = 11 + 17;

		if (e > (long) from)
		{
			pd_str_add(&d, "; Cookie: mstshash=");
			pd_str_addv(&d, v, from, (size_t) e - from);
			if (pd_is(v, from, "nmap", 4) && e == (long) from + 4)
				PD_SET(c->tool, "nmap");
		}
	}
	return true;
}

static bool
pd_rule_vnc(const PdView *v, PdClass *c)
{
	size_t		i = 4;
	size_t		k;

	if (v->off == 0 && !PD_IS(v, 0, "RFB "))
		return false;
	if (pd_end(v) != i + 8 || pd_at(v, i + 3) != '.' || pd_at(v, i + 7) != '\n')
		return false;
	for (k = 0; k < 7; k++)
	{
		int			ch = pd_at(v, i + k);

		if (k != 3 && (ch < '0' || ch > '9'))
			return false;
	}
	PD_SET(c->protocol, "vnc");
	{
		PdStr		d;

		pd_str_init(&d, c->detail, sizeof(c->detail));
		pd_str_add(&d, "RFB ");
		pd_str_addv(&d, v, i, 7);
	}
	return true;
}

/* Redis RESP: "*N\r\n$M\r\nCMD\r\n"; the "*N\r\n" may be gone. */
static bool
pd_rule_redis(const PdView *v, PdClass *c)
{
	size_t		p = v->off;
	long		m = 0;
	long		k;
	int			digits = 0;
	PdStr		d;

	if (v->off == 0)
	{
		if (pd_at(v, 0) != '*')
			return false;
		for (p = 1; p < 6 && pd_at(v, p) >= '0' && pd_at(v, p) <= '9'; p++)
			digits++;
		if (!digits || !pd_is(v, p, "\r\n", 2))
			return false;
		p += 2;
	}
	if (pd_at(v, p) != '$')
		return false;
	for (p++, digits = 0; digits < 3 && pd_at(v, p) >= '0' && pd_at(v, p) <= '9'; p++, digits++)
		m = m * 10 + (pd_at(v, p) - '0');
	if (!digits || m < 1 || m > 64 || !pd_is(v, p, "\r\n", 2))
		return false;
	p += 2;
	for (k = 0; k < m; k++)
	{
		int			ch = pd_at(v, p + k);

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-'))
			return false;
	}
	if (!pd_is(v, p + m, "\r\n", 2))
		return false;
	PD_SET(c->protocol, "redis");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "command ");
	pd_str_addv(&d, v, p, (size_t) m);
	return true;
}

/* memcached text protocol: whole stream only (short verbs). */
static bool
pd_rule_memcached(const PdView *v, PdClass *c)
{
	static const char *const cmds[] = {"stats\r\n", "version\r\n", "stats items\r\n",
	"stats slabs\r\n", "stats settings\r\n"};
	size_t		k;

	if (v->off != 0)
		return false;
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (pd_end(v) == strlen(cmds[k]) && pd_is(v, 0, cmds[k], strlen(cmds[k])))
		{
			PdStr		d;

			PD_SET(c->protocol, "memcached");
			pd_str_init(&d, c->detail, sizeof(c->detail));
			pd_str_addn(&d, (const uint8_t *) cmds[k], strlen(cmds[k]) - 2);
			return true;
		}
	return false;
}

/* MongoDB wire protocol: responseTo 0 and a known opcode. */
static bool
pd_rule_mongodb(const PdView *v, PdClass *c)
{
	long long	op = pd_le32(v, 12);
	PdStr		d;

	if (pd_le32(v, 8) != 0 || (op != 2004 && op != 2013 && op != 2010))
		return false;
	if (v->off == 0)
	{
		long long	len = pd_le32(v, 0);

		if (len < 16 || len > 48 * 1024 * 1024)
			return false;
	}
	PD_SET(c->protocol, "mongodb");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (op == 2004)
	{
		/* OP_QUERY: flags, then the collection name */
		long		e = pd_find(v, 20, 0, 128);

		pd_str_add(&d, "OP_QUERY");
		if (e > 20)
		{
			pd_str_add(&d, " ");
			pd_str_addv(&d, v, 20, (size_t) e - 20);
		}
	}
	else if (op == 2013)
	{
		/* OP_MSG: flags, section kind 0, a BSON document: first key */
		pd_str_add(&d, "OP_MSG");
		if (pd_at(v, 20) == 0 && pd_at(v, 25) > 0)
		{
			long		e = pd_find(v, 26, 0, 64);

			if (e > 26)
			{
				pd_str_add(&d, " ");
				pd_str_addv(&d, v, 26, (size_t) e - 26);
			}
		}
	}
	else
		pd_str_add(&d, "OP_COMMAND");
	return true;
}

/* Microsoft SQL Server: TDS PRELOGIN with a well-formed option list. */
static bool
pd_rule_mssql(const PdView *v, PdClass *c)
{
	size_t		p = 8;
	int			last = -1;
	int			k;

	if (v->off == 0 && (pd_at(v, 0) != 0x12 || pd_at(v, 1) != 0x01))
		return false;
	if (pd_be16(v, 4) != 0 || pd_at(v, 7) != 0 || pd_at(v, 8) != 0)
		return false;
	for (k = 0; k < 12; k++, p += 5)
	{
		int			t = pd_at(v, p);
		long		o = pd_be16(v, p + 1);

		if (t == 0xff)
			break;
		if (t < 0 || t <= last || t > 0x08 || o < 0 || o > 4096)
			return false;
		last = t;
	}
	if (k == 0 || k == 12)
		return false;
	PD_SET(c->protocol, "mssql");
	PD_SET(c->detail, "TDS PRELOGIN");
	return true;
}

/* Oracle TNS CONNECT packet. */
static bool
pd_rule_oracle(const PdView *v, PdClass *c)
{
	long		ver = pd_be16(v, 8);
	long		at;
	PdStr		d;

	if (pd_at(v, 4) != 1 || pd_at(v, 5) != 0 || pd_be16(v, 6) != 0 ||
		ver < 0x0120 || ver > 0x0140)
		return false;
	at = pd_find_str(v, 8, "(DESCRIPTION", 512);
	if (at < 0)
		at = pd_find_str(v, 8, "(CONNECT_DATA", 512);
	if (at < 0 && pd_end(v) > 40)
		return false;			/* a CONNECT carries its connect data */
	PD_SET(c->protocol, "oracle-tns");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "TNS CONNECT version %ld", ver);
	if (at >= 0)
	{
		pd_str_add(&d, " ");
		pd_str_addv(&d, v, (size_t) at, 160);
	}
	return true;
}

/* Cassandra CQL native protocol: OPTIONS or STARTUP. */
static bool
pd_rule_cassandra(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 4);
	long long	body = pd_be32(v, 5);

	if (v->off == 0 && (pd_at(v, 0) < 1 || pd_at(v, 0) > 5))
		return false;
	if (op == 0x05 && body == 0 && pd_end(v) == 9)
	{
		PD_SET(c->protocol, "cassandra");
		PD_SET(c->detail, "CQL OPTIONS");
		return true;
	}
	if (op == 0x01 && body > 0 && body < 4096 &&
		pd_find_str(v, 9, "CQL_VERSION", 64) >= 0)
	{
		PD_SET(c->protocol, "cassandra");
		PD_SET(c->detail, "CQL STARTUP");
		return true;
	}
	return false;
}

/*
 * Kafka: a request header whose api_key and api_version PostgreSQL read as
 * a protocol version.  ApiVersions (18) is what every client sends first.
 */
static bool
pd_rule_kafka(const PdView *v, PdClass *c)
{
	long		key = pd_be16(v, 4);
	long		ver = pd_be16(v, 6);
	PdStr		d;

	if (key != 18 || ver < 0 || ver > 4)
		return false;
	if (pd_end(v) > 8)
	{
		/* more is known: correlation id, then a printable client id */
		long		cl = pd_be16(v, 12);
		long		k;

		if (cl < 0 || cl > 128)
			return false;
		for (k = 0; k < cl && 14 + k < (long) pd_end(v); k++)
		{
			int			ch = pd_at(v, 14 + k);

			if (ch < 0x20 || ch >= 0x7f)
				return false;
		}
	}
	PD_SET(c->protocol, "kafka");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "ApiVersions request v%ld", ver);
	if (pd_end(v) > 14)
	{
		long		cl = pd_be16(v, 12);

		if (cl > 0)
		{
			pd_str_add(&d, "; client id ");
			pd_str_addv(&d, v, 14, (size_t) cl);
		}
	}
	return true;
}

static bool
pd_rule_amqp(const PdView *v, PdClass *c)
{
	static const uint8_t hdr[][4] = {{0, 0, 9, 1}, {0, 0, 8, 0}, {1, 1, 0, 9},
	{0, 1, 0, 0}, {3, 1, 0, 0}, {2, 1, 0, 0}};
	size_t		k;

	if (pd_end(v) != 8 || (v->off == 0 && !PD_IS(v, 0, "AMQP")))
		return false;
	for (k = 0; k < sizeof(hdr) / sizeof(hdr[0]); k++)
		if (pd_is(v, 4, (const char *) hdr[k], 4))
		{
			PD_SET(c->protocol, "amqp");
			pd_set(c->detail, sizeof(c->detail),
				   k < 3 ? "AMQP 0-9-1 protocol header" : "AMQP 1.0 protocol header");
			return true;
		}
	return false;
}

/* MQTT CONNECT: "MQTT" or "MQIsdp" right after the fixed header. */
static bool
pd_rule_mqtt(const PdView *v, PdClass *c)
{
	size_t		p;
	int			level;
	PdStr		d;

	if (v->off == 0 && pd_at(v, 0) != 0x10)
		return false;
	if (PD_IS(v, 2, "\0\x04MQTT") || PD_IS(v, 4, "MQTT"))
		p = 8;
	else if (PD_IS(v, 3, "\0\x04MQTT") || (pd_at(v, 4) == 4 && PD_IS(v, 5, "MQTT")))
		p = 9;
	else if (PD_IS(v, 4, "MQIsdp") && (v->off != 0 || PD_IS(v, 2, "\0\x06")))
		p = 10;
	else
		return false;
	level = pd_at(v, p);
	if (level < 3 || level > 5)
		return false;
	PD_SET(c->protocol, "mqtt");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "CONNECT protocol level %d", level);
	if (level < 5)
	{
		long		idl = pd_be16(v, p + 4);

		if (idl > 0 && idl < 128)
		{
			pd_str_add(&d, "; client id ");
			pd_str_addv(&d, v, p + 6, (size_t) idl);
			if (pd_is(v, p + 6, "mosq", 4))
				PD_SET(c->tool, "mosquitto");
			else if (pd_is(v, p + 6, "paho", 4))
				PD_SET(c->tool, "paho");
		}
	}
	return true;
}

static bool
pd_rule_stomp(const PdView *v, PdClass *c)
{
	size_t		n,
				next,
				n2,
				next2;
	bool		cmd;

	if (v->off == 0)
		cmd = PD_IS(v, 0, "CONNECT\n") || PD_IS(v, 0, "STOMP\n") ||
			PD_IS(v, 0, "CONNECT\r\n") || PD_IS(v, 0, "STOMP\r\n");
	else
		cmd = PD_IS(v, 4, "ECT\n") || PD_IS(v, 4, "P\n") ||
			PD_IS(v, 4, "ECT\r\n") || PD_IS(v, 4, "P\r\n");
	if (!cmd || !pd_line(v, v->off, &n, &next) || !pd_line(v, next, &n2, &next2))
		return false;
	if (!PD_IS(v, next, "accept-version:") && !PD_IS(v, next, "host:") &&
		!PD_IS(v, next, "login:"))
		return false;
	PD_SET(c->protocol, "stomp");
	PD_SET(c->detail, "CONNECT frame");
	return true;
}

/* LDAP: a BER LDAPMessage with a 1-byte message id. */
static bool
pd_rule_ldap(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 5);
	int			l = pd_at(v, 6);
	size_t		body;
	long		oplen;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 0x30 || pd_at(v, 2) != 0x02 || pd_at(v, 3) != 0x01))
		return false;
	if (l < 0)
		return false;
	if (l < 0x80)
	{
		oplen = l;
		body = 7;
	}
	else if (l == 0x81)
	{
		oplen = pd_at(v, 7);
		body = 8;
	}
	else if (l == 0x82)
	{
		oplen = pd_be16(v, 7);
		body = 9;
	}
	else
		return false;
	if (oplen < 0 || (body + oplen != pd_end(v) && pd_at(v, body + oplen) != 0xa0 &&
					  body + oplen < pd_end(v)))
		return false;
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (op == 0x60 && pd_at(v, body) == 0x02 && pd_at(v, body + 1) == 0x01 &&
		(pd_at(v, body + 2) == 3 || pd_at(v, body + 2) == 2) &&
		pd_at(v, body + 3) == 0x04)
	{
		int			nl = pd_at(v, body + 4);

		pd_str_addf(&d, "bindRequest v%d", pd_at(v, body + 2));
		if (nl > 0 && nl < 0x80)
		{
			pd_str_add(&d, " name=");
			pd_str_addv(&d, v, body + 5, (size_t) nl);
		}
		else if (nl == 0)
			pd_str_add(&d, " anonymous");
	}
	else if (op == 0x63 && pd_at(v, body) == 0x04)
	{
		int			bl = pd_at(v, body + 1);

		pd_str_add(&d, "searchRequest base=\"");
		if (bl > 0 && bl < 0x80)
			pd_str_addv(&d, v, body + 2, (size_t) bl);
		pd_str_add(&d, "\"");
	}
	else if (op == 0x77 && pd_at(v, body) == 0x80)
	{
		pd_str_add(&d, "extendedRequest");
		if (pd_find_str(v, body, "1.3.6.1.4.1.1466.20037", 32) >= 0)
			pd_str_add(&d, " StartTLS");
	}
	else
		return false;
	PD_SET(c->protocol, "ldap");
	return true;
}

/* DNS over TCP: a query (or nmap's status request) with a sane question. */
static bool
pd_rule_dns(const PdView *v, PdClass *c)
{
	long		flags = pd_be16(v, 4);
	long		qd = pd_be16(v, 6),
				an = pd_be16(v, 8),
				ns = pd_be16(v, 10),
				ar = pd_be16(v, 12);
	size_t		p = 14;
	int			labels = 0;
	long		qtype,
				qclass;
	PdStr		d;

	if (flags < 0 || (flags & 0x8000) || an != 0 || ns != 0 || ar < 0 || ar > 1)
		return false;
	if (v->off == 0 && pd_be16(v, 0) != (long) pd_end(v) - 2)
		return false;
	if (((flags >> 11) & 0xf) == 2 && qd == 0 && ar == 0 && pd_end(v) == 14)
	{
		PD_SET(c->protocol, "dns");
		PD_SET(c->detail, "server status request");
		return true;
	}
	if (((flags >> 11) & 0xf) != 0 || qd != 1)
		return false;
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "query ");
	for (;;)
	{
		int			l = pd_at(v, p);
		int			k;

		if (l < 0 || l > 63 || labels > 32)
			return false;
		if (l == 0)
			break;
		for (k = 1; k <= l; k++)
		{
			int			ch = pd_at(v, p + k);

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
				return false;
		}
		if (labels++)
			pd_str_add(&d, ".");
		pd_str_addv(&d, v, p + 1, (size_t) l);
		p += 1 + l;
	}
	qtype = pd_be16(v, p + 1);
	qclass = pd_be16(v, p + 3);
	if (qtype < 1 || qtype > 255 || (qclass != 1 && qclass != 3 && qclass != 255))
		return false;
	if (labels == 0)
		pd_str_add(&d, ".");
	pd_str_addf(&d, " type %ld class %s", qtype,
				qclass == 1 ? "IN" : qclass == 3 ? "CH" : "ANY");
	PD_SET(c->protocol, "dns");
	return true;
}

/* SOCKS: whole stream only; their signatures are in the first bytes. */
static bool
pd_rule_socks(const PdView *v, PdClass *c)
{
	if (v->off != 0)
		return false;
	if (pd_at(v, 0) == 4 && (pd_at(v, 1) == 1 || pd_at(v, 1) == 2) &&
		pd_end(v) >= 9 && pd_end(v) <= 300 && pd_at(v, pd_end(v) - 1) == 0)
	{
		size_t		k;
		int			nuls = 0;

		for (k = 8; k < pd_end(v); k++)
		{
			int			ch = pd_at(v, k);

			if (ch == 0)
				nuls++;
			else if (ch < 0x20 || ch >= 0x7f)
				return false;
		}
		if (nuls > 2)
			return false;
		PD_SET(c->protocol, "socks4");
		pd_set(c->detail, sizeof(c->detail), pd_at(v, 1) == 1 ? "CONNECT" : "BIND");
		return true;
	}
	if (pd_at(v, 0) == 5)
	{
		int			n = pd_at(v, 1);
		int			k;

		if (n < 1 || n > 9)
			return false;
		for (k = 0; k < n; k++)
		{
			int			m = pd_at(v, 2 + k);

			if (m < 0 || (m > 3 && m < 0x80) || m == 0xff)
				return false;
		}
		if (pd_end(v) != (size_t) 2 + n &&
			!(pd_at(v, 2 + n) == 5 && pd_at(v, 4 + n) == 0))
			return false;
		PD_SET(c->protocol, "socks5");
		PD_SET(c->detail, "method selection");
		return true;
	}
	return false;
}

static bool
pd_rule_java_rmi(const PdView *v, PdClass *c)
{
	int			p = pd_at(v, 6);

	if ((v->off == 0 && !PD_IS(v, 0, "JRMI")) || pd_end(v) != 7 ||
		pd_at(v, 4) != 0 || (pd_at(v, 5) != 1 && pd_at(v, 5) != 2) ||
		p < 0x4b || p > 0x4d)
		return false;
	PD_SET(c->protocol, "java-rmi");
	PD_SET(c->detail, "JRMI stream header");
	return true;
}

/* ONC RPC over TCP: a CALL, RPC version 2. */
static bool
pd_rule_onc_rpc(const PdView *v, PdClass *c)
{
	long long	prog = pd_be32(v, 16),
				vers = pd_be32(v, 20),
				proc = pd_be32(v, 24),
				flavor = pd_be32(v, 28);
	PdStr		d;

	if (pd_be32(v, 8) != 0 || pd_be32(v, 12) != 2 || prog < 100000 ||
		prog > 0x7fffffff || vers < 0 || vers > 20 || proc < 0 || proc > 64 ||
		flavor < 0 || flavor > 6)
		return false;
	if (v->off == 0 && !(pd_at(v, 0) & 0x80))
		return false;
	PD_SET(c->protocol, "onc-rpc");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "CALL program %lld%s version %lld procedure %lld", prog,
				prog == 100000 ? " (portmapper)" : prog == 100003 ? " (nfs)" :
				prog == 100005 ? " (mountd)" : "", vers, proc);
	return true;
}

/* Apache JServ Protocol: forward request (or CPing with the whole stream). */
static bool
pd_rule_ajp(const PdView *v, PdClass *c)
{
	if (v->off == 0 && PD_IS(v, 0, "\x12\x34") &&
		(pd_at(v, 4) == 0x0a || pd_at(v, 4) == 0x02) &&
		pd_be16(v, 2) == (long) pd_end(v) - 4)
	{
		PD_SET(c->protocol, "ajp");
		PD_SET(c->detail, pd_at(v, 4) == 0x0a ? "AJP13 CPing" : "AJP13 forward request");
		return true;
	}
	if (pd_at(v, 4) == 0x02 && pd_at(v, 5) >= 1 && pd_at(v, 5) <= 28 &&
		PD_IS(v, 6, "\0\x08HTTP/1."))
	{
		PD_SET(c->protocol, "ajp");
		PD_SET(c->detail, "AJP13 forward request");
		return true;
	}
	return false;
}

static bool
pd_rule_bittorrent(const PdView *v, PdClass *c)
{
	PdStr		d;

	if (!PD_IS(v, 4, "Torrent protocol") || (v->off == 0 && !PD_IS(v, 0, "\x13" "Bit")))
		return false;
	PD_SET(c->protocol, "bittorrent");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "handshake");
	if (pd_at(v, 48) == '-' && pd_at(v, 55) == '-')
	{
		pd_str_add(&d, "; peer id ");
		pd_str_addv(&d, v, 48, 8);
	}
	return true;
}

static bool
pd_rule_distcc(const PdView *v, PdClass *c)
{
	int			k;

	if (v->off == 0 && !PD_IS(v, 0, "DIST"))
		return false;
	for (k = 4; k < 12; k++)
	{
		int			ch = pd_at(v, k);

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	if (pd_end(v) != 12 && !PD_IS(v, 12, "ARGC"))
		return false;
	PD_SET(c->protocol, "distcc");
	PD_SET(c->detail, "DIST request");
	return true;
}

/* Telnet option negotiation: IAC DO/DONT/WILL/WONT triplets throughout. */
static bool
pd_rule_telnet(const PdView *v, PdClass *c)
{
	size_t		p = v->off;
	int			triplets = 0;

	if (v->off == 4)
	{
		/* we joined mid-stream: byte 3 was IAC, bytes 4-5 end that triplet */
		if (pd_at(v, 4) < 0xfb || pd_at(v, 4) > 0xfe || pd_at(v, 5) > 0x31)
			return false;
		p = 6;
		triplets = 1;
	}
	while (p < pd_end(v) && triplets < 64)
	{
		int			cmd = pd_at(v, p + 1);

		if (pd_at(v, p) != 0xff || cmd < 0xfb || cmd > 0xfe || pd_at(v, p + 2) < 0 ||
			pd_at(v, p + 2) > 0x31)
			return false;
		p += 3;
		triplets++;
	}
	if (triplets < 2 || p != pd_end(v))
		return false;
	PD_SET(c->protocol, "telnet");
	PD_SET(c->detail, "option negotiation");
	return true;
}

/* Line-based client-first mail/file/chat protocols. */
static bool
pd_rule_text(const PdView *v, PdClass *c)
{
	static const struct
	{
		const char *start;		/* whole stream starts with */
		const char *tail;		/* or, after the first 4 bytes, starts with */
		const char *protocol;
	}			rules[] = {
		{"EHLO ", NULL, "smtp"}, {"HELO ", NULL, "smtp"},
		{"EHLO\r\n", NULL, "smtp"}, {"HELO\r\n", NULL, "smtp"},
		{"MAIL FROM:", " FROM:<", "smtp"}, {"RCPT TO:", " TO:<", "smtp"},
		{"AUTH TLS\r\n", NULL, "ftp"}, {"FEAT\r\n", NULL, "ftp"},
		{"SYST\r\n", NULL, "ftp"},
		{"CAPA\r\n", NULL, "pop3"}, {"STLS\r\n", NULL, "pop3"},
		{"NICK ", NULL, "irc"}, {"CAP LS", "LS 30", "irc"},
	};
	size_t		n,
				next,
				k;
	PdStr		d;

	/* git:// ("0032git-upload-pack /repo\0host=...") and rsync daemons */
	if (pd_is(v, 4, "git-upload-pack ", 16) || pd_is(v, 4, "git-receive-pack ", 17) ||
		pd_is(v, 4, "git-upload-archive ", 19))
	{
		long		e = pd_find(v, 4, 0, 256);

		PD_SET(c->protocol, "git");
		pd_str_init(&d, c->detail, sizeof(c->detail));
		if (e > 4)
			pd_str_addv(&d, v, 4, (size_t) e - 4);
		return true;
	}
	if (!pd_line(v, v->off, &n, &next))
		return false;
	for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
	{
		const char *m = v->off == 0 ? rules[k].start : rules[k].tail;

		if (m && pd_is(v, v->off, m, strlen(m)))
		{
			PD_SET(c->protocol, rules[k].protocol);
			pd_str_init(&d, c->detail, sizeof(c->detail));
			pd_str_addv(&d, v, v->off, n > 120 ? 120 : n);
			return true;
		}
	}
	if ((v->off == 0 ? PD_IS(v, 0, "@RSYNCD: ") : PD_IS(v, 4, "NCD: ")))
	{
		PD_SET(c->protocol, "rsync");
		pd_str_init(&d, c->detail, sizeof(c->detail));
		pd_str_add(&d, "@RSY");
		pd_str_addv(&d, v, 4, Min_(v->off + n - 4, 60));
		return true;
	}
	/* IRC registration after a consumed "NICK": "<nick>\r\nUSER ... :" */
	if (v->off == 4 && PD_IS(v, next, "USER ") && pd_find(v, next, ':', 128) > 0)
	{
		PD_SET(c->protocol, "irc");
		PD_SET(c->detail, "NICK/USER registration");
		return true;
	}
	/* IMAP: "<tag> CAPABILITY" etc.; the tag may be what was consumed */
	{
		static const char *const imap[] = {" CAPABILITY", " STARTTLS", " LOGIN ",
		" AUTHENTICATE ", " LOGOUT"};
		size_t		s = v->off;

		while (s < v->off + n && s < v->off + 16 && pd_at(v, s) != ' ')
		{
			int			ch = pd_at(v, s);

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				  (ch >= '0' && ch <= '9') || ch == '.'))
				return false;
			s++;
		}
		if (v->off == 0 && s == 0)
			return false;
		for (k = 0; k < sizeof(imap) / sizeof(imap[0]); k++)
			if (pd_is(v, s, imap[k], strlen(imap[k])))
			{
				PD_SET(c->protocol, "imap");
				pd_str_init(&d, c->detail, sizeof(c->detail));
				pd_str_addv(&d, v, s + 1, (n - (s - v->off)) > 60 ? 60 : n - (s - v->off) - 1);
				return true;
			}
	}
	return false;
}

/* X11 connection setup with an authorization protocol name: whole stream. */
static bool
pd_rule_x11(const PdView *v, PdClass *c)
{
	int			o = pd_at(v, 0);
	bool		le = o == 'l';
	long		major;
	long		nl;

	if (v->off != 0 || (o != 'l' && o != 'B') || pd_at(v, 1) != 0)
		return false;
	major = le ? pd_le16(v, 2) : pd_be16(v, 2);
	nl = le ? pd_le16(v, 6) : pd_be16(v, 6);
	if (major != 11 || nl < 0 || nl > 64)
		return false;
	if (nl > 0 && !PD_IS(v, 12, "MIT-MAGIC-COOKIE-1") && !PD_IS(v, 12, "XDM-AUTH"))
		return false;
	if (nl == 0 && pd_end(v) != 12)
		return false;
	PD_SET(c->protocol, "x11");
	PD_SET(c->detail, le ? "connection setup, little-endian" : "connection setup, big-endian");
	return true;
}

/* ----- PostgreSQL itself ------------------------------------------------ */

#define PD_CANCEL_CODE	0x04d2162e
#define PD_SSL_CODE		0x04d2162f
#define PD_GSS_CODE		0x04d21630

/* strnlen() is POSIX, not C99. */
static size_t
pd_strnlen(const char *s, size_t max)
{
	const char *z = memchr(s, 0, max);

	return z ? (size_t) (z - s) : max;
}

/* Find startup parameter "name" in a "name\0value\0..." list. */
static const char *
pd_param(const char *p, size_t len, const char *name)
{
	size_t		i = 0;
	int			guard;

	for (guard = 0; guard < 64 && i < len; guard++)
	{
		const char *k = p + i;
		size_t		kl = pd_strnlen(k, len - i);
		const char *val;
		size_t		vl;

		if (kl == 0 || i + kl + 1 >= len)
			break;
		val = k + kl + 1;
		vl = pd_strnlen(val, len - i - kl - 1);
		if (i + kl + 1 + vl >= len)
			break;				/* unterminated value */
		if (strcmp(k, name) == 0)
			return val;
		i += kl + 1 + vl + 1;
	}
	return NULL;
}

static int
pd_param_count(const char *p, size_t len)
{
	size_t		i = 0;
	int			n = 0;

	while (i < len && p[i] && n < 64)
	{
		size_t		kl = pd_strnlen(p + i, len - i);
		size_t		vl;

		if (i + kl + 1 >= len)
			break;
		vl = pd_strnlen(p + i + kl + 1, len - i - kl - 1);
		if (i + kl + 1 + vl >= len)
			break;
		i += kl + 1 + vl + 1;
		n++;
	}
	return n;
}

static bool
pd_param_is(const char *p, size_t len, const char *name, const char *want)
{
	const char *val = pd_param(p, len, name);

	return val != NULL && strcmp(val, want) == 0;
}

/*
 * Scanners that speak PostgreSQL, told apart by the parameters they send
 * (from their public source: zgrab2's modules/postgres, nmap's pgsql.lua,
 * Metasploit's postgres-pr, nuclei's pgsql templates).
 */
static void
pd_postgres_tool(const char *p, size_t len, PdClass *c)
{
	int			n = pd_param_count(p, len);

	if (n == 2 && pd_param_is(p, len, "client_encoding", "UTF8") &&
		pd_param_is(p, len, "datestyle", "ISO, MDY"))
		PD_SET(c->tool, "zgrab2 postgres");
	else if (n == 2 && pd_param_is(p, len, "user", "versionprobe") &&
			 pd_param_is(p, len, "database", "versionprobe"))
		PD_SET(c->tool, "nmap NSE pgsql");
	else if (pd_param_is(p, len, "user", "nuclei"))
		PD_SET(c->tool, "nuclei");
	else if (n == 2 && pd_param_is(p, len, "user", "postgres") &&
			 pd_param_is(p, len, "database", "template1"))
		PD_SET(c->tool, "metasploit postgres");
}

/* Parameters for the detail line: name=value, printable, space-separated. */
static void
pd_postgres_params(const char *p, size_t len, PdStr *d)
{
	size_t		i = 0;
	int			n = 0;

	while (i < len && p[i] && n < 16)
	{
		size_t		kl = pd_strnlen(p + i, len - i);
		size_t		vl;

		if (i + kl + 1 >= len)
			break;
		vl = pd_strnlen(p + i + kl + 1, len - i - kl - 1);
		pd_str_add(d, " ");
		pd_str_addn(d, (const uint8_t *) p + i, kl);
		pd_str_add(d, "=");
		pd_str_addn(d, (const uint8_t *) p + i + kl + 1, vl > 40 ? 40 : vl);
		i += kl + 1 + vl + 1;
		n++;
	}
}

/* A version word PostgreSQL rejected, or saw in a packet it would parse. */
static bool
pd_postgres_version(uint32_t w, PdClass *c, PdStr *d)
{
	unsigned	major = w >> 16,
				minor = w & 0xffff;

	if (w == PD_SSL_CODE || w == PD_GSS_CODE || w == PD_CANCEL_CODE)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_addf(d, "%s code where a protocol version belongs (request repeated)",
					w == PD_SSL_CODE ? "SSLRequest" : w == PD_GSS_CODE ?
					"GSSENCRequest" : "CancelRequest");
		return true;
	}
	if (w == 0x00ff00ff)
	{
		/* zgrab2 asks for 255.255 to draw the full error (its comment says so) */
		PD_SET(c->protocol, "postgres");
		PD_SET(c->tool, "zgrab2 postgres");
		pd_str_add(d, "protocol 255.255");
		return true;
	}
	if ((major <= 2 || (major >= 4 && major <= 9)) && minor <= 0xff)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_addf(d, "protocol %u.%u%s", major, minor,
					major == 2 ? " (clients before PostgreSQL 7.4)" :
					major == 0 && minor == 0 ? " (no real client sends this)" : "");
		return true;
	}
	return false;
}

static bool
pd_rule_postgres(const PdView *v, int kind, const PdProbe *probe, PdClass *c)
{
	PdStr		d;
	long long	len = pd_be32(v, 0);
	long long	w = pd_be32(v, 4);

	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (pd_kind_is_auth(kind))
	{
		/* a client that got as far as authentication: only who it is */
		PD_SET(c->protocol, "postgres");
		if (probe->params)
			pd_postgres_tool(probe->params, probe->params_len, c);
		return true;
	}
	if (kind == PD_KIND_MISSING_USER || kind == PD_KIND_INVALID_LAYOUT)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, kind == PD_KIND_MISSING_USER ?
				   "StartupMessage without a user name" :
				   "StartupMessage with a bad layout");
		if (probe->params)
		{
			pd_str_add(&d, ":");
			pd_postgres_params(probe->params, probe->params_len, &d);
			pd_postgres_tool(probe->params, probe->params_len, c);
		}
		return true;
	}
	if (w < 0)
		return false;
	if (kind == PD_KIND_UNSUPPORTED_PROTOCOL)
		return pd_postgres_version((uint32_t) w, c, &d);

	/* Whole stream: what would PostgreSQL make of it? */
	if (v->off != 0 || len < 8 || len > 10004)
		return false;
	if (w == PD_SSL_CODE && len == 8)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "SSLRequest");
		return true;
	}
	if (w == PD_GSS_CODE && len == 8)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "GSSENCRequest");
		return true;
	}
	if (w == PD_CANCEL_CODE && len == 16)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "CancelRequest");
		return true;
	}
	if ((w >> 16) == 3 && (size_t) len <= pd_end(v) && pd_at(v, len - 1) == 0)
	{
		const char *p = (const char *) v->b + 8;
		size_t		pl = (size_t) len - 8;

		PD_SET(c->protocol, "postgres");
		pd_str_addf(&d, "StartupMessage 3.%lld", w & 0xffff);
		pd_postgres_params(p, pl, &d);
		pd_postgres_tool(p, pl, c);
		return true;
	}
	if (pd_end(v) >= 8 && pd_postgres_version((uint32_t) w, c, &d))
		return true;
	return false;
}

/* ----- nmap's probes, by fingerprint ------------------------------------ */

const char *
pd_nmap_probe_name(const PdProbe *probe)
{
	const uint8_t *p;
	size_t		n;
	uint64_t	h[PD_NMAP_HASHED_MAX + 1];
	size_t		k;
	int			i;

	/* the bytes after the first four */
	if (probe->offset == 4)
	{
		p = probe->bytes;
		n = probe->len;
	}
	else if (probe->offset == 0 && probe->len >= 4)
	{
		p = probe->bytes + 4;
		n = probe->len - 4;
	}
	else
		return NULL;

	h[0] = UINT64_C(0xcbf29ce484222325);
	for (k = 0; k < n && k < PD_NMAP_HASHED_MAX; k++)
		h[k + 1] = (h[k] ^ p[k]) * UINT64_C(0x100000001b3);

	for (i = 0; i < pd_nmap_probe_count; i++)
	{
		const PdNmapProbe *np = &pd_nmap_probes[i];

		if (n >= np->hashed && n <= (size_t) np->length - 4 &&
			h[np->hashed] == np->hash &&
			(n == (size_t) np->length - 4 || n >= PD_NMAP_HASHED_MAX))
			return np->name;
	}
	return NULL;
}

/* ----- the entry point -------------------------------------------------- */

typedef bool (*PdRule) (const PdView *v, PdClass *c);

/* Most specific first; each needs evidence no other protocol produces. */
static const PdRule pd_rules[] = {
	pd_rule_tls, pd_rule_sslv2, pd_rule_http2, pd_rule_http, pd_rule_ssh,
	pd_rule_smb, pd_rule_kerberos, pd_rule_rdp, pd_rule_redis,
	pd_rule_mongodb, pd_rule_mssql, pd_rule_oracle, pd_rule_cassandra,
	pd_rule_kafka, pd_rule_amqp, pd_rule_mqtt, pd_rule_stomp, pd_rule_ldap,
	pd_rule_dns, pd_rule_socks, pd_rule_java_rmi, pd_rule_onc_rpc,
	pd_rule_ajp, pd_rule_bittorrent, pd_rule_distcc, pd_rule_vnc,
	pd_rule_telnet, pd_rule_memcached, pd_rule_x11, pd_rule_text,
};

static void
pd_clear(PdClass *c)
{
	c->protocol[0] = '\0';
	c->tool[0] = '\0';
	c->detail[0] = '\0';
}

void
pd_classify(const PdProbe *probe, PdClass *out)
{
	PdView		v;
	const char *nmap;
	size_t		i;
	bool		found = false;

	pd_clear(out);
	if (probe->offset != 0 && probe->offset != 4)
		return;
	v.b = probe->bytes;
	v.len = probe->bytes ? probe->len : 0;
	v.off = probe->offset;

	/* byte-level rules; PostgreSQL's own protocol after the others */
	for (i = 0; i < sizeof(pd_rules) / sizeof(pd_rules[0]) && !found; i++)
	{
		if (v.len == 0)
			break;
		found = pd_rules[i] (&v, out);
		if (!found)
			pd_clear(out);
	}
	if (!found)
	{
		found = pd_rule_postgres(&v, probe->kind, probe, out);
		if (!found)
			pd_clear(out);
	}

	/* nmap's exact probe names the tool (and the protocol, if unknown) */
	nmap = pd_nmap_probe_name(probe);
	if (nmap)
	{
		size_t		j;

		for (j = 0; j < (size_t) pd_nmap_probe_count; j++)
			if (pd_nmap_probes[j].name == nmap)
				break;
		out->tool[0] = '\0';
		pd_set(out->tool, sizeof(out->tool), "nmap -sV ");
		{
			PdStr		s;

			pd_str_init(&s, out->tool, sizeof(out->tool));
			pd_str_add(&s, nmap);
		}
		/* the probe's own target beats what its bytes look like to us */
		if (j < (size_t) pd_nmap_probe_count && pd_nmap_probes[j].protocol)
			PD_SET(out->protocol, pd_nmap_probes[j].protocol);
		if (!out->detail[0])
			PD_SET(out->detail, "nmap service probe");
	}
}
