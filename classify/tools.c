/*-------------------------------------------------------------------------
 *
 * tools.c
 *	  The tool pass: name the program behind the bytes wherever they say it,
 *	  from the one table of tool names.
 *
 * It runs once, after the protocol rules (rules.c), and reads only the
 * fields of the protocol they found where a client names itself: an HTTP,
 * RTSP or SIP User-Agent, an SSH client's software version, an RDP
 * mstshash cookie, an MQTT or Kafka client id, a MongoDB driver's name, an
 * rsync greeting.  Each mark below is a fixed string
 * from the tool's own source or defaults (docs/classification.md lists
 * them), matched where the tool puts it and nowhere else: at the start of
 * the field, or inside it only after the fixed text that leads it.  So a
 * browser's agent that mentions curl, or "curlx/1", names nothing.
 *
 * A tool is a short lower-case name from pd_tool_names, never text copied
 * from the bytes: the version and the raw string are in the detail, escaped,
 * where the protocol rule put them.  A name that a rule set and that is not
 * in the table is dropped, so every name the classifier gives is listed
 * here (nmap.c's "nmap -sV <probe>", set after this pass, takes its probe
 * names from the generated nmap_table.c).
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

#include <stdlib.h>

/*
 * Every tool name the classifier gives, sorted (strcmp order, for bsearch;
 * unit_classify checks it and that each has a family in pd_labels.c).
 */
const char *const pd_tool_names[] = {
	"apache-httpclient", "apachebench", "arachni", "aria2", "asyncssh", "axios",
	"bingbot", "cadaver", "censys", "chromium", "commix", "curl", "dirbuster",
	"dropbear", "elinks", "expanse", "faraday", "feroxbuster", "ffuf",
	"firefox", "git", "go", "go-http-client", "go-tls", "gobuster", "googlebot",
	"guzzle", "hey", "http-tiny", "httpie", "hydra", "internetmeasurement",
	"java", "java-http-client", "jsch", "k6", "kafka-python", "leakix",
	"libgit2", "librdkafka", "libssh", "libssh2", "libwww-perl", "links",
	"lynx", "masscan", "medusa", "modat", "mongo-go-driver",
	"mongo-java-driver", "mongodb-node", "mosquitto", "mqttjs", "ncrack",
	"net-ssh", "nikto", "nmap NSE", "node", "node-fetch", "nuclei", "okhttp",
	"openssh", "openvas", "paho", "paramiko", "postman", "powershell", "putty",
	"pycurl", "pymongo", "python-aiohttp", "python-httpx", "python-requests",
	"python-ssl", "python-urllib", "python-urllib3", "rsync", "ruby",
	"ruby-httpclient", "safari", "sarama", "scrapy", "siege", "sipsak",
	"sipvicious", "skipfish", "softether", "sqlmap", "svn", "undici", "w3af",
	"w3m", "wfuzz", "wget", "wget2", "whatweb", "winscp", "wpscan", "zgrab",
	"zgrab2 postgres",
};
const int	pd_tool_name_count = lengthof_(pd_tool_names);

/* Where a client names itself. */
typedef enum PdField
{
	PD_F_AGENT,					/* HTTP, RTSP, SIP: the User-Agent value */
	PD_F_SSH,					/* SSH: the software version, up to a space */
	PD_F_SSH_BARE_LF,			/* the same, of a banner ending in LF alone */
	PD_F_COOKIE,				/* RDP: the mstshash cookie's value */
	PD_F_CLIENT_ID,				/* MQTT 3.x: the CONNECT's client id */
	PD_F_KAFKA_ID,				/* Kafka: the request header's client id */
	PD_F_DRIVER,				/* MongoDB: the hello's client.driver.name */
	PD_F_RSYNC,					/* rsync: the greeting after "@RSYNCD: " */
	PD_F_COUNT
} PdField;

typedef enum PdHow
{
	PD_EXACT,					/* the whole field is text */
	PD_PREFIX,					/* the field starts with text, then rest */
	PD_TOKEN					/* it starts with lead; text, then rest, follows */
} PdHow;

/* What must follow text (PD_PREFIX, PD_TOKEN). */
typedef enum PdRest
{
	PD_ANY,						/* anything or nothing */
	PD_VERSION,					/* a digit, or "v" and a digit */
	PD_DIGITS,					/* n of them (1..32 if n is 0), then the end */
	PD_HEX,
	PD_ALPHA,
	PD_ALNUM
} PdRest;

