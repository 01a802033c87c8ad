/*
 * unit_classify.c
 *	  Table-driven tests of the classifier (classify/); no server needed.
 *
 * Cases come from four places:
 *  - unit/captures.tsv: real clients' first bytes, captured here;
 *  - the installed nmap-service-probes (skipped, and said so, if absent):
 *    every TCP probe nmap -sV --version-all sends to a PostgreSQL port;
 *  - crafted edge cases below;
 *  - seeded random bytes, which must stay unclassified.
 * Each case is fed whole and with its first four bytes removed, as the server
 * sees it after consuming a length word.
 *
 * Usage: unit_classify [-v] [captures.tsv] [nmap-service-probes]
 * Prints failures and a closing "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd_classify.h"
#include "classify/catalogue.h"
#include "pd_labels.h"

static int	passed;
static int	failed;
static int	verbose;

typedef struct Expect
{
	const char *name;
	const char *protocol;		/* "" = must stay unclassified */
	const char *tool;			/* exactly; NULL = not checked; "" = none */
	const char *detail;			/* substring; NULL = not checked */
	const char *protocol4;		/* when the first four bytes are gone, if
								 * different: "" = no guess expected */
	const char *tool4;
	const char *server;			/* what the server's own view of the bytes
								 * (server_view) names, if that is not what
								 * it would be without the first four */
} Expect;

static int	unlabelled;

/* strnlen() is POSIX, not C99 */
static size_t
nlen(const uint8_t *s, size_t max)
{
	const uint8_t *z = memchr(s, 0, max);

	return z ? (size_t) (z - s) : max;
}

static void
report(int ok, const char *name, const char *how, const PdClass *c,
	   const char *want_p, const char *want_t, const char *want_d)
{
	/* every protocol the classifier gives has its own metric label */
	if (c->protocol[0] &&
		strcmp(pd_protocol_labels[pd_protocol_label(c->protocol)], c->protocol) != 0)
	{
		printf("FAIL %-32s %-6s protocol=%s has no label in pd_labels.c\n",
			   name, how, c->protocol);
		unlabelled++;
		failed++;
	}
	/* and every tool it names is one of tools.c's table */
	if (c->tool[0] && !pd_tool_known(c->tool))
	{
		printf("FAIL %-32s %-6s tool=%s is not in classify/tools.c's table\n",
			   name, how, c->tool);
		failed++;
	}
	if (ok)
		passed++;
	else
		failed++;
	if (!ok || verbose)
		printf("%s %-32s %-6s protocol=%s tool=%s detail=%s%s%s%s%s%s%s\n",
			   ok ? "ok  " : "FAIL", name, how, c->protocol, c->tool, c->detail,
			   ok ? "" : "  [want protocol=", ok ? "" : want_p,
			   ok ? "" : " tool=", ok ? "" : (want_t ? want_t : "*"),
			   ok || !want_d ? "" : " detail~", ok || !want_d ? "" : want_d);
	if (!ok)
		printf("\n");
}

/*
 * What PostgreSQL 15 (pd_capture.c, pd_hooks.c) hands the classifier when a
 * client sends b and nothing more: the kind of rejection and the bytes or
 * parameters left.  False if the server records nothing it classifies
 * (fewer than four bytes, a packet still incomplete, a valid start-up
 * packet, a cancel request).  An SSLRequest or GSSENCRequest followed by
 * more bytes is rejected as unencrypted data after the request, with the
 * rest at offset 0 of its own.
 */
