/*-------------------------------------------------------------------------
 *
 * web.c
 *	  Request-line protocols: HTTP/1.x, HTTP/2 prior knowledge, RTSP and
 *	  SIP.  The tool their User-Agent names is the tool pass's (tools.c).
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* ----- request lines ---------------------------------------------------- */

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

bool
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

	if (!v->line || v->line_n < 10)
		return false;
	n = v->line_n;
	next = v->line_next;

	/* Which methods fit what we see of the line? */
	for (m = 0; m < lengthof_(pd_methods); m++)
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
	}
	return true;
}

/* HTTP/2 prior knowledge: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
bool
pd_rule_http2(const PdView *v, PdClass *c)
{
	if (PD_IS(v, 0, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") ||
		PD_IS(v, 4, "* HTTP/2.0\r\n\r\nSM\r\n\r\n"))
		return pd_found(c, "http2",
				"HTTP/2 connection preface (prior knowledge)");
	return false;
}