typedef struct PdMark
{
	PdField		field;
	PdHow		how;
	const char *lead;			/* PD_TOKEN only */
	const char *text;
	PdRest		rest;
	uint8_t		n;
	const char *tool;			/* one of pd_tool_names */
} PdMark;

#define AGENT(how, text, rest, tool) {PD_F_AGENT, how, NULL, text, rest, 0, tool}
#define AGENT_IN(lead, text, tool) {PD_F_AGENT, PD_TOKEN, lead, text, PD_VERSION, 0, tool}
#define SSH(how, text, rest, tool) {PD_F_SSH, how, NULL, text, rest, 0, tool}
#define ID(how, text, rest, n, tool) {PD_F_CLIENT_ID, how, NULL, text, rest, n, tool}

/*
 * The first mark that matches names the tool.  Sources: each tool's code or
 * documented default (Debian 12's packages unless said otherwise).  Fake
 * browser agents that tools also send (dirb's MSIE 6, wapiti's Firefox 45,
 * ncrack's Firefox) are left out: real browsers sent them too.
 */
static const PdMark pd_marks[] = {
	/* scanners and crawlers that say so */
	AGENT(PD_PREFIX, "Mozilla/5.0 (compatible; Nmap Scripting Engine;", PD_ANY, "nmap NSE"),	/* nselib/http.lua */
	AGENT(PD_EXACT, "Nmap NSE", PD_ANY, "nmap NSE"), /* nselib/sip.lua */
	AGENT(PD_PREFIX, "Mozilla/5.0 zgrab/", PD_VERSION, "zgrab"),
	AGENT(PD_PREFIX, "masscan/", PD_VERSION, "masscan"),
	AGENT(PD_PREFIX, "Mozilla/5.0 (compatible; CensysInspect/", PD_VERSION, "censys"),
	AGENT(PD_PREFIX, "Expanse, a Palo Alto Networks company", PD_ANY, "expanse"),
	AGENT(PD_PREFIX, "Expanse indexes the network perimeters", PD_ANY, "expanse"),
	AGENT(PD_PREFIX, "Mozilla/5.0 (compatible; InternetMeasurement/", PD_VERSION, "internetmeasurement"),
	AGENT(PD_PREFIX, "Mozilla/5.0 (l9explore/", PD_VERSION, "leakix"),
	AGENT(PD_PREFIX, "Mozilla/5.0 (l9tcpid/", PD_VERSION, "leakix"),
	AGENT(PD_PREFIX, "Mozilla/5.0 (compatible; ModatScanner/", PD_VERSION, "modat"),
	AGENT_IN("Mozilla/5.0 ", "compatible; Googlebot/", "googlebot"),
	AGENT_IN("Mozilla/5.0 ", "compatible; bingbot/", "bingbot"),
	AGENT(PD_PREFIX, "Mozilla/5.0 [en] (X11, U; OpenVAS", PD_ANY, "openvas"),
	/* web scanners, fuzzers, brute-forcers */
	AGENT(PD_PREFIX, "sqlmap/", PD_VERSION, "sqlmap"), /* lib/core/settings.py */
	AGENT(PD_PREFIX, "Mozilla/5.00 (Nikto/", PD_VERSION, "nikto"),	/* nikto.conf */
	AGENT(PD_PREFIX, "Nuclei - Open-source project", PD_ANY, "nuclei"),
	AGENT(PD_PREFIX, "Wfuzz/", PD_VERSION, "wfuzz"),	/* wfuzz/facade.py */
	AGENT(PD_PREFIX, "gobuster/", PD_VERSION, "gobuster"), /* DefaultUserAgent */
	AGENT(PD_PREFIX, "Fuzz Faster U Fool v", PD_VERSION, "ffuf"),
	AGENT(PD_PREFIX, "feroxbuster/", PD_VERSION, "feroxbuster"),
	AGENT(PD_PREFIX, "WhatWeb/", PD_VERSION, "whatweb"),
	AGENT(PD_PREFIX, "WPScan v", PD_VERSION, "wpscan"),
	AGENT(PD_PREFIX, "DirBuster-", PD_VERSION, "dirbuster"),
	AGENT(PD_PREFIX, "Mozilla/5.0 SF/", PD_VERSION, "skipfish"),
	AGENT(PD_EXACT, "Mozilla/4.0 (Hydra)", PD_ANY, "hydra"),	/* hydra-http*.c */
	AGENT(PD_EXACT, "Mozilla/5.0 (Hydra)", PD_ANY, "hydra"),
	AGENT(PD_EXACT, "Mozilla/5.0 (Hydra Proxy)", PD_ANY, "hydra"),
	AGENT(PD_EXACT, "Mozilla 5.0 (Hydra Proxy Auth)", PD_ANY, "hydra"),
	AGENT(PD_EXACT, "I'm not Mozilla, I'm Ming Mong", PD_ANY, "medusa"), /* web-form.mod */
	AGENT(PD_EXACT, "Mozilla/1.22 (compatible; MSIE 10.0; Windows 3.1)", PD_ANY, "medusa"), /* http.mod */
	AGENT(PD_EXACT, "friendly-scanner", PD_ANY, "sipvicious"),	/* svmap, svwar */
	AGENT(PD_PREFIX, "sipsak ", PD_VERSION, "sipsak"),
	AGENT(PD_PREFIX, "hey/", PD_VERSION, "hey"),
	AGENT(PD_PREFIX, "Arachni/", PD_VERSION, "arachni"),	/* "Arachni/v1.5.1" */
	AGENT(PD_PREFIX, "commix/", PD_VERSION, "commix"),	/* settings.py */
	AGENT(PD_EXACT, "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1;"
		  " Trident/4.0; w3af.org)", PD_ANY, "w3af"),	/* core/data/constants */
	/* load generators */
	AGENT_IN("Mozilla/5.0 (", ") Siege/", "siege"),	/* siege 4: "(platform) Siege/4.0.7" */
	AGENT(PD_PREFIX, "ApacheBench/", PD_VERSION, "apachebench"),	/* ab.c */
	AGENT(PD_PREFIX, "k6/", PD_VERSION, "k6"),	/* "k6/0.45.0 (https://k6.io/)" */
	AGENT(PD_PREFIX, "Grafana k6/", PD_VERSION, "k6"),	/* k6 0.46 and later */
	/* command-line clients and text browsers */
	AGENT(PD_PREFIX, "curl/", PD_VERSION, "curl"),
	AGENT(PD_PREFIX, "Wget/", PD_VERSION, "wget"),
	AGENT(PD_PREFIX, "wget2/", PD_VERSION, "wget2"),
	AGENT(PD_PREFIX, "HTTPie/", PD_VERSION, "httpie"),
	AGENT(PD_PREFIX, "aria2/", PD_VERSION, "aria2"),
	AGENT(PD_PREFIX, "Lynx/", PD_VERSION, "lynx"),
	AGENT(PD_PREFIX, "w3m/", PD_VERSION, "w3m"),
	AGENT(PD_PREFIX, "Links (", PD_VERSION, "links"),
	AGENT(PD_PREFIX, "ELinks/", PD_VERSION, "elinks"),
	AGENT(PD_PREFIX, "ELinks (", PD_VERSION, "elinks"),
	AGENT_IN("Mozilla/5.0 (Windows NT", ") PowerShell/", "powershell"),
	AGENT_IN("Mozilla/5.0 (Windows NT", ") WindowsPowerShell/", "powershell"),
	AGENT(PD_PREFIX, "PostmanRuntime/", PD_VERSION, "postman"),
	AGENT(PD_PREFIX, "git/2.0 (libgit2 ", PD_VERSION, "libgit2"),
	AGENT(PD_PREFIX, "git/", PD_VERSION, "git"),
	AGENT(PD_PREFIX, "cadaver/", PD_VERSION, "cadaver"),
	AGENT(PD_PREFIX, "SVN/", PD_VERSION, "svn"),	/* libsvn_ra_serf: "SVN/1.14.2 (target) serf/1.3.9" */
	/* libraries, by their default agent */
	AGENT(PD_PREFIX, "python-requests/", PD_VERSION, "python-requests"),
	AGENT(PD_PREFIX, "Python-urllib/", PD_VERSION, "python-urllib"),
	AGENT(PD_PREFIX, "python-urllib3/", PD_VERSION, "python-urllib3"),
	AGENT(PD_PREFIX, "python-httpx/", PD_VERSION, "python-httpx"),
	AGENT_IN("Python/", " aiohttp/", "python-aiohttp"),
	AGENT(PD_PREFIX, "Scrapy/", PD_VERSION, "scrapy"),
	AGENT(PD_PREFIX, "libwww-perl/", PD_VERSION, "libwww-perl"),
	AGENT(PD_PREFIX, "HTTP-Tiny/", PD_VERSION, "http-tiny"),	/* HTTP::Tiny's agent() */
	AGENT(PD_PREFIX, "PycURL/", PD_VERSION, "pycurl"),	/* "PycURL/" and libcurl's version */
	AGENT(PD_PREFIX, "Go-http-client/", PD_VERSION, "go-http-client"),
	AGENT(PD_PREFIX, "okhttp/", PD_VERSION, "okhttp"),
	AGENT(PD_PREFIX, "Java/", PD_VERSION, "java"),
	AGENT(PD_PREFIX, "Java-http-client/", PD_VERSION, "java-http-client"),
	AGENT(PD_PREFIX, "Apache-HttpClient/", PD_VERSION, "apache-httpclient"),
	AGENT(PD_EXACT, "Ruby", PD_ANY, "ruby"),	/* net/http */
	AGENT(PD_PREFIX, "Faraday v", PD_VERSION, "faraday"),
	AGENT(PD_PREFIX, "HTTPClient/1.0 (", PD_VERSION, "ruby-httpclient"),
	AGENT(PD_PREFIX, "axios/", PD_VERSION, "axios"),
	AGENT(PD_PREFIX, "node-fetch/", PD_VERSION, "node-fetch"),
	AGENT(PD_EXACT, "node-fetch", PD_ANY, "node-fetch"),
	AGENT(PD_EXACT, "undici", PD_ANY, "undici"),	/* Node 18-20's fetch() */
	AGENT(PD_EXACT, "node", PD_ANY, "node"), /* Node 21 and later's fetch() */
	AGENT(PD_PREFIX, "GuzzleHttp/", PD_VERSION, "guzzle"),

	/*
	 * SSH clients' software versions.  ncrack sends "SSH-2.0-OpenSSH_7.1"
	 * ending in a bare LF; OpenSSH itself ends every version 2 banner in
	 * CR LF.
	 */
	{PD_F_SSH_BARE_LF, PD_EXACT, NULL, "OpenSSH_7.1", PD_ANY, 0, "ncrack"},
	SSH(PD_PREFIX, "OpenSSH_", PD_VERSION, "openssh"),
	SSH(PD_PREFIX, "libssh_", PD_VERSION, "libssh"),	/* hydra's too */
	SSH(PD_PREFIX, "libssh2_", PD_VERSION, "libssh2"),
	SSH(PD_PREFIX, "paramiko_", PD_VERSION, "paramiko"),
	SSH(PD_PREFIX, "PuTTY_", PD_ANY, "putty"),
	SSH(PD_PREFIX, "dropbear_", PD_VERSION, "dropbear"),
	SSH(PD_EXACT, "dropbear", PD_ANY, "dropbear"),
	SSH(PD_EXACT, "Go", PD_ANY, "go"),	/* golang.org/x/crypto/ssh */
	SSH(PD_PREFIX, "AsyncSSH_", PD_VERSION, "asyncssh"),
	SSH(PD_PREFIX, "JSCH-", PD_VERSION, "jsch"),
	SSH(PD_PREFIX, "JSCH_", PD_VERSION, "jsch"),
	SSH(PD_PREFIX, "Ruby/Net::SSH_", PD_VERSION, "net-ssh"),
	SSH(PD_PREFIX, "WinSCP_release_", PD_VERSION, "winscp"),
	SSH(PD_PREFIX, "MEDUSA_", PD_VERSION, "medusa"),	/* ssh.mod's BANNER */
	SSH(PD_EXACT, "Nmap-SSH2-Hostkey", PD_ANY, "nmap NSE"),	/* nselib/ssh2.lua */
	SSH(PD_EXACT, "Nmap-SSH1-Hostkey", PD_ANY, "nmap NSE"),	/* nselib/ssh1.lua */
	SSH(PD_EXACT, "Nmap_SSH2_Enum_Algos", PD_ANY, "nmap NSE"),
	SSH(PD_PREFIX, "NmapNSE_", PD_VERSION, "nmap NSE"),	/* sshv1.nse */
	SSH(PD_EXACT, "ZGrab", PD_ANY, "zgrab"),	/* "SSH-2.0-ZGrab ZGrab SSH Survey" */

	/* RDP cookies */
	{PD_F_COOKIE, PD_EXACT, NULL, "nmap", PD_ANY, 0, "nmap NSE"},	/* nselib/rdp.lua */
	{PD_F_COOKIE, PD_EXACT, NULL, "NCRACK_USER", PD_ANY, 0, "ncrack"},

	/* MQTT client ids, with the random part each tool adds */
	ID(PD_PREFIX, "nmap", PD_ALPHA, 16, "nmap NSE"),	/* nselib/mqtt.lua */
	ID(PD_EXACT, "Ncrack", PD_ANY, 0, "ncrack"),
	ID(PD_PREFIX, "curl", PD_HEX, 8, "curl"), /* lib/mqtt.c */
	ID(PD_PREFIX, "mosq-", PD_ALNUM, 18, "mosquitto"),	/* libmosquitto, MQTT 3.1 */
	ID(PD_PREFIX, "mosqpub|", PD_ANY, 0, "mosquitto"),	/* mosquitto 1.x */
	ID(PD_PREFIX, "mosqsub|", PD_ANY, 0, "mosquitto"),
	ID(PD_PREFIX, "paho", PD_DIGITS, 0, "paho"),	/* Java: "paho" + nanoTime */
	ID(PD_PREFIX, "mqttjs_", PD_HEX, 8, "mqttjs"),

	/* Kafka client ids: the libraries' defaults */
	{PD_F_KAFKA_ID, PD_PREFIX, NULL, "kafka-python-", PD_VERSION, 0, "kafka-python"},
	{PD_F_KAFKA_ID, PD_EXACT, NULL, "rdkafka", PD_ANY, 0, "librdkafka"},	/* kcat */
	{PD_F_KAFKA_ID, PD_EXACT, NULL, "sarama", PD_ANY, 0, "sarama"},

	/* MongoDB drivers' names in the handshake's client metadata */
	{PD_F_DRIVER, PD_EXACT, NULL, "PyMongo", PD_ANY, 0, "pymongo"},
	{PD_F_DRIVER, PD_EXACT, NULL, "nodejs", PD_ANY, 0, "mongodb-node"},
	{PD_F_DRIVER, PD_EXACT, NULL, "mongo-go-driver", PD_ANY, 0, "mongo-go-driver"},
	{PD_F_DRIVER, PD_EXACT, NULL, "mongo-java-driver", PD_ANY, 0, "mongo-java-driver"},

	/*
	 * rsync 3.2 and later offer their checksums in the greeting ("@RSYNCD:
	 * 32.0 sha512 sha256 sha1 md5 md4"); other clients of the daemon
	 * (nmap's rsync-list-modules, openrsync) send the version alone.
	 */
	{PD_F_RSYNC, PD_TOKEN, "3", " md5 md4", PD_ANY, 0, "rsync"},
};