static bool
server_view(const uint8_t *b, size_t n, PdProbe *pr, char *params, size_t cap)
{
	long		len;
	uint32_t	ver;

	memset(pr, 0, sizeof(*pr));
	if (n < 4)
		return false;
	len = (long) (((uint32_t) b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
	if (b[0] & 0x80 || len < 8 || len > 10004)
	{
		pr->kind = PD_KIND_INVALID_LENGTH;
		pr->bytes = b + 4;
		pr->len = n - 4;
		pr->offset = 4;
		return true;
	}
	if ((size_t) len > n)
		return false;			/* incomplete startup packet: no bytes */
	ver = ((uint32_t) b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7];
	if ((ver == 0x04d2162f || ver == 0x04d21630) && len == 8)
	{
		if (n == 8)
			return false;
		pr->kind = PD_KIND_UNENCRYPTED_AFTER_REQUEST;
		pr->bytes = b + 8;
		pr->len = n - 8;
		pr->offset = 0;
		return true;
	}
	if (ver == 0x04d2162e)
		return false;
	if ((ver >> 16) == 3)
	{
		/* ProcessStartupPacket: name\0value\0 ... \0 */
		size_t		off = 8;
		size_t		out = 0;
		bool		user = false;

		while (off < (size_t) len)
		{
			const uint8_t *nm = b + off;
			size_t		nl = nlen(nm, (size_t) len - off);
			size_t		vl;

			if (nl == 0 || off + nl >= (size_t) len)
				break;
			vl = nlen(nm + nl + 1, (size_t) len - off - nl - 1);
			if (off + nl + 1 + vl >= (size_t) len)
				break;
			if (nl == 4 && memcmp(nm, "user", 4) == 0)
				user = true;
			if (out + nl + vl + 2 <= cap)
			{
				memcpy(params + out, nm, nl + 1 + vl + 1);
				out += nl + vl + 2;
			}
			off += nl + 1 + vl + 1;
		}
		pr->params = out ? params : NULL;
		pr->params_len = out;
		pr->offset = 4;
		if (off != (size_t) len - 1)
			pr->kind = PD_KIND_INVALID_LAYOUT;
		else if (!user)
			pr->kind = PD_KIND_MISSING_USER;
		else
			return false;		/* on to authentication */
		return true;
	}
	pr->kind = PD_KIND_UNSUPPORTED_PROTOCOL;
	pr->bytes = b + 4;
	pr->len = 4;
	pr->offset = 4;
	return true;
}

/* The server's view: what it names, or "" when it records nothing. */
static void
check_server(const char *name, const uint8_t *b, size_t n, const char *want)
{
	PdProbe		pr;
	PdClass		c;
	char		params[1024];

	if (!server_view(b, n, &pr, params, sizeof(params)))
	{
		memset(&c, 0, sizeof(c));
		report(want[0] == 0, name, "server", &c, want, NULL, NULL);
		return;
	}
	pd_classify(&pr, &c);
	report(strcmp(c.protocol, want) == 0, name, "server", &c, want, NULL, NULL);
}

/*
 * Classify bytes as sent (offset 0), as PostgreSQL keeps them after a
 * length word (offset 4), and as the server would really see them.
 */
static void
check(const char *name, int kind, const uint8_t *b, size_t n, const Expect *e)
{
	PdProbe		pr = {.kind = kind, .bytes = b, .len = n, .offset = 0,
						   .params = NULL, .params_len = 0};
	PdClass		c;
	const char *p4 = e->protocol4 ? e->protocol4 : e->protocol;
	const char *t4 = e->protocol4 ? e->tool4 : e->tool;

	/* a ClientHello's JA4 needs none of the first four bytes */
	const char *d4 = e->detail && strncmp(e->detail, "ja4=", 4) == 0 ?
		e->detail : NULL;

	pd_classify(&pr, &c);
	report(strcmp(c.protocol, e->protocol) == 0 &&
		   (e->tool == NULL || strcmp(c.tool, e->tool) == 0) &&
		   (e->detail == NULL || strstr(c.detail, e->detail) != NULL),
		   name, "whole", &c, e->protocol, e->tool, e->detail);

	if (n < 4)
		return;
	pr.bytes = b + 4;
	pr.len = n - 4;
	pr.offset = 4;
	pd_classify(&pr, &c);
	report(strcmp(c.protocol, p4) == 0 &&
		   (t4 == NULL || strcmp(c.tool, t4) == 0) &&
		   (d4 == NULL || strstr(c.detail, d4) != NULL),
		   name, "minus4", &c, p4, t4, d4);

	if (kind == PD_KIND_NONE)
	{
		const char *sv = e->server;

		if (sv == NULL)
		{
			PdProbe		sp;
			char		params[1024];

			/* an invalid length leaves what minus4 saw; anything else "" */
			sv = server_view(b, n, &sp, params, sizeof(params)) &&
				sp.kind == PD_KIND_INVALID_LENGTH ? p4 : "";
		}
		check_server(name, b, n, sv);
	}
}

static size_t
unhex(const char *h, uint8_t *out, size_t max)
{
	size_t		n = 0;

	while (h[0] && h[1] && n < max)
	{
		unsigned	v;

		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t) v;
		h += 2;
	}
	return n;
}

/* ---- real clients -------------------------------------------------------- */

/* What the classifier should say about each capture (captures.tsv names). */
static const Expect capture_expect[] = {
	{"curl_http", "http", "curl", "Host: 127.0.0.1:18000"},
	/*
	 * TLS ClientHellos: each JA4 is what FoxIO's reference implementation
	 * (python/ja4.py of FoxIO-LLC/ja4 at 0e54bc8, on tshark 4.0.17) printed
	 * for a pcap of the same bytes (captures.tsv's header).  Go's two and
	 * upstream Python's are also rows of FoxIO's ja4plus-mapping.csv
	 * ("GoLang", "Python"), verbatim.  The JA4 must survive the loss of
	 * the first four bytes too (check()).
	 */
	{"curl_https", "tls", "", "ja4=t13i3111h2_e8f1e7e78f70_b26ce05bbdd6 alpn=h2,http/1.1"},
	{"curl_https_sni", "tls", "", "ja4=t13d3112h2_e8f1e7e78f70_b26ce05bbdd6 sni=example.com alpn=h2,http/1.1"},
	{"python_urllib_https", "tls", "", "ja4=t13i311000_e8f1e7e78f70_d41ae481755e"},
	{"python_ssl_sni", "tls", "", "ja4=t13d311100_e8f1e7e78f70_d41ae481755e sni=example.com"},
	{"python_upstream_urllib_https", "tls", "python-ssl", "ja4=t13i181000_85036bcba153_d41ae481755e"},
	{"go_tls_sni", "tls", "go-tls", "ja4=t13d190900_9dc949149365_97f8aa674fd9 sni=example.com"},
	{"go_tls_ip", "tls", "go-tls", "ja4=t13i190800_9dc949149365_97f8aa674fd9"},
	{"curl_http2_prior_knowledge", "http2", ""},
	{"curl_http_proxy_connect", "http", "curl", "CONNECT"},
	{"curl_rtsp", "rtsp", "curl"},
	{"curl_mqtt", "mqtt", "curl", "client id curl"},
	{"curl_socks4", "socks4", "", NULL, "", ""},
	{"curl_socks4a", "socks4", "", NULL},
	{"curl_socks5", "socks5", "", NULL, "", ""},
	{"wget_http", "http", "wget", "User-Agent: Wget/1.21.3"},
	{"python_urllib", "http", "python-urllib", "Python-urllib/3.11"},
	{"git_http_smart", "http", "git"},
	{"ssh_openssh", "ssh", "openssh", "SSH-2.0-OpenSSH_9.2p1"},
	{"openssl_tls_sni_alpn", "tls", "", "ja4=t13d3111h2_e8f1e7e78f70_1f22a2ca17c4 sni=example.com alpn=h2,http/1.1"},
	{"openssl_starttls_postgres", "postgres", "", "SSLRequest", "", ""},
	{"psql_sslmode_disable", "postgres", "", "StartupMessage 3.0", "", ""},
	{"psql_sslmode_prefer", "postgres", "", "SSLRequest", "", ""},
	{"smbclient_default", "smb2", "", NULL, NULL, NULL, "smb2"},
	{"smbclient_smb2", "smb2", "", NULL, NULL, NULL, "smb2"},
	{"smbclient_nt1", "smb1", "", NULL, NULL, NULL, "smb1"},
	{"redis_cli_ping", "redis", "", "PING"},
	{"ldapsearch_anon", "ldap", "", "bindRequest"},
	{"ldapsearch_starttls", "ldap", "", "StartTLS"},
	{"dig_tcp", "dns", ""},
	{"mosquitto_pub", "mqtt", ""},
	{"kcat_metadata", "kafka", "librdkafka", "rdkafka", NULL, NULL, "kafka"},
	{"amqp_publish", "amqp", ""},
	{"xfreerdp_authonly", "rdp", "", "mstshash=x"},
	{"rdesktop", "rdp", "", "mstshash=root"},
	{"telnet_port23", "telnet", ""},
	{"telnet_forced_negotiation", "telnet", ""},
	{"git_daemon", "git", "", "git-upload-pack"},
	{"rsync_daemon", "rsync", "rsync", "@RSYNCD: 32.0"},
	{"kinit_tcp", "kerberos", "", NULL, NULL, NULL, "kerberos"},
	{"memcstat", "memcached", "", NULL},
	{"memcstat_binary", "memcached", "", "binary version", "", ""},
	{"tsql_mssql", "mssql", ""},
	{"distcc", "distcc", ""},
	{"ii_irc", "irc", ""},
	{"x11_xdpyinfo", "x11", "", NULL, "", ""},
	{"kafka_python", "kafka", "kafka-python", "kafka-python", NULL, NULL, "kafka"},
	{"mbpoll_modbus", "modbus", "", "function 3"},
	{"echoscu_dicom", "dicom", "", "ECHOSCU"},
	{"impacket_epm_bind", "dcerpc", "", "epmapper"},
	{"pyzmq_req", "zeromq", "", "ZMTP signature"},
};

static void
run_captures(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[8192];
	int			rows = 0;

	if (!f)
	{
		printf("FAIL cannot open %s\n", path);
		failed++;
		return;
	}
	while (fgets(line, sizeof(line), f))
	{
		char	   *fields[5];
		char	   *p = line;
		int			k;
		size_t		i;
		static uint8_t buf[4096];
		size_t		n;

		if (line[0] == '#' || strncmp(line, "name\t", 5) == 0)
			continue;
		for (k = 0; k < 5; k++)
		{
			fields[k] = p;
			p = strchr(p, k < 4 ? '\t' : '\n');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (k < 4)
			continue;
		n = unhex(fields[4], buf, sizeof(buf));
		for (i = 0; i < sizeof(capture_expect) / sizeof(capture_expect[0]); i++)
			if (strcmp(capture_expect[i].name, fields[0]) == 0)
				break;
		if (i == sizeof(capture_expect) / sizeof(capture_expect[0]))
		{
			printf("FAIL capture %s has no expectation\n", fields[0]);
			failed++;
			continue;
		}
		check(fields[0], PD_KIND_NONE, buf, n, &capture_expect[i]);
		rows++;
	}
	fclose(f);
	if (rows < 40)
	{
		printf("FAIL only %d captures in %s\n", rows, path);
		failed++;
	}
}

/* ---- nmap's probes ------------------------------------------------------- */

/*
 * The 60 TCP probes nmap -sV --version-all sends to a PostgreSQL port
 * (shared/groundtruth), and newer ones for protocols with rules, with the
 * protocol we expect.  The tool must be
 * "nmap -sV <name>" whenever at least 8 bytes follow the first four (fewer
 * would not be nmap's alone), except for X11Probe, which a real X client
 * without authorization sends byte for byte.
 * "server" is what we expect from the version word alone, for the probes
 * whose first four bytes PostgreSQL accepts as a length.
 */
typedef struct NmapExpect
{
	const char *name;
	const char *protocol;
	const char *server;			/* NULL: PostgreSQL rejects the length */
	const char *minus4;			/* without the first four bytes, if
								 * different */
} NmapExpect;

static const NmapExpect nmap_expect[] = {
	{"GenericLines", ""}, {"GetRequest", "http"}, {"HTTPOptions", "http"},
	{"RTSPRequest", "rtsp"}, {"RPCCheck", "onc-rpc"},
	{"DNSVersionBindReqTCP", "dns"}, {"DNSStatusRequestTCP", "dns"},
	{"Hello", "smtp", NULL, ""}, {"Help", ""}, {"SSLSessionReq", "tls"},
	{"TerminalServerCookie", "rdp"}, {"TLSSessionReq", "tls"},
	{"SSLv23SessionReq", "tls"}, {"Kerberos", "kerberos", "kerberos"},
	{"SMBProgNeg", "smb1", "smb1"}, {"X11Probe", "x11", NULL, ""},
	{"FourOhFourRequest", "http"}, {"LPDString", ""},
	{"LDAPSearchReq", "ldap"}, {"LDAPBindReq", "ldap"}, {"SIPOptions", "sip"},
	{"LANDesk-RC", "landesk"}, {"TerminalServer", "rdp"}, {"NCP", "ncp"},
	{"NotesRPC", "notes-rpc"}, {"DistCCD", "distcc"}, {"JavaRMI", "java-rmi"},
	{"Radmin", ""}, {"NessusTPv12", "nessus"}, {"NessusTPv11", "nessus"},
	{"NessusTPv10", "nessus"}, {"WMSRequest", "mms"},
	{"oracle-tns", "oracle-tns"}, {"mydoom", ""},
	{"WWWOFFLEctrlstat", ""}, {"Verifier", ""}, {"VerifierAdvanced", ""},
	{"Socks5", "socks5"}, {"Socks4", "socks4"}, {"OfficeScan", "http"},
	{"ms-sql-s", "mssql"}, {"HELP4STOMP", ""}, {"Memcache", "memcached", NULL, ""},
	{"beast2", ""}, {"firebird", "firebird"}, {"ibm-db2-das", "db2"},
	{"ibm-db2", "db2"}, {"pervasive-relational", "pervasive"},
	{"pervasive-btrieve", "pervasive"}, {"ajp", "ajp", NULL, ""}, {"hp-pjl", "pjl"},
	{"afp", "afp"}, {"SqueezeCenter_CLI", ""}, {"Arucer", ""},
	{"dominoconsole", ""}, {"informix", "informix"}, {"drda", "drda"},
	{"ibm-mqseries", "mqseries"}, {"apple-iphoto", "http"},
	{"ZendJavaBridge", "zend-java-bridge", "postgres"},
	/* newer probes for the protocols of classify/'s later rules */
	{"mongodb", "mongodb"}, {"redis-server", "redis"},
	{"couchbase-data", "memcached"}, {"riak-pbc", ""}, {"giop", "giop"},
	{"pcworx", "pcworx"}, {"niagara-fox", "niagara-fox"}, {"mqtt", "mqtt"},
};

static size_t
nmap_unescape(const char *s, uint8_t *out, size_t max)
{
	size_t		n = 0;

	while (*s && n < max)
	{
		if (*s != '\\')
		{
			out[n++] = (uint8_t) *s++;
			continue;
		}
		s++;
		switch (*s)
		{
			case '0':
				out[n++] = 0;
				s++;
				break;
			case 'r':
				out[n++] = '\r';
				s++;
				break;
			case 'n':
				out[n++] = '\n';
				s++;
				break;
			case 't':
				out[n++] = '\t';
				s++;
				break;
			case 'x':
				{
					unsigned	v;

					if (sscanf(s + 1, "%2x", &v) != 1)
						return n;
					out[n++] = (uint8_t) v;
					s += 3;
					break;
				}
			default:
				if (*s)
					out[n++] = (uint8_t) *s++;
				break;
		}
	}
	return n;
}

static void
run_nmap(const char *path)
{
	FILE	   *f = fopen(path, "r");
	static char line[16384];
	int			found = 0;
	size_t		k;

	if (!f)
	{
		printf("SKIP nmap probes: %s not found (install nmap)\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f))
	{
		char		name[64];
		char	   *q;
		char	   *e;
		static uint8_t buf[8192];
		size_t		n;

		if (sscanf(line, "Probe TCP %63s q|", name) != 1)
			continue;
		for (k = 0; k < sizeof(nmap_expect) / sizeof(nmap_expect[0]); k++)
			if (strcmp(nmap_expect[k].name, name) == 0)
				break;
		if (k == sizeof(nmap_expect) / sizeof(nmap_expect[0]))
			continue;
		q = strstr(line, "q|") + 2;
		e = strrchr(q, '|');
		if (!e)
			continue;
		*e = '\0';
		n = nmap_unescape(q, buf, sizeof(buf));
		found++;
		{
			char		tool[96];
			char		label[80];
			Expect		ex;
			bool		pg_takes_length;
			long		len = n >= 4 ? (long) ((buf[0] << 24) | (buf[1] << 16) |
											 (buf[2] << 8) | buf[3]) : -1;

			snprintf(tool, sizeof(tool), "nmap -sV %s", name);
			snprintf(label, sizeof(label), "nmap %s", name);
			ex.name = name;
			ex.protocol = nmap_expect[k].protocol;
			ex.tool = n >= 12 && strcmp(name, "X11Probe") != 0 ? tool : "";
			ex.detail = NULL;
			ex.protocol4 = nmap_expect[k].minus4;
			ex.tool4 = ex.tool;
			ex.server = nmap_expect[k].server;
			check(label, PD_KIND_NONE, buf, n, &ex);

			/* as the server sees it: version word only, if the length fits */
			pg_takes_length = len >= 8 && len <= 10004;
			if (pg_takes_length != (nmap_expect[k].server != NULL))
			{
				printf("FAIL nmap %s: length word %ld %s\n", name, len,
					   pg_takes_length ? "is accepted" : "is rejected");
				failed++;
			}
			else if (pg_takes_length)
			{
				PdProbe		pr = {.kind = PD_KIND_UNSUPPORTED_PROTOCOL, .bytes = buf + 4, .len = 4, .offset = 4,
						   .params = NULL, .params_len = 0};
				PdClass		c;

				pd_classify(&pr, &c);
				report(strcmp(c.protocol, nmap_expect[k].server) == 0 && c.tool[0] == 0,
					   label, "server", &c, nmap_expect[k].server, "", NULL);
			}
		}
	}
	fclose(f);
	if (found != (int) (sizeof(nmap_expect) / sizeof(nmap_expect[0])))
	{
		printf("FAIL found %d of %d nmap probes in %s\n", found,
			   (int) (sizeof(nmap_expect) / sizeof(nmap_expect[0])), path);
		failed++;
	}
}

/* ---- crafted cases ------------------------------------------------------- */

typedef struct Crafted
{
	const char *name;
	int			kind;
	const char *bytes;
	size_t		len;
	Expect		e;
} Crafted;

#define B(s) s, sizeof(s) - 1

static const Crafted crafted[] = {
	/* HTTP from scanners and tools, by User-Agent */
	{"zgrab http", 0, B("GET / HTTP/1.1\r\nHost: 192.0.2.1:5432\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\n\r\n"),
	{"", "http", "zgrab", "GET / HTTP/1.1; Host: 192.0.2.1:5432"}},
	{"censys http", 0, B("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)\r\n\r\n"),
	{"", "http", "censys", "CensysInspect/1.1"}},
	{"nmap NSE http", 0, B("GET /nice%20ports%2C/Tri%6Eity.txt%2ebak HTTP/1.0\r\nUser-Agent: Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)\r\n\r\n"),
	{"", "http", "nmap NSE"}},
	{"masscan http", 0, B("GET / HTTP/1.0\r\nUser-Agent: masscan/1.3 (https://github.com/robertdavidgraham/masscan)\r\nAccept: */*\r\n\r\n"),
	{"", "http", "masscan", "masscan/1.3"}},
	{"python-requests", 0, B("GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: python-requests/2.28.1\r\n\r\n"),
	{"", "http", "python-requests", "python-requests/2.28.1"}},
	{"go http", 0, B("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n"),
	{"", "http", "go-http-client", "Go-http-client/1.1"}},
	{"http POST", 0, B("POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
	{"", "http", "", "/login HTTP/1.1", "http", ""}},
	{"http DELETE", 0, B("DELETE /x HTTP/1.1\r\n\r\n"), {"", "http", "", "DELETE /x"}},
	{"http proxy absolute URI", 0, B("GET http://example.com/ HTTP/1.1\r\n\r\n"),
	{"", "http", "", "GET http://example.com/ HTTP/1.1"}},
	{"memcached stats", 0, B("stats\r\n"), {"", "memcached", "", "stats", "", ""}},
	{"http no method", 0, B("FOO / HTTP/1.1\r\n\r\n"), {"", "", "", NULL, "http", ""}},
	{"http lowercase version", 0, B("GET / http/1.1\r\n\r\n"), {"", "", ""}},
	{"sip options", 0, B("OPTIONS sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP x\r\nUser-Agent: friendly-scanner\r\n\r\n"),
	{"", "sip", "sipvicious", "friendly-scanner"}},
	/* SSH banners */
	{"ssh libssh", 0, B("SSH-2.0-libssh_0.10.4\r\n"), {"", "ssh", "libssh", "libssh_0.10.4"}},
	{"ssh paramiko", 0, B("SSH-2.0-paramiko_3.1.0\r\n"), {"", "ssh", "paramiko", "paramiko_3.1.0"}},
	{"ssh go", 0, B("SSH-2.0-Go\r\n"), {"", "ssh", "go"}},
	{"ssh zgrab", 0, B("SSH-2.0-ZGrab ZGrab SSH Survey\r\n"), {"", "ssh", "zgrab"}},
	{"ssh 1.99", 0, B("SSH-1.99-OpenSSH_3.9p1\n"), {"", "ssh", "openssh", "OpenSSH_3.9p1"}},
	{"ssh no newline", 0, B("SSH-2.0-OpenSSH_9.2p1"), {"", "", "", NULL, "", ""}},
	/* RDP */
	{"rdp nmap -sV cookie", 0, B("\x03\0\0*%\xe0\0\0\0\0\0Cookie: mstshash=nmap\r\n\x01\0\x08\0\x03\0\0\0"),
	{"", "rdp", "nmap -sV TerminalServerCookie", "mstshash=nmap"}},
	/* PostgreSQL's own protocol */
	{"pg startup zgrab2", 0, B("\0\0\0\x31\0\x03\0\0client_encoding\0UTF8\0datestyle\0ISO, MDY\0\0"),
	{"", "postgres", "zgrab2 postgres", "StartupMessage 3.0", "", "", "postgres"}},
	{"pg startup nmap NSE", 0, B("\0\0\0\x31\0\x03\0\0user\0versionprobe\0database\0versionprobe\0\0"),
	{"", "postgres", "nmap NSE", NULL, "", ""}},
	{"pg startup template1 (metasploit, hydra, medusa)", 0, B("\0\0\0\x2a\0\x03\0\0user\0postgres\0database\0template1\0\0"),
	{"", "postgres", "", "database=template1", "", ""}},
	{"pg cancel", 0, B("\0\0\0\x10\x04\xd2\x16\x2e\0\0\x30\x39\0\0\0\x01"), {"", "postgres", "", "CancelRequest", "", ""}},
	{"pg gssenc", 0, B("\0\0\0\x08\x04\xd2\x16\x30"), {"", "postgres", "", "GSSENCRequest", "", ""}},
	{"pg v2 startup", 0, B("\0\0\0\x08\0\x02\0\0"), {"", "postgres", "", "protocol 2.0", "", "", "postgres"}},
	/* version words as the server reports them */
	{"version 0.0", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\0\0\0\0"), {"", "postgres", "", "protocol 0.0"}},
	{"version 255.255", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\0\xff\0\xff"), {"", "postgres", "zgrab2 postgres"}},
	{"version 1234.5679", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\x04\xd2\x16\x2f"), {"", "postgres", "", "SSLRequest code"}},
	/* no PostgreSQL protocol 4.0 exists, and X.Y is also a Kafka api key and version */
	{"version 4.0", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\0\x04\0\0"), {"", "", ""}},
	{"version 2.1", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\0\x02\0\x01"), {"", "", ""}},
	{"version kafka OffsetFetch v0 (kafka-python's probe)", PD_KIND_UNSUPPORTED_PROTOCOL,
	B("\0\0\0\x3c\0\x09\0\0"), {"", "", ""}},
	{"version kafka Fetch v11", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x3c\0\x01\0\x0b"), {"", "", ""}},
	{"version 1.0", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x08\0\x01\0\0"), {"", "postgres", "", "protocol 1.0"}},
	{"version \\xfeSMB", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x68\xfeSMB"), {"", "smb2", ""}},
	{"version kafka", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x20\0\x12\0\x03"), {"", "kafka", ""}},
	{"version random", PD_KIND_UNSUPPORTED_PROTOCOL, B("\0\0\0\x20\x9a\x31\xc4\x07"), {"", "", ""}},
	/* other protocols, hand-made from their specifications */
	{"mongodb OP_MSG hello", 0, B("\x3a\0\0\0\x01\0\0\0\0\0\0\0\xdd\x07\0\0\0\0\0\0\0\x25\0\0\0\x10hello\0\x01\0\0\0\x02$db\0\x06\0\0\0admin\0\0"),
	{"", "mongodb", "", "OP_MSG hello"}},
	{"mongodb OP_QUERY", 0, B("\x3f\0\0\0\x01\0\0\0\0\0\0\0\xd4\x07\0\0\0\0\0\0admin.$cmd\0\0\0\0\0\x01\0\0\0\x15\0\0\0\x10isMaster\0\x01\0\0\0\0"),
	{"", "mongodb", "", "admin.$cmd"}},
	{"oracle tns", 0, B("\0\x5a\0\0\x01\0\0\0\x01\x36\x01\x2c\0\0\x08\0\x7f\xff\x7f\x08\0\0\0\x01\0\x20\0\x3a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0(DESCRIPTION=(CONNECT_DATA=(SID=ORCL)))"),
	{"", "oracle-tns", "", "(DESCRIPTION"}},
	{"cassandra options", 0, B("\x04\0\0\0\x05\0\0\0\0"), {"", "cassandra", "", "OPTIONS"}},
	{"amqp 0-9-1", 0, B("AMQP\0\0\x09\x01"), {"", "amqp", ""}},
	{"stomp connect", 0, B("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0"), {"", "stomp", ""}},
	{"java rmi", 0, B("JRMI\0\x02K"), {"", "java-rmi", ""}},
	{"bittorrent", 0, B("\x13" "BitTorrent protocol\0\0\0\0\0\x10\0\x05" "aaaaaaaaaaaaaaaaaaaa-qB4250-abcdefghijkl"),
	{"", "bittorrent", "", "-qB4250-"}},
	{"ajp forward", 0, B("\x12\x34\0\x20\x02\x02\0\x08HTTP/1.1\0\0\x01/\0\0\x09localhost\0"), {"", "ajp", "", "forward"}},
	{"vnc client version", 0, B("RFB 003.008\n"), {"", "vnc", ""}},
	{"imap capability", 0, B("a001 CAPABILITY\r\n"), {"", "imap", "", NULL, "imap", ""}},
	{"smtp ehlo", 0, B("EHLO scanner.example\r\n"), {"", "smtp", "", NULL, "", ""}},
	{"pop3 capa", 0, B("CAPA\r\n"), {"", "pop3", "", NULL, "", ""}},
	{"irc", 0, B("NICK scan\r\nUSER scan 0 * :scan\r\n"), {"", "irc", "", NULL, "irc", ""}},
	/* nothing to go on */
	{"empty", 0, "", 0, {"", "", ""}},
	{"one byte", 0, B("\x16"), {"", "", ""}},
	{"four zero bytes", 0, B("\0\0\0\0"), {"", "", ""}},
	{"all zeros", 0, B("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), {"", "", ""}},
	{"all 0xff", 0, B("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), {"", "", ""}},
	{"crlf only", 0, B("\r\n\r\n"), {"", "", ""}},
	{"tls truncated header", 0, B("\x16\x03\x01\x02\0\x01\0\x01"), {"", "", "", NULL, "", ""}},
	{"plain text", 0, B("hello there, this is not a protocol\n"), {"", "", ""}},
};

static void
run_crafted(void)
{
	size_t		i;

	for (i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++)
	{
		const Crafted *c = &crafted[i];

		if (c->kind == PD_KIND_UNSUPPORTED_PROTOCOL)
		{
			/* the server's view: just the version word at offset 4 */
			PdProbe		pr = {.kind = c->kind, .bytes = (const uint8_t *) c->bytes + 4, .len = 4, .offset = 4,
						   .params = NULL, .params_len = 0};
			PdClass		out;
			const Expect *e = &c->e;

			pd_classify(&pr, &out);
			report(strcmp(out.protocol, e->protocol) == 0 &&
				   strcmp(out.tool, e->tool) == 0 &&
				   (e->detail == NULL || strstr(out.detail, e->detail)),
				   c->name, "server", &out, e->protocol, e->tool, e->detail);
		}
		else
			check(c->name, c->kind, (const uint8_t *) c->bytes, c->len, &c->e);
	}

	/* startup parameters PostgreSQL parsed before rejecting the packet */
	{
		static const char zg[] = "client_encoding\0UTF8\0datestyle\0ISO, MDY\0";
		PdProbe		pr = {.kind = PD_KIND_MISSING_USER, .bytes = NULL, .len = 0, .offset = 4,
						   .params = zg, .params_len = sizeof(zg) - 1};
		PdClass		out;

		pd_classify(&pr, &out);
		report(strcmp(out.protocol, "postgres") == 0 &&
			   strcmp(out.tool, "zgrab2 postgres") == 0 &&
			   strstr(out.detail, "datestyle=ISO, MDY") != NULL,
			   "missing_user zgrab2 params", "params", &out, "postgres",
			   "zgrab2 postgres", "datestyle=ISO, MDY");
		pr.kind = PD_KIND_INVALID_LAYOUT;
		pr.params = "user\0alice\0";
		pr.params_len = 11;
		pd_classify(&pr, &out);
		report(strcmp(out.protocol, "postgres") == 0 && out.tool[0] == 0,
			   "invalid_layout", "params", &out, "postgres", "", NULL);

		/* nothing parsed (Kafka Metadata v0 ends here): no name */
		pr.params = NULL;
		pr.params_len = 0;
		pd_classify(&pr, &out);
		report(out.protocol[0] == 0, "invalid_layout, no parameters", "params",
			   &out, "", "", NULL);
		pr.params = "\x01\x02\0\x9c\0";
		pr.params_len = 5;
		pd_classify(&pr, &out);
		report(out.protocol[0] == 0, "invalid_layout, binary parameters",
			   "params", &out, "", "", NULL);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng >> 32);
}

/* ---- protocols from public sources, as hex ------------------------------ */

/*
 * One case per rule and wire variant, from the source named: nmap's NSE
 * scripts and libraries (their request bytes), the protocols'
 * specifications, and negative cases next to the positive ones.
 */
typedef struct HexCase
{
	const char *name;
	const char *source;
	const char *hex;
	Expect		e;
} HexCase;

static const HexCase hexcases[] = {
	{"modbus device id", "nmap modbus-discover.nse",
	"000000000005012b0e0100",
	{"", "modbus", NULL, "function 43", NULL, NULL, NULL}},
	{"modbus report server id", "nmap modbus-discover.nse",
	"0000000000020111",
	{"", "modbus", NULL, "function 17", "", NULL, NULL}},
	{"modbus read holding registers", "Modbus/TCP spec (MBAP + PDU)",
	"00010000000601030000000a",
	{"", "modbus", NULL, "function 3", NULL, NULL, NULL}},
	{"modbus wrong length", "negative: length one short",
	"00010000000501030000000a",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"s7 COTP connect", "nmap s7-info.nse",
	"0300001611e00000001400c1020100c2020102c0010a",
	{"", "s7comm", NULL, "called TSAP 0102", NULL, NULL, NULL}},
	{"s7 COTP connect alt", "nmap s7-info.nse (TSAP 0200)",
	"0300001611e00000000500c1020100c2020200c0010a",
	{"", "s7comm", NULL, "calling TSAP 0100", NULL, NULL, NULL}},
	{"mms COTP connect", "ISO 8073 CR with TSAP 0001 (IEC 61850 MMS)",
	"0300001611e00000000100c1020001c2020001c0010a",
	{"", "iso-tsap", NULL, "called TSAP 0001", NULL, NULL, NULL}},
	{"s7 setup communication", "nmap s7-info.nse",
	"0300001902f08032010000000000080000f0000001000101e0",
	{"", "s7comm", NULL, "setup communication", NULL, NULL, NULL}},
	{"s7 read SZL", "nmap s7-info.nse",
	"0300002102f080320700000000000800080001120411440100ff09000400110001",
	{"", "s7comm", NULL, "userdata", NULL, NULL, NULL}},
	{"rdp neg request no cookie", "MS-RDPBCGR 2.2.1.1 (RDP_NEG_REQ only)",
	"030000130ee000000000000100080003000000",
	{"", "rdp", NULL, NULL, NULL, NULL, NULL}},
	{"dnp3 request link status", "IEEE 1815 link header, CRC-16/DNP",
	"056405c901000300753e",
	{"", "dnp3", NULL, "request link status", NULL, NULL, NULL}},
	{"dnp3 read class 0123", "IEEE 1815: integrity poll",
	"056414c4010003000409c0c1013c02063c03063c04063c01067a6f",
	{"", "dnp3", NULL, NULL, NULL, NULL, NULL}},
	{"dnp3 bad crc", "negative: header CRC off by one",
	"056405c901000300753f",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"iec104 STARTDT", "nmap iec-identify.nse",
	"680407000000",
	{"", "iec-104", NULL, "STARTDT", "", NULL, NULL}},
	{"iec104 TESTFR", "nmap iec-identify.nse",
	"680443000000",
	{"", "iec-104", NULL, "TESTFR", "", NULL, NULL}},
	{"iec104 STARTDT + interrogation", "nmap iec-identify.nse, pipelined",
	"680407000000680e0000000064010600ffff00000014",
	{"", "iec-104", NULL, NULL, NULL, NULL, NULL}},
	{"enip list identity", "nmap enip-info.nse",
	"63000000000000000000000000000000c1debed100000000",
	{"", "enip", NULL, "ListIdentity", "", NULL, NULL}},
	{"enip register session", "ODVA EtherNet/IP encapsulation spec",
	"65000400000000000000000000000000000000000000000001000000",
	{"", "enip", NULL, "RegisterSession", "", NULL, NULL}},
	{"fox hello", "nmap fox-info.nse",
	"666f7820612031202d3120666f782068656c6c6f0a7b0a666f782e76657273696f6e3d733a312e300a69643d693a310a7d3b3b0a",
	{"", "niagara-fox", NULL, NULL, NULL, NULL, NULL}},
	{"omron fins node address", "nmap omron-info.nse",
	"46494e530000000c000000000000000000000000",
	{"", "omron-fins", NULL, "node address", NULL, NULL, NULL}},
	{"hart-ip session initiate", "HART-IP spec (HCF_SPEC-085)",
	"010000000001000d0100007530",
	{"", "hart-ip", NULL, "Session Initiate", "", NULL, NULL}},
	{"dicom associate", "nmap nselib/dicom.lua A-ASSOCIATE-RQ",
	"0100000000a600010000414e592d5343502020202020202020204543484f534355202020202020202020000000000000000000000000000000000000000000000000000000000000000010000015312e322e3834302e31303030382e332e312e312e312000002e0100000030000011312e322e3834302e31303030382e312e3140000011312e322e3834302e31303030382e312e3250000013510000040000400052000007312e322e332e34",
	{"", "dicom", NULL, "ECHOSCU", NULL, NULL, NULL}},
	{"hl7 mllp ADT", "HL7 v2.5 over MLLP",
	"0b4d53487c5e7e5c267c53454e444150507c53454e444641437c524543564150507c524543564641437c32303234303130313132303030307c7c4144545e4130317c4d534730303030317c507c322e350d5049447c317c7c31323334350d1c0d",
	{"", "hl7", NULL, "ADT^A01", NULL, NULL, NULL}},
	{"dcerpc bind epmapper", "DCE 1.1 RPC / MS-RPCE bind PDU",
	"05000b03100000004800000001000000b810b8100000000001000000000001000883afe11f5dc91191a408002b14a0fa03000000045d888aeb1cc9119fe808002b10486002000000",
	{"", "dcerpc", NULL, "epmapper", NULL, NULL, NULL}},
	{"thrift framed call", "Apache Thrift binary protocol, framed",
	"00000017800100010000000a67657456657273696f6e0000000000",
	{"", "thrift", NULL, "getVersion", NULL, NULL, "thrift"}},
	{"thrift unframed call", "Apache Thrift binary protocol",
	"800100010000000470696e670000000100",
	{"", "thrift", NULL, "ping", "", NULL, NULL}},
	{"hadoop ipc connection", "Hadoop IPC (RpcRequestHeaderProto)",
	"687270630900000000002c1e0802100018fdffffff0f22104141414141414141414141414141414128000c120a0a086864667375736572",
	{"", "hadoop-ipc", NULL, NULL, NULL, NULL, NULL}},
	{"java serialized HashMap", "Java Object Serialization Stream Protocol",
	"aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f72",
	{"", "java-serial", NULL, "java.util.HashMap", NULL, NULL, NULL}},
	{"mysql ssl request", "MySQL protocol: SSLRequest",
	"2000000185ae0f0000000001210000000000000000000000000000000000000000000000",
	{"", "mysql", NULL, "SSLRequest", NULL, NULL, NULL}},
	{"mysql handshake response", "MySQL protocol: HandshakeResponse41",
	"5000000185a60f0000000001210000000000000000000000000000000000000000000000726f6f74001442424242424242424242424242424242424242426d7973716c5f6e61746976655f70617373776f726400",
	{"", "mysql", NULL, "user=root", NULL, NULL, NULL}},
	{"mssql login7", "MS-TDS 2.2.6.4 LOGIN7 (fixed part)",
	"10010066000001005e000000040000740010000007000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	{"", "mssql", NULL, "LOGIN7", NULL, NULL, NULL}},
	{"clickhouse hello", "ClickHouse native protocol: client Hello",
	"0011436c69636b486f75736520636c69656e741608a9a9030764656661756c740764656661756c7400",
	{"", "clickhouse", NULL, "ickHouse client", NULL, NULL, NULL}},
	{"bolt handshake v4", "Neo4j Bolt handshake",
	"6060b01700000404000000040000000300000000",
	{"", "bolt", NULL, "4.4", NULL, NULL, NULL}},
	{"bolt handshake v5 range", "Neo4j Bolt handshake (version ranges)",
	"6060b01700020405000004040000000400000003",
	{"", "bolt", NULL, "5.4", NULL, NULL, NULL}},
	{"zookeeper ruok", "ZooKeeper four-letter words",
	"72756f6b",
	{"", "zookeeper", NULL, "ruok", "", NULL, NULL}},
	{"zookeeper srvr", "ZooKeeper four-letter words",
	"73727672",
	{"", "zookeeper", NULL, NULL, "", NULL, NULL}},
	{"zookeeper connect", "ZooKeeper ConnectRequest (jute)",
	"0000002c0000000000000000000000000000753000000000000000000000001000000000000000000000000000000000",
	{"", "zookeeper", NULL, "ConnectRequest", "", NULL, "postgres"}},
	{"memcached version", "memcached protocol.txt",
	"76657273696f6e0d0a",
	{"", "memcached", NULL, "version", "memcached", NULL, NULL}},
	{"memcached stats items", "memcached protocol.txt",
	"7374617473206974656d730d0a",
	{"", "memcached", NULL, "stats items", NULL, NULL, NULL}},
	{"cassandra v2 startup", "CQL binary protocol v2",
	"02000101000000160001000b43514c5f56455253494f4e0005332e302e30",
	{"", "cassandra", NULL, "STARTUP", NULL, NULL, NULL}},
	{"cassandra v4 startup", "CQL binary protocol v4",
	"0400000101000000160001000b43514c5f56455253494f4e0005332e302e30",
	{"", "cassandra", NULL, "STARTUP", NULL, NULL, NULL}},
	{"mongodb nmap responseTo -1", "nmap-service-probes mongodb (header fields)",
	"410000003a300000ffffffffd407000000000000746573742e24636d640000000000ffffffff1b0000000173657276657253746174757300000000000000f03f00",
	{"", "mongodb", NULL, "test.$cmd", NULL, NULL, NULL}},
	{"tds 4.2 login", "TDS 4.2 login record (FreeTDS)",
	"020002000000010000000000000000000000000000000000000000000000000000000000000000736100000000000000000000000000000000000000000000000000000000027365637265740000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000000000000000000000",
	{"", "mssql", NULL, "user=sa", NULL, NULL, NULL}},
	{"cassandra thrift describe_cluster_name", "nmap cassandra-info.nse (Thrift, framed)",
	"00000022800100010000001564657363726962655f636c75737465725f6e616d650000000200",
	{"", "cassandra", NULL, "describe_cluster_name", NULL, NULL, "thrift"}},
	{"cassandra thrift login (ncrack)", "ncrack's cassandra module: Thrift framed login",
	"0000004b80010001000000056c6f67696e000000000c00010d00010b0b0000000200000008757365726e616d65"
	"00000005616c6963650000000870617373776f72640000000777726f6e6770770000",
	{"", "cassandra", NULL, "login", NULL, NULL, "thrift"}},
	{"thrift version word, reply", "negative: a Thrift REPLY (type 2) is no client's",
	"0000001080010002",
	{"", "", NULL, NULL, NULL, NULL, ""}},
	/* SSLv2-format ClientHello as nmap's sslv2.nse sends it (RFC 6101 appendix E, SSL 2.0 spec) */
	{"sslv2 client hello (nmap sslv2)", "nmap sslv2.nse: 9 SSL 2.0 cipher specs, 16-byte challenge",
	"8034010002001b000000100800800300800500800200800600400100800400800700c0000000"
	"8e7fa191b6ac27b0a0b0221d0edf1a31",
	{"", "tls", NULL, "SSLv2-format", "tls", NULL, NULL}},
	{"sslv2 client hello, lengths one short", "negative: the challenge length does not end the stream",
	"8034010002001b0000000f0800800300800500800200800600400100800400800700c0000000"
	"8e7fa191b6ac27b0a0b0221d0edf1a31",
	{"", "", NULL, NULL, "", NULL, NULL}},
	{"sslv2 client hello, TLS cipher spec", "negative at offset 4: a spec starting 0x10 is neither SSL 2.0's nor TLS's",
	"801c01000200030000001010008000112233445566778899aabbccddeeff",
	{"", "tls", NULL, NULL, "", NULL, NULL}},
	/* JDWP (Java SE JDWP spec: handshake, then VirtualMachine.Version) */
	{"jdwp handshake + version (nmap jdwp-version)", "nmap jdwp-version.nse",
	"4a4457502d48616e647368616b650000000b00000001000101",
	{"", "jdwp", NULL, "command set 1 command 1", NULL, NULL, NULL}},
	{"jdwp handshake alone", "JDWP spec: the debugger's 14 bytes",
	"4a4457502d48616e647368616b65",
	{"", "jdwp", NULL, "JDWP-Handshake", NULL, NULL, NULL}},
	{"jdwp handshake, reply flag", "negative: a reply packet (flags 0x80) after it",
	"4a4457502d48616e647368616b650000000b00000001800101",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"jdwp lower case", "negative: the handshake is case-sensitive",
	"4a4457502d68616e647368616b65",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	/* iSCSI Login Request (RFC 7143 11.12), as nmap's iscsi-info sends it */
	{"iscsi login (nmap iscsi-info)", "nmap iscsi-info.nse: discovery login",
	"038100000000005f40000137000000000000000100010000000000010000000100000000000000000000000000000000"
	"496e69746961746f724e616d653d69716e2e313939312d30352e636f6d2e6d6963726f736f66743a6e6d61705f69736373695f70726f6265"
	"0053657373696f6e547970653d446973636f766572790041757468"
	"4d6574686f643d4e6f6e650000",
	{"", "iscsi", NULL, "InitiatorName=iqn.1991-05.com.microsoft:nmap_iscsi_probe", NULL, NULL, NULL}},
	{"iscsi login, short data length", "negative: the data segment length does not end the stream",
	"038100000000004f40000137000000000000000100010000000000010000000100000000000000000000000000000000"
	"496e69746961746f724e616d653d69716e2e313939312d30352e636f6d2e6d6963726f736f66743a6e6d61705f69736373695f70726f6265"
	"0053657373696f6e547970653d446973636f766572790041757468"
	"4d6574686f643d4e6f6e650000",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"iscsi login, unknown key", "negative: a data segment of other text",
	"43810000000000105a0000000000000000000000000000000000000000000000000000000000000000000000000000"
	"48656c6c6f3d776f726c642e2e2e2e00",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	/* CVS pserver (cvsclient manual: "Connection and Authentication") */
	{"cvs pserver verification (hydra cvs)", "hydra's cvs module",
	"424547494e20564552494649434154494f4e20524551554553540a2f726f6f740a616c6963650a4133"
	"20303d493a330a454e4420564552494649434154494f4e20524551554553540a",
	{"", "cvs", NULL, "BEGIN VERIFICATION REQUEST", NULL, NULL, NULL}},
	{"cvs pserver auth", "cvsclient manual: BEGIN AUTH REQUEST",
	"424547494e204155544820524551554553540a2f6376730a616e6f6e0a410a454e44204155544820524551554553540a",
	{"", "cvs", NULL, "BEGIN AUTH REQUEST", NULL, NULL, NULL}},
	{"cvs pserver, longer line", "negative: the line goes on after REQUEST",
	"424547494e20415554482052455155455354530a",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	/* DICT (RFC 2229) as curl's lib/dict.c sends it */
	{"dict define (curl)", "curl dict://host/d:word",
	"434c49454e54206c69626375726c20372e38382e310d0a444546494e45202120776f72640d0a515549540d0a",
	{"", "dict", "curl", "DEFINE ! word", "dict", "curl", NULL}},
	{"dict match", "RFC 2229: CLIENT then MATCH",
	"434c49454e54206469637420312e31320d0a4d41544348202a207072656669782061620d0a",
	{"", "dict", "", "MATCH", "dict", "", NULL}},
	{"dict client alone", "negative: a CLIENT line alone names nothing",
	"434c49454e54206c69626375726c20372e38382e310d0a",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"dict client then quit", "negative: CLIENT then QUIT asks nothing",
	"434c49454e54206c69626375726c20372e38382e310d0a515549540d0a",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	/* IRC: "CAP LS" with "CAP " consumed */
	{"irc cap ls then nick (hydra irc)", "hydra's irc module",
	"434150204c530d0a4e49434b206879647261383639320d0a55534552206879647261383639322068796472612031"
	"32372e302e302e31203a68796472610d0a",
	{"", "irc", NULL, NULL, "irc", NULL, NULL}},
	{"irc cap ls alone", "negative at offset 4: LS alone",
	"434150204c530d0a",
	{"", "irc", NULL, NULL, "", NULL, NULL}},
	/* telnet NTLM authentication (RFC 2941, MS-TNAP) as nmap's telnet-ntlm-info sends it */
	{"telnet ntlm (nmap telnet-ntlm-info)", "nmap telnet-ntlm-info.nse",
	"fffa25000f000020000000020000004e544c4d5353500001000000078208a0000000000000000000000000000000"
	"00fff0",
	{"", "telnet", NULL, "NTLM", NULL, NULL, NULL}},
	{"telnet ntlm, no IAC SE", "negative: the size does not end at IAC SE",
	"fffa25000f000020000000020000004e544c4d5353500001000000078208a0000000000000000000000000000000"
	"0000f0",
	{"", "", NULL, NULL, NULL, NULL, NULL}},
	{"kafka metadata v0", "Kafka protocol: Metadata v0",
	"000000150003000000000001000772646b61666b6100000000",
	{"", "kafka", NULL, "Metadata request v0", NULL, NULL, ""}},
	{"kafka sasl handshake", "Kafka protocol: SaslHandshake v1",
	"000000180011000100000002000772646b61666b610005504c41494e",
	{"", "kafka", NULL, "SaslHandshake", NULL, NULL, ""}},
	{"nats connect", "NATS client protocol",
	"434f4e4e454354207b22766572626f7365223a66616c73652c22706564616e746963223a66616c73652c22746c735f7265717569726564223a66616c73652c226e616d65223a22222c226c616e67223a22676f222c2276657273696f6e223a22312e31312e30222c2270726f746f636f6c223a317d0d0a50494e470d0a",
	{"", "nats", NULL, NULL, NULL, NULL, NULL}},
	{"zeromq zmtp3 greeting", "ZMTP 3.0 (RFC 23)",
	"ff00000000000000017f03004e554c4c000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	{"", "zeromq", NULL, "NULL", NULL, NULL, NULL}},
	{"zeromq signature", "ZMTP 3.0 signature alone (libzmq)",
	"ff00000000000000017f",
	{"", "zeromq", NULL, NULL, NULL, NULL, NULL}},
	{"xmpp client stream", "RFC 6120 stream header",
	"3c3f786d6c2076657273696f6e3d27312e30273f3e3c73747265616d3a73747265616d20746f3d276578616d706c652e636f6d2720786d6c6e733d276a61626265723a636c69656e742720786d6c6e733a73747265616d3d27687474703a2f2f6574686572782e6a61626265722e6f72672f73747265616d73272076657273696f6e3d27312e30273e",
	{"", "xmpp", NULL, "client", NULL, NULL, NULL}},
	{"xmpp stream no decl", "RFC 6120 stream header",
	"3c73747265616d3a73747265616d20786d6c6e733d276a61626265723a7365727665722720786d6c6e733a73747265616d3d27687474703a2f2f6574686572782e6a61626265722e6f72672f73747265616d732720746f3d276578616d706c652e636f6d272076657273696f6e3d27312e30273e",
	{"", "xmpp", NULL, "server", NULL, NULL, NULL}},
	{"mqtt 3.1 long", "MQTT 3.1 CONNECT, two-byte remaining length",
	"10820100064d51497364700302003c0004616263647878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878",
	{"", "mqtt", NULL, "level 3", NULL, NULL, NULL}},
	{"x11 with cookie", "X11 protocol: setup with MIT-MAGIC-COOKIE-1",
	"6c000b0000001200100000004d49542d4d414749432d434f4f4b49452d3100005a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
	{"", "x11", NULL, "little-endian", NULL, NULL, NULL}},
	{"x11 with cookie msb", "X11 protocol: setup with MIT-MAGIC-COOKIE-1",
	"4200000b00000012001000004d49542d4d414749432d434f4f4b49452d3100005a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
	{"", "x11", NULL, "big-endian", NULL, NULL, NULL}},
	{"socks5 greeting and request", "RFC 1928, pipelined",
	"0503000102050100030b6578616d706c652e636f6d0050",
	{"", "socks5", NULL, NULL, NULL, NULL, NULL}},
	{"telnet with subnegotiation", "RFC 854/1091: only IAC triplets",
	"fffb18fffb1ffffd01fffd03",
	{"", "telnet", NULL, NULL, NULL, NULL, NULL}},
};

static void
run_hexcases(void)
{
	size_t		i;
	static uint8_t buf[4096];

	for (i = 0; i < lengthof_(hexcases); i++)
	{
		size_t		n = unhex(hexcases[i].hex, buf, sizeof(buf));

		check(hexcases[i].name, PD_KIND_NONE, buf, n, &hexcases[i].e);
	}
}

/* CRC-16/DNP's check value ("123456789"), from the CRC catalogue. */
static void
run_dnp3_crc(void)
{
	unsigned	crc = 0;
	const char *k;
	PdClass		c = {{0}};

	for (k = "123456789"; *k; k++)
		crc = pd_dnp3_crc_step(crc, (uint8_t) *k);
	report((~crc & 0xffff) == 0xea82, "CRC-16/DNP check value", "crc", &c,
		   "", NULL, NULL);
}

/* ---- each rule alone, against everyone else's bytes --------------------- */

/*
 * The cross matrix: every rule, tried alone (not behind the rules before
 * it), against every case labelled with another protocol, whole and
 * without its first four bytes.  A rule that fires there would be a wrong
 * name the day the order changes.  Rules of one family name their own
 * variants (http gives rtsp and sip, smb gives smb1 and smb2): what a rule
 * answers is compared with the label, not the rule's name.
 */
typedef struct Labelled
{
	const char *name;
	const uint8_t *b;
	size_t		n;
	const char *label;			/* whole stream */
	const char *label4;			/* without the first four bytes */
} Labelled;

static int	matrix_cells;
static int	matrix_bad;

static void
matrix_one(const Labelled *l)
{
	int			r;
	int			pass;

	for (pass = 0; pass < 2; pass++)
	{
		PdView		v;
		const char *want = pass == 0 ? l->label : l->label4;

		if (pass == 1 && l->n < 4)
			break;
		if (pass == 0)
			pd_view_init(&v, l->b, l->n, 0);
		else
			pd_view_init(&v, l->b + 4, l->n - 4, 4);
		if (v.len == 0)
			continue;
		for (r = 0; r < pd_rule_count; r++)
		{
			PdClass		c = {{0}};

			matrix_cells++;
			if (pd_rules[r].rule(&v, &c) && strcmp(c.protocol, want) != 0 &&
				strcmp(c.protocol, l->label) != 0)
			{
				if (matrix_bad++ < 20)
					printf("FAIL matrix: rule %s names %s %s as %s (label %s)\n",
						   pd_rules[r].name, l->name, pass ? "minus4" : "whole",
						   c.protocol, want[0] ? want : "none");
			}
		}
	}
}

/* Bytes for the matrix, kept for the whole run. */
static uint8_t matrix_pool[1 << 18];
static size_t matrix_used;

static void
matrix_add(const char *name, const uint8_t *b, size_t n, const char *label,
		   const char *label4)
{
	Labelled	l;

	if (n > sizeof(matrix_pool) - matrix_used)
		return;
	memcpy(matrix_pool + matrix_used, b, n);
	l.name = name;
	l.b = matrix_pool + matrix_used;
	l.n = n;
	l.label = label;
	l.label4 = label4 ? label4 : label;
	matrix_used += n;
	matrix_one(&l);
}

static void
run_matrix(const char *captures, const char *nmap)
{
	static uint8_t buf[8192];
	static char line[16384];
	size_t		i;
	FILE	   *f;

	for (i = 0; i < lengthof_(hexcases); i++)
		matrix_add(hexcases[i].name, buf, unhex(hexcases[i].hex, buf, sizeof(buf)),
				   hexcases[i].e.protocol, hexcases[i].e.protocol4);
	for (i = 0; i < lengthof_(crafted); i++)
		if (crafted[i].kind == 0)
			matrix_add(crafted[i].name, (const uint8_t *) crafted[i].bytes,
					   crafted[i].len, crafted[i].e.protocol,
					   crafted[i].e.protocol4);

	/* real clients */
	if ((f = fopen(captures, "r")) != NULL)
	{
		while (fgets(line, sizeof(line), f))
		{
			char	   *t[5];
			char	   *p = line;
			int			k;
			size_t		j;

			if (line[0] == '#' || strncmp(line, "name\t", 5) == 0)
				continue;
			for (k = 0; k < 5 && p; k++)
			{
				t[k] = p;
				p = strchr(p, k < 4 ? '\t' : '\n');
				if (p)
					*p++ = '\0';
			}
			if (k < 5)
				continue;
			for (j = 0; j < lengthof_(capture_expect); j++)
				if (strcmp(capture_expect[j].name, t[0]) == 0)
					matrix_add(capture_expect[j].name, buf,
							   unhex(t[4], buf, sizeof(buf)),
							   capture_expect[j].protocol,
							   capture_expect[j].protocol4);
		}
		fclose(f);
	}

	/* nmap's probes */
	if ((f = fopen(nmap, "r")) != NULL)
	{
		while (fgets(line, sizeof(line), f))
		{
			char		name[64];
			char	   *q;
			char	   *e;
			size_t		k;

			if (sscanf(line, "Probe TCP %63s q|", name) != 1)
				continue;
			for (k = 0; k < lengthof_(nmap_expect); k++)
				if (strcmp(nmap_expect[k].name, name) == 0)
					break;
			if (k == lengthof_(nmap_expect))
				continue;
			q = strstr(line, "q|") + 2;
			e = strrchr(q, '|');
			if (!e)
				continue;
			*e = '\0';
			matrix_add(nmap_expect[k].name, buf,
					   nmap_unescape(q, buf, sizeof(buf)),
					   nmap_expect[k].protocol, nmap_expect[k].minus4);
		}
		fclose(f);
	}
	report(matrix_bad == 0, "cross matrix: each rule alone", "matrix",
		   &(PdClass) {{0}}, "", NULL, NULL);
	printf("cross matrix: %d rules, %d rule-case-view cells, %d wrong\n",
		   pd_rule_count, matrix_cells, matrix_bad);
}

/*
 * Each rule alone against seeded random bytes drawn mostly from the bytes
 * binary protocols are made of (zeros, small numbers, 0xff, printable
 * ASCII), short, whole and without the first four: structure rather than
 * noise, to catch rules that need too little.
 */
static void
run_rules_random(int count)
{
	static const uint8_t alphabet[] = {0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0x0a,
		0x0d, 0x10, 0x20, 0x7f, 0x80, 0xff, 'a', 'e', 'A', '.', '/', ' ', '1'};
	static uint8_t buf[96];
	int			i;
	int			bad = 0;

	for (i = 0; i < count; i++)
	{
		size_t		n = 1 + next_random() % sizeof(buf);
		size_t		k;
		int			r;
		int			pass;

		for (k = 0; k < n; k++)
			buf[k] = (next_random() & 3) ? alphabet[next_random() % sizeof(alphabet)] :
				(uint8_t) next_random();
		for (pass = 0; pass < 2 && (pass == 0 || n > 4); pass++)
		{
			PdView		v;

			if (pass == 0)
				pd_view_init(&v, buf, n, 0);
			else
				pd_view_init(&v, buf + 4, n - 4, 4);
			for (r = 0; r < pd_rule_count; r++)
			{
				PdClass		c = {{0}};

				if (pd_rules[r].rule(&v, &c) && bad++ < 10)
				{
					printf("FAIL rule %s names structured random #%d (%zu bytes, %s) as %s:",
						   pd_rules[r].name, i, n, pass ? "minus4" : "whole",
						   c.protocol);
					for (k = 0; k < n && k < 48; k++)
						printf(" %02x", buf[k]);
					printf("\n");
				}
			}
		}
	}
	report(bad == 0, "each rule alone: structured random stays unnamed", "x2",
		   &(PdClass) {{0}}, "", NULL, NULL);
}

/* ---- random bytes -------------------------------------------------------- */


static void
run_random(int count)
{
	static uint8_t buf[1024];
	int			i;
	int			bad = 0;

	for (i = 0; i < count; i++)
	{
		size_t		n = 1 + next_random() % sizeof(buf);
		size_t		k;
		PdProbe		pr = {.kind = PD_KIND_NONE, .bytes = buf, .len = n, .offset = 0,
						   .params = NULL, .params_len = 0};
		PdClass		c;

		for (k = 0; k < n; k++)
			buf[k] = (uint8_t) next_random();
		pd_classify(&pr, &c);
		if (c.protocol[0] || c.tool[0])
		{
			if (bad++ < 5)
				printf("FAIL random #%d (%zu bytes) classified as %s / %s\n", i, n,
					   c.protocol, c.tool);
		}
		pr.kind = PD_KIND_INVALID_LENGTH;
		pr.offset = 4;
		pd_classify(&pr, &c);
		if (c.protocol[0] || c.tool[0])
		{
			if (bad++ < 5)
				printf("FAIL random #%d minus4 (%zu bytes) classified as %s / %s\n", i, n,
					   c.protocol, c.tool);
		}
	}
	report(bad == 0, "random payloads stay unclassified", "x2", &(PdClass) {{0}}, "", "", NULL);
}

static void
label_is(const char *what, const char *got, const char *want)
{
	int			ok = strcmp(got, want) == 0;

	if (ok)
		passed++;
	else
		failed++;
	if (!ok || verbose)
		printf("%s labels: %-40s -> %s%s%s\n", ok ? "ok  " : "FAIL", what, got,
			   ok ? "" : ", want ", ok ? "" : want);
}

/* The closed sets of pd_labels.c: sorted, complete, and closed. */
static void
run_labels(void)
{
	static const struct
	{
		const char *tool;
		const char *family;
	}			tools[] = {
		{"nmap -sV SMBProgNeg", "nmap"}, {"nmap NSE pgsql", "nmap"},
		{"curl/8.5.0", "curl"}, {"zgrab2 postgres", "zgrab"},
		{"zgrab/0.x", "zgrab"}, {"censysinspect/1.1", "censys"},
		{"python-requests/2.31", "python"}, {"go-http-client/1.1", "go"},
		{"go", "go"}, {"openssh 9.2p1", "openssh"}, {"libwww-perl/6.68", "perl"},
		{"leakix l9explore/1.0", "leakix"}, {"metasploit postgres", "metasploit"},
		{"", "none"}, {"none", "other"}, {"other", "other"},
		{"gobustr/3.6", "other"}, {"NMAP", "nmap"}, {"gobuster", "gobuster"},
		{"python-urllib3", "python"}, {"undici", "node"}, {"jsch", "java"},
		{"pycurl", "python"}, {"http-tiny", "perl"}, {"svn", "svn"},
		{"apachebench", "apachebench"}, {"siege", "siege"}, {"k6", "k6"},
		{"a-very-long-first-word-that-exceeds-the-buffer-of-the-mapper", "other"},
		{"probe_detect: probe from 6.6.6.6:1: x", "other"},
	};
	size_t		i;
	int			sorted = 1;

	for (i = 1; i < PD_PROTOCOL_LABELS; i++)
		if (pd_protocol_labels[i] == NULL || pd_protocol_labels[i - 1] == NULL ||
			strcmp(pd_protocol_labels[i - 1], pd_protocol_labels[i]) >= 0)
			sorted = 0;
	for (i = 1; i < PD_TOOL_FAMILIES; i++)
		if (pd_tool_families[i] == NULL || pd_tool_families[i - 1] == NULL ||
			strcmp(pd_tool_families[i - 1], pd_tool_families[i]) >= 0)
			sorted = 0;
	label_is("both lists sorted, no gaps", sorted ? "yes" : "no", "yes");

	label_is("empty protocol", pd_protocol_labels[pd_protocol_label("")], "unknown");
	label_is("unlisted protocol", pd_protocol_labels[pd_protocol_label("gopher")], "other");
	label_is("protocol \"other\"", pd_protocol_labels[pd_protocol_label("other")], "other");
	for (i = 0; i < (size_t) pd_nmap_probe_count; i++)
		if (pd_nmap_probes[i].protocol)
			label_is(pd_nmap_probes[i].name,
					 pd_protocol_labels[pd_protocol_label(pd_nmap_probes[i].protocol)],
					 pd_nmap_probes[i].protocol);
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		label_is(tools[i].tool, pd_tool_families[pd_tool_family(tools[i].tool)],
				 tools[i].family);
	for (i = 1; i < PD_VERDICT_MAX; i++)
		label_is("verdict name", pd_verdict_names[i] ? "set" : "missing", "set");
}

/* ---- tools named by their fixed strings (classify/tools.c) --------------- */

typedef struct ToolCase
{
	const char *value;			/* the field: agent, software, cookie, id */
	size_t		len;
	const char *tool;			/* "" = none */
} ToolCase;

#define V(s) s, sizeof(s) - 1

/* User-Agent values, sent in a GET request. */
static const ToolCase agent_cases[] = {
	{V("curl/7.88.1"), "curl"},
	{V("curl/8.5.0-DEV"), "curl"},
	{V("Wget/1.21.3"), "wget"},
	{V("wget2/1.99.1"), "wget2"},
	{V("Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9"), "lynx"},
	{V("w3m/0.5.3+git20230121"), "w3m"},
	{V("Links (2.28; Linux 6.1.0-18-amd64 x86_64; GNU C 12.2; text)"), "links"},
	{V("ELinks/0.13.2 (textmode; Linux 6.1.0-18-amd64 x86_64; 80x24-2)"), "elinks"},
	{V("HTTPie/3.2.1"), "httpie"},
	{V("aria2/1.36.0"), "aria2"},
	{V("python-requests/2.28.1"), "python-requests"},
	{V("Python-urllib/3.11"), "python-urllib"},
	{V("python-urllib3/1.26.12"), "python-urllib3"},
	{V("python-httpx/0.23.3"), "python-httpx"},
	{V("Python/3.11 aiohttp/3.8.4"), "python-aiohttp"},
	{V("Scrapy/2.8.0 (+https://scrapy.org)"), "scrapy"},
	{V("libwww-perl/6.68"), "libwww-perl"},
	{V("Go-http-client/1.1"), "go-http-client"},
	{V("Go-http-client/2.0"), "go-http-client"},
	{V("okhttp/4.9.3"), "okhttp"},
	{V("Java/17.0.10"), "java"},
	{V("Java-http-client/17.0.10"), "java-http-client"},
	{V("Apache-HttpClient/4.5.14 (Java/17.0.10)"), "apache-httpclient"},
	{V("Ruby"), "ruby"},
	{V("Faraday v2.7.4"), "faraday"},
	{V("HTTPClient/1.0 (2.8.3, ruby 3.1.2 (2022-04-12))"), "ruby-httpclient"},
	{V("axios/1.2.1"), "axios"},
	{V("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"), "node-fetch"},
	{V("undici"), "undici"},
	{V("node"), "node"},
	{V("nodejs"), ""},
	{V("GuzzleHttp/7"), "guzzle"},
	{V("git/2.39.5"), "git"},
	{V("git/2.0 (libgit2 1.5.1)"), "libgit2"},
	{V("cadaver/0.24 neon/0.32.5"), "cadaver"},
	{V("hey/0.0.1"), "hey"},
	{V("sipsak 0.9.8.1"), "sipsak"},
	{V("Mozilla/5.0 (pc-x86_64-linux-gnu) Siege/4.0.7"), "siege"},
	{V("ApacheBench/2.3"), "apachebench"},
	{V("PycURL/7.88.1 libcurl/7.88.1 GnuTLS/3.7.9 zlib/1.2.13"), "pycurl"},
	{V("HTTP-Tiny/0.080"), "http-tiny"},
	{V("SVN/1.14.2 (x86_64-pc-linux-gnu) serf/1.3.9"), "svn"},
	{V("k6/0.45.0 (https://k6.io/)"), "k6"},
	{V("Grafana k6/0.49.0"), "k6"},
	{V("Arachni/v1.5.1"), "arachni"},
	{V("Arachni/v2.0dev"), "arachni"},
	{V("commix/v3.7-stable (https://commixproject.com)"), "commix"},
	{V("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; w3af.org)"), "w3af"},
	{V("github/1.0"), ""},
	{V("PostmanRuntime/7.36.1"), "postman"},
	{V("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.3.4"), "powershell"},
	{V("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3803"), "powershell"},
	{V("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"), "nmap NSE"},
	{V("Mozilla/5.0 zgrab/0.x"), "zgrab"},
	{V("masscan/1.3 (https://github.com/robertdavidgraham/masscan)"), "masscan"},
	{V("Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)"), "censys"},
	{V("Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day"), "expanse"},
	{V("Mozilla/5.0 (compatible; InternetMeasurement/1.0; +https://internet-measurement.com/)"), "internetmeasurement"},
	{V("Mozilla/5.0 (l9explore/1.2.2)"), "leakix"},
	{V("Mozilla/5.0 (l9tcpid/v1.1.0)"), "leakix"},
	{V("Mozilla/5.0 (compatible; ModatScanner/1.0; +https://modat.io/)"), "modat"},
	{V("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), "googlebot"},
	{V("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.6099.216 Safari/537.36"), "googlebot"},
	{V("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"), "bingbot"},
	{V("Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)"), "openvas"},
	{V("sqlmap/1.7.2#stable (https://sqlmap.org)"), "sqlmap"},
	{V("Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)"), "nikto"},
	{V("Nuclei - Open-source project (github.com/projectdiscovery/nuclei)"), "nuclei"},
	{V("Wfuzz/3.1.0"), "wfuzz"},
	{V("gobuster/3.5"), "gobuster"},
	{V("Fuzz Faster U Fool v2.0.0-dev"), "ffuf"},
	{V("feroxbuster/2.10.1"), "feroxbuster"},
	{V("WhatWeb/0.5.5"), "whatweb"},
	{V("WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)"), "wpscan"},
	{V("DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)"), "dirbuster"},
	{V("Mozilla/5.0 SF/2.10b"), "skipfish"},
	{V("Mozilla/4.0 (Hydra)"), "hydra"},
	{V("Mozilla/5.0 (Hydra Proxy)"), "hydra"},
	{V("I'm not Mozilla, I'm Ming Mong"), "medusa"},
	{V("Mozilla/1.22 (compatible; MSIE 10.0; Windows 3.1)"), "medusa"},
	/* lookalikes and hostile values name nothing */
	{V("curlx/1"), ""},
	{V("curl"), ""},
	{V("curl/"), ""},
	{V("curl/x.y"), ""},
	{V("CURL/7.88.1"), ""},
	{V("xcurl/7.88.1"), ""},
	{V("Mozilla/5.0 (X11; Linux x86_64) curl/7.88.1"), ""},
	{V("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"), ""},
	{V("Mozilla/5.0 (X11; Linux) sqlmap/1.7"), ""},
	{V("Mozilla/5.0 (compatible; Nmap Scripting Engineer)"), ""},
	{V("Mozilla/5.0 (compatible; Googlebot-Image/1.0)"), ""},
	{V("Mozilla/5.0 (X11; Linux) AppleWebKit/537.36 PowerShell/7.3.4"), ""},
	{V("Mozilla/5.0 aiohttp/3.8.4"), ""},
	{V("Mozilla/4.0 (Hydra) and more"), ""},
	{V("python-requests"), ""},
	{V("Rubyx"), ""},
	{V("curl/7.88.1\0evil"), ""},
	{V("curl/7.88.1\x1b[31m"), ""},
	{V("curl/7.88.1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), ""},
	{V("\xff\xfe curl/7.88.1"), ""},
	/* the new marks' lookalikes */
	{V("Mozilla/5.0 (X11; Linux x86_64) Siege/"), ""},
	{V("Siege/4.0.7"), ""},
	{V("Mozilla/5.0 Siege/4.0.7"), ""},
	{V("ApacheBench/"), ""},
	{V("apachebench/2.3"), ""},
	{V("PycURL/x"), ""},
	{V("HTTP-Tiny"), ""},
	{V("SVN/x (target)"), ""},
	{V("Subversion/1.14"), ""},
	{V("k6"), ""},
	{V("k6/"), ""},
	{V("Mozilla/5.0 Grafana k6/0.49.0"), ""},
	{V("Arachni/"), ""},
	{V("Arachni/vx"), ""},
	{V("commix/"), ""},
	{V("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)"), ""},
	{V("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; w3af.org) x"), ""},
};

/* SSH client banners, whole lines. */
static const ToolCase ssh_cases[] = {
	{V("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), "openssh"},
	{V("SSH-2.0-OpenSSH_7.1\r\n"), "openssh"},
	{V("SSH-2.0-OpenSSH_7.1\n"), "ncrack"},
	{V("SSH-2.0-OpenSSH_7.1 x\n"), "openssh"},
	{V("SSH-2.0-libssh_0.10.4\r\n"), "libssh"},
	{V("SSH-2.0-libssh2_1.10.0\r\n"), "libssh2"},
	{V("SSH-2.0-paramiko_3.0.0\r\n"), "paramiko"},
	{V("SSH-2.0-PuTTY_Release_0.78\r\n"), "putty"},
	{V("SSH-2.0-dropbear_2022.83\r\n"), "dropbear"},
	{V("SSH-2.0-Go\r\n"), "go"},
	{V("SSH-2.0-AsyncSSH_2.13.0\r\n"), "asyncssh"},
	{V("SSH-2.0-JSCH-0.1.54\r\n"), "jsch"},
	{V("SSH-2.0-Ruby/Net::SSH_7.0.1 x86_64-linux\r\n"), "net-ssh"},
	{V("SSH-2.0-WinSCP_release_5.21.7\r\n"), "winscp"},
	{V("SSH-2.0-MEDUSA_1.0\r\n"), "medusa"},
	{V("SSH-2.0-Nmap-SSH2-Hostkey\r\n"), "nmap NSE"},
	{V("SSH-1.5-Nmap-SSH1-Hostkey\r\n"), "nmap NSE"},
	{V("SSH-2.0-Nmap_SSH2_Enum_Algos\r\n"), "nmap NSE"},
	{V("SSH-1.5-NmapNSE_1.0\n"), "nmap NSE"},
	{V("SSH-2.0-ZGrab ZGrab SSH Survey\r\n"), "zgrab"},
	{V("SSH-2.0-Gopher\r\n"), ""},
	{V("SSH-2.0-OpenSSHx_9.2\r\n"), ""},
	{V("SSH-2.0-OpenSSH_\r\n"), ""},
	{V("SSH-2.0-Xyzzy_1.0\r\n"), ""},
	{V("SSH-2.0-openssh_9.2\r\n"), ""},
	{V("SSH-2.0-\r\n"), ""},
};

/* RDP mstshash cookie values. */
static const ToolCase cookie_cases[] = {
	{V("nmap"), "nmap NSE"},	/* rdp.lua's, not -sV's probe */
	{V("NCRACK_USER"), "ncrack"},
	{V("nmapx"), ""},
	{V("Administr"), ""},
};

/* MQTT 3.1.1 client ids. */
static const ToolCase id_cases[] = {
	{V("nmapQWERTYUIOPasdfgh"), "nmap NSE"},
	{V("nmapQWERTYUIOPasdfg"), ""},
	{V("nmapQWERTYUIOPasdfghj"), ""},
	{V("nmapQWERTYUIOPasdfg1"), ""},
	{V("Ncrack"), "ncrack"},
	{V("curl65d46c25"), "curl"},
	{V("curlyfries12"), ""},
	{V("mosq-AbCdEfGh12345678Zz"), "mosquitto"},	/* 18 of them */
	{V("mosq-AbCdEfGh12345678"), ""},
	{V("mosq-AbCdEfGh12345678Zz9"), ""},
	{V("mosq-AbCdEfGh12345678Z-"), ""},
	{V("mosqpub|1234-host"), "mosquitto"},
	{V("mosquito"), ""},
	{V("paho1234567890123"), "paho"},
	{V("pahoX"), ""},
	{V("mqttjs_1a2b3c4d"), "mqttjs"},
};

static void
tool_case(const char *field, const ToolCase *t, const uint8_t *b, size_t n,
		  const char *protocol)
{
	char		label[80];
	Expect		e = {.protocol = protocol, .tool = t->tool};
	size_t		k;
	size_t		o = 0;

	/* a name for the report: the field, printable */
	o = (size_t) snprintf(label, sizeof(label), "%s ", field);
	for (k = 0; k < t->len && o + 1 < sizeof(label) && k < 40; k++)
		label[o++] = t->value[k] >= 0x20 && t->value[k] < 0x7f ? t->value[k] : '?';
	label[o] = '\0';
	check(label, PD_KIND_NONE, b, n, &e);
}

static void
run_tools(void)
{
	static uint8_t b[1024];
	size_t		i;
	size_t		n;
	const char *bad = NULL;

	for (i = 0; i < sizeof(agent_cases) / sizeof(agent_cases[0]); i++)
	{
		const ToolCase *t = &agent_cases[i];
		static const char head[] = "GET /x HTTP/1.1\r\nHost: h\r\nUser-Agent: ";
		static const char tail[] = "\r\nAccept: */*\r\n\r\n";

		n = 0;
		memcpy(b, head, sizeof(head) - 1);
		n += sizeof(head) - 1;
		memcpy(b + n, t->value, t->len);
		n += t->len;
		memcpy(b + n, tail, sizeof(tail) - 1);
		n += sizeof(tail) - 1;
		tool_case("agent", t, b, n, "http");
	}
	for (i = 0; i < sizeof(ssh_cases) / sizeof(ssh_cases[0]); i++)
	{
		const ToolCase *t = &ssh_cases[i];
		const char *proto = strcmp(t->value, "SSH-2.0-\r\n") == 0 ? "" : "ssh";

		tool_case("ssh", t, (const uint8_t *) t->value, t->len, proto);
	}
	for (i = 0; i < sizeof(cookie_cases) / sizeof(cookie_cases[0]); i++)
	{
		const ToolCase *t = &cookie_cases[i];

		/* TPKT, X.224 CR, cookie, RDP_NEG_REQ for TLS (rdp.lua, proto 1) */
		n = 11 + 17 + t->len + 2 + 8;
		memcpy(b, "\x03\0\0\0\0\xe0\0\0\0\0\0Cookie: mstshash=", 28);
		b[2] = (uint8_t) (n >> 8);
		b[3] = (uint8_t) n;
		b[4] = (uint8_t) (n - 5);
		memcpy(b + 28, t->value, t->len);
		memcpy(b + 28 + t->len, "\r\n\x01\0\x08\0\x01\0\0\0", 10);
		tool_case("rdp cookie", t, b, n, "rdp");
	}
	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++)
	{
		const ToolCase *t = &id_cases[i];

		/* CONNECT, MQTT 3.1.1, clean session, keep-alive 60, the id */
		n = 14 + t->len;
		memcpy(b, "\x10\0\0\x04MQTT\x04\x02\0\x3c\0\0", 14);
		b[1] = (uint8_t) (n - 2);
		b[13] = (uint8_t) t->len;
		memcpy(b + 14, t->value, t->len);
		tool_case("mqtt id", t, b, n, "mqtt");
	}
	/* Kafka client ids, MongoDB drivers, rsync's greeting */
	{
		static const char kp[] = "\0\0\0\x1c\0\x12\0\0\0\0\0\x01\0\x12kafka-python-2.0.2\0\0\0 ";
		static const char kx[] = "\0\0\0\x1c\0\x12\0\0\0\0\0\x01\0\x12kafka-pythonic-2.0\0\0\0 ";
		static const char mg[] = "\xfe\0\0\0\xb6\x94\x80\r\0\0\0\0\xd4\x07\0\0\0\0\0\0admin.$cmd\0\0\0\0\0\xff\xff\xff\xff\xd7\0\0\0\x10ismaster\0\x01\0\0\0\x03" "client\0\xbc\0\0\0\x03" "driver\0+\0\0\0\x02name\0\x08\0\0\0PyMongo\0\x02version\0\x07\0\0\0" "3.11.0\0\0";
		static const char mglie[] = "\xfe\0\0\0\xb6\x94\x80\r\0\0\0\0\xd4\x07\0\0\0\0\0\0admin.$cmd\0\0\0\0\0\xff\xff\xff\xff\xd7\0\0\0\x10ismaster\0\x01\0\0\0\x03" "client\0\xbc\0\0\0\x03" "driver\0+\0\0\0\x02name\0\xff\0\0\0PyMongo\0";
		static const char rs[] = "@RSYNCD: 32.0 sha512 sha256 sha1 md5 md4\n";
		static const char rs0[] = "@RSYNCD: 29.0\n";

		check("kafka-python", PD_KIND_NONE, (const uint8_t *) kp, sizeof(kp) - 1,
			  &(Expect) {.protocol = "kafka", .tool = "kafka-python", .server = "kafka"});
		check("kafka lookalike id", PD_KIND_NONE, (const uint8_t *) kx, sizeof(kx) - 1,
			  &(Expect) {.protocol = "kafka", .tool = "", .server = "kafka"});
		check("mongodb PyMongo", PD_KIND_NONE, (const uint8_t *) mg, sizeof(mg) - 1,
			  &(Expect) {.protocol = "mongodb", .tool = "pymongo", .detail = "; driver PyMongo"});
		check("mongodb name length lies", PD_KIND_NONE, (const uint8_t *) mglie, sizeof(mglie) - 1,
			  &(Expect) {.protocol = "mongodb", .tool = ""});
		check("rsync 3.2", PD_KIND_NONE, (const uint8_t *) rs, sizeof(rs) - 1,
			  &(Expect) {.protocol = "rsync", .tool = "rsync"});
		check("rsync version only", PD_KIND_NONE, (const uint8_t *) rs0, sizeof(rs0) - 1,
			  &(Expect) {.protocol = "rsync", .tool = ""});
	}
	/* SIP and RTSP carry a User-Agent too */
	{
		static const char sip[] = "OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/TCP nm;branch=foo\r\nUser-Agent: Nmap NSE\r\n\r\n";
		static const char rtsp[] = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: curl/7.88.1\r\n\r\n";
		static const char rtsp_mozilla[] = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: Nmap NSE x\r\n\r\n";

		check("sip nmap NSE", PD_KIND_NONE, (const uint8_t *) sip, sizeof(sip) - 1,
			  &(Expect) {.protocol = "sip", .tool = "nmap NSE"});
		check("rtsp curl", PD_KIND_NONE, (const uint8_t *) rtsp, sizeof(rtsp) - 1,
			  &(Expect) {.protocol = "rtsp", .tool = "curl"});
		check("rtsp lookalike", PD_KIND_NONE, (const uint8_t *) rtsp_mozilla,
			  sizeof(rtsp_mozilla) - 1, &(Expect) {.protocol = "rtsp", .tool = ""});
	}
	/* the first User-Agent counts; header names are case-insensitive */
	{
		static const char two[] = "GET / HTTP/1.1\r\nuser-agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\nUser-Agent: curl/7.88.1\r\n\r\n";

		check("agent twice", PD_KIND_NONE, (const uint8_t *) two, sizeof(two) - 1,
			  &(Expect) {.protocol = "http", .tool = "sqlmap", .detail = "sqlmap/1.7.2#stable"});
	}

	for (i = 1; i < (size_t) pd_tool_name_count; i++)
		if (strcmp(pd_tool_names[i - 1], pd_tool_names[i]) >= 0)
			bad = pd_tool_names[i];
	label_is("tool names sorted", bad ? bad : "yes", "yes");
	bad = NULL;
	label_is("every mark names a listed tool", pd_tool_marks_known(&bad) ? "yes" : bad, "yes");
	for (i = 0; i < (size_t) pd_tool_name_count; i++)
		label_is(pd_tool_names[i],
				 strcmp(pd_tool_families[pd_tool_family(pd_tool_names[i])], "other") == 0 ||
				 strcmp(pd_tool_families[pd_tool_family(pd_tool_names[i])], "none") == 0 ?
				 "no family" : "a family", "a family");
	label_is("a name from no table", pd_tool_known("curl/7.88.1") ? "known" : "unknown", "unknown");
	label_is("nmap -sV and a probe", pd_tool_known("nmap -sV GetRequest") ? "known" : "unknown", "known");
	label_is("nmap -sV and no probe", pd_tool_known("nmap -sV Nothing") ? "known" : "unknown", "unknown");
}

int
main(int argc, char **argv)
{
	int			a = 1;
	const char *captures = "unit/captures.tsv";
	const char *nmap = "/usr/share/nmap/nmap-service-probes";

	if (a < argc && strcmp(argv[a], "-v") == 0)
	{
		verbose = 1;
		a++;
	}
	if (a < argc)
		captures = argv[a++];
	if (a < argc)
		nmap = argv[a++];

	run_captures(captures);
	run_nmap(nmap);
	run_crafted();
	run_hexcases();
	run_dnp3_crc();
	run_matrix(captures, nmap);
	run_random(20000);
	run_rules_random(100000);
	run_labels();
	run_tools();
	if (unlabelled)
		printf("%d classifications named a protocol without a label\n", unlabelled);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