/* A field of the stream: [at, at + n). */
typedef struct PdSpan
{
	size_t		at;
	size_t		n;
	bool		set;
} PdSpan;

static int
pd_cmp_name(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(const char *const *) elem);
}

bool
pd_tool_known(const char *tool)
{
	int			i;

	if (tool == NULL || tool[0] == '\0')
		return false;
	if (bsearch(tool, pd_tool_names, lengthof_(pd_tool_names),
				sizeof(pd_tool_names[0]), pd_cmp_name) != NULL)
		return true;
	if (strncmp(tool, "nmap -sV ", 9) != 0)
		return false;
	for (i = 0; i < pd_nmap_probe_count; i++)
		if (strcmp(tool + 9, pd_nmap_probes[i].name) == 0)
			return true;
	return false;
}

/* Does what follows at p, up to the field's end e, fit the mark's rest? */
static bool
pd_rest_fits(const PdView *v, size_t p, size_t e, const PdMark *m)
{
	size_t		k = 0;
	size_t		want = m->n;

	if (m->rest == PD_ANY)
		return true;
	if (m->rest == PD_VERSION)
	{
		if (p < e && pd_at(v, p) == 'v')
			p++;
		return p < e && pd_at(v, p) >= '0' && pd_at(v, p) <= '9';
	}
	for (; p + k < e && k < 32; k++)
	{
		int			c = pd_at(v, p + k);
		bool		digit = c >= '0' && c <= '9';
		bool		alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool		hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

		if (m->rest == PD_DIGITS ? !digit : m->rest == PD_HEX ? !hex :
			m->rest == PD_ALPHA ? !alpha : !(digit || alpha))
			return false;
	}
	return p + k == e && (want ? k == want : k > 0);
}

static bool
pd_mark_fits(const PdView *v, const PdSpan *f, const PdMark *m)
{
	size_t		tn = strlen(m->text);
	size_t		e = f->at + f->n;
	size_t		p;

	switch (m->how)
	{
		case PD_EXACT:
			return f->n == tn && pd_is(v, f->at, m->text, tn);
		case PD_PREFIX:
			return f->n >= tn && pd_is(v, f->at, m->text, tn) &&
				pd_rest_fits(v, f->at + tn, e, m);
		case PD_TOKEN:
			{
				size_t		ln = strlen(m->lead);
				long		at;

				if (f->n < ln + tn || !pd_is(v, f->at, m->lead, ln))
					return false;
				p = f->at + ln;
				/* every occurrence: the first may lack its version */
				while ((at = pd_find_str(v, p, m->text, e - p)) >= 0)
				{
					if (pd_rest_fits(v, (size_t) at + tn, e, m))
						return true;
					p = (size_t) at + 1;
				}
				return false;
			}
	}
	return false;
}

/* ----- the fields, per protocol ----------------------------------------- */

/* The User-Agent of a request whose first line a rule has accepted. */
static void
pd_field_agent(const PdView *v, PdSpan *f)
{
	size_t		next = v->line_next;
	int			lines;

	for (lines = 0; lines < PD_LINES_MAX && next < v->off + PD_SCAN_MAX; lines++)
	{
		size_t		ln;
		size_t		lnext;
		size_t		val;

		if (!pd_line(v, next, &ln, &lnext) || ln == 0)
			return;
		if (pd_header(v, next, ln, "User-Agent", &val))
		{
			f->at = val;
			/* real agents are shorter; a longer one names no tool */
			f->n = next + ln - val;
			f->set = f->n <= 256;
			return;
		}
		next = lnext;
	}
}

/*
 * "SSH-2.0-software comments": the version is at stream offset 4 whether
 * the first four bytes are known or not.
 */
static void
pd_field_ssh(const PdView *v, PdSpan *f, PdSpan *bare)
{
	size_t		n;
	size_t		next;
	long		dash;
	size_t		e;

	if (!pd_line(v, 4, &n, &next))
		return;
	dash = pd_find(v, 4, '-', n);
	if (dash < 0)
		return;
	f->at = (size_t) dash + 1;
	e = f->at;
	while (e < 4 + n && pd_at(v, e) != ' ')
		e++;
	f->n = e - f->at;
	f->set = f->n > 0;
	if (f->set && e == 4 + n && pd_at(v, next - 2) != '\r')
		*bare = *f;
}

/* "Cookie: mstshash=value\r\n" at stream offset 11 (the rdp rule's place). */
static void
pd_field_cookie(const PdView *v, PdSpan *f)
{
	long		e;

	if (!PD_IS(v, 11, "Cookie: mstshash="))
		return;
	e = pd_find(v, 28, '\r', 128);
	if (e < 28)
		return;
	f->at = 28;
	f->n = (size_t) e - 28;
	f->set = true;
}

/*
 * An MQTT 3.x CONNECT's client id.  Where the protocol name sits depends on
 * the remaining length's size, as in the mqtt rule: the level follows it at
 * p, and the client id's length at p + 4.
 */
static void
pd_field_client_id(const PdView *v, PdSpan *f)
{
	size_t		p;
	long		idl;

	if (PD_IS(v, 2, "\0\x04MQTT") || PD_IS(v, 4, "MQTT"))
		p = 8;
	else if (PD_IS(v, 3, "\0\x04MQTT") || (pd_at(v, 4) == 4 && PD_IS(v, 5, "MQTT")))
		p = 9;
	else if (PD_IS(v, 4, "MQIsdp"))
		p = 10;
	else
		return;
	if (pd_at(v, p) != 3 && pd_at(v, p) != 4)
		return;					/* MQTT 5 has properties before the id */
	idl = pd_be16(v, p + 4);
	if (idl <= 0 || idl > 128 || p + 6 + (size_t) idl > pd_end(v))
		return;
	f->at = p + 6;
	f->n = (size_t) idl;
	f->set = true;
}

/* A Kafka request header's client id: int16 length at 12, then the id. */
static void
pd_field_kafka_id(const PdView *v, PdSpan *f)
{
	long		n = pd_be16(v, 12);

	if (n <= 0 || n > 128 || 14 + (size_t) n > pd_end(v))
		return;
	f->at = 14;
	f->n = (size_t) n;
	f->set = true;
}

/*
 * The MongoDB handshake's client metadata, { driver: { name: "PyMongo",
 * ... } }: the BSON string right after the "driver" document's opening,
 * looked for in the first 512 bytes.
 */
static void
pd_field_driver(const PdView *v, PdSpan *f)
{
	long		d = pd_find_str(v, v->off, "\x03" "driver", 512);
	size_t		p;
	long long	n;

	if (d < 0)
		return;
	p = (size_t) d + 8 + 4;		/* the name, its NUL, the document's size */
	if (pd_at(v, p - 5) != 0 || !pd_is(v, p, "\x02name", 6))	/* with its NUL */
		return;
	n = pd_le32(v, p + 6);
	if (n < 2 || n > 64 || p + 10 + (size_t) n > pd_end(v) ||
		pd_at(v, p + 10 + (size_t) n - 1) != 0)
		return;
	f->at = p + 10;
	f->n = (size_t) n - 1;
	f->set = true;
}

/* The greeting's line after "@RSYNCD: ", whose first four bytes may be gone. */
static void
pd_field_rsync(const PdView *v, PdSpan *f)
{
	if (!v->line || v->off + v->line_n <= 9)
		return;
	f->at = 9;
	f->n = v->off + v->line_n - 9;
	f->set = true;
}

void
pd_tools(const PdView *v, PdClass *c)
{
	PdSpan		fields[PD_F_COUNT];
	const char *p = c->protocol;
	size_t		i;

	/* a rule's name must be one of ours */
	if (c->tool[0] && !pd_tool_known(c->tool))
		c->tool[0] = '\0';

	memset(fields, 0, sizeof(fields));
	if (strcmp(p, "http") == 0 || strcmp(p, "rtsp") == 0 || strcmp(p, "sip") == 0)
		pd_field_agent(v, &fields[PD_F_AGENT]);
	else if (strcmp(p, "ssh") == 0)
		pd_field_ssh(v, &fields[PD_F_SSH], &fields[PD_F_SSH_BARE_LF]);
	else if (strcmp(p, "rdp") == 0)
		pd_field_cookie(v, &fields[PD_F_COOKIE]);
	else if (strcmp(p, "mqtt") == 0)
		pd_field_client_id(v, &fields[PD_F_CLIENT_ID]);
	else if (strcmp(p, "kafka") == 0)
		pd_field_kafka_id(v, &fields[PD_F_KAFKA_ID]);
	else if (strcmp(p, "mongodb") == 0)
		pd_field_driver(v, &fields[PD_F_DRIVER]);
	else if (strcmp(p, "rsync") == 0)
		pd_field_rsync(v, &fields[PD_F_RSYNC]);
	else
		return;

	for (i = 0; i < lengthof_(pd_marks); i++)
	{
		const PdMark *m = &pd_marks[i];

		if (fields[m->field].set && pd_mark_fits(v, &fields[m->field], m))
		{
			PD_SET(c->tool, m->tool);
			/* the mongodb rule's detail does not carry the metadata */
			if (m->field == PD_F_DRIVER)
			{
				PdStr		d;

				pd_str_init(&d, c->detail, sizeof(c->detail));
				pd_str_add(&d, "; driver ");
				pd_str_addv(&d, v, fields[m->field].at, fields[m->field].n);
			}
			return;
		}
	}
}

/* For the unit tests: every mark names a tool of the table. */
bool
pd_tool_marks_known(const char **bad)
{
	size_t		i;

	for (i = 0; i < lengthof_(pd_marks); i++)
		if (!pd_tool_known(pd_marks[i].tool))
		{
			*bad = pd_marks[i].tool;
			return false;
		}
	return true;
}
