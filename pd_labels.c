/*-------------------------------------------------------------------------
 *
 * pd_labels.c
 *	  Map protocols and tools onto the closed sets of pd_labels.h.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "pd_labels.h"

/* Sorted (strcmp order): bsearch relies on it, test/unit_classify checks it. */
const char *const pd_protocol_labels[PD_PROTOCOL_LABELS] = {
	"afp", "ajp", "amqp", "bittorrent", "bolt", "cassandra", "clickhouse",
	"cvs", "db2", "dcerpc", "dicom", "dict", "distcc", "dnp3", "dns", "drda",
	"enip", "firebird", "ftp", "giop", "git", "hadoop-ipc", "hart-ip", "hl7",
	"http", "http2", "iec-104", "imap", "informix", "irc", "iscsi",
	"iso-tsap", "java-rmi", "java-serial", "jdwp", "kafka", "kerberos",
	"landesk", "ldap", "memcached", "mms", "modbus", "mongodb", "mqseries",
	"mqtt", "mssql", "mysql", "nats", "ncp", "nessus", "niagara-fox",
	"notes-rpc", "omron-fins", "onc-rpc", "oracle-tns", "other", "pcworx",
	"pervasive", "pjl", "pop3", "postgres", "rdp", "redis", "rsync", "rtsp",
	"s7comm", "sip", "smb1", "smb2", "smtp", "socks4", "socks5", "ssh",
	"stomp", "telnet", "thrift", "tls", "unknown", "vnc", "winbox", "x11",
	"xmpp", "zend-java-bridge", "zeromq", "zookeeper",
};

static int
pd_cmp_label(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(const char *const *) elem);
}

static int
pd_label_index(const char *const *labels, size_t n, const char *name)
{
	const char *const *hit = bsearch(name, labels, n, sizeof(labels[0]),
									 pd_cmp_label);

	return hit ? (int) (hit - labels) : -1;
}

int
pd_protocol_label(const char *protocol)
{
	int			i;

	if (protocol == NULL || protocol[0] == '\0')
		protocol = "unknown";
	i = pd_label_index(pd_protocol_labels, PD_PROTOCOL_LABELS, protocol);
	if (i < 0 || strcmp(protocol, "other") == 0)
		i = pd_label_index(pd_protocol_labels, PD_PROTOCOL_LABELS, "other");
	return i;
}

/* The event kinds by name, as the views, the feed and the metrics say them. */
static const char *const pd_kind_names[PD_KIND_MAX] = {
	[PD_KIND_UNSUPPORTED_PROTOCOL] = "unsupported_protocol",
	[PD_KIND_INVALID_LENGTH] = "invalid_length",
	[PD_KIND_INCOMPLETE_PACKET] = "incomplete_packet",
	[PD_KIND_INVALID_LAYOUT] = "invalid_layout",
	[PD_KIND_MISSING_USER] = "missing_user",
	[PD_KIND_UNENCRYPTED_AFTER_REQUEST] = "unencrypted_after_request",
	[PD_KIND_TLS_FAILURE] = "tls_failure",
	[PD_KIND_AUTH_FAILED] = "auth_failed",
	[PD_KIND_AUTH_ABANDONED] = "auth_abandoned",
	[PD_KIND_HBA_REJECTED] = "hba_rejected",
	[PD_KIND_CERT_REJECTED] = "cert_rejected",
	[PD_KIND_UNKNOWN_ROLE] = "unknown_role",
	[PD_KIND_UNKNOWN_DATABASE] = "unknown_database",
	[PD_KIND_REFUSED] = "refused",
	[PD_KIND_TLS_REJECTED] = "tls_rejected",
	[PD_KIND_TLS_CLIENT_FAILURE] = "tls_client_failure",
};

const char *
pd_kind_name(int kind)
{
	if (kind <= 0 || kind >= PD_KIND_MAX)
		return NULL;
	return pd_kind_names[kind];
}

const char *const pd_verdict_names[PD_VERDICT_MAX] = {
	[PD_VERDICT_NONE] = "none",
	[PD_VERDICT_PROBE] = "probe",
	[PD_VERDICT_GUESSING] = "guessing",
	[PD_VERDICT_FAILURE] = "failure",
	[PD_VERDICT_REFUSED] = "refused",
};

/* Sorted, like the protocols. */
const char *const pd_tool_families[PD_TOOL_FAMILIES] = {
	"apachebench", "arachni", "aria2", "bingbot", "cadaver", "censys",
	"chromium", "commix", "curl", "dirbuster", "dropbear", "elinks",
	"expanse", "feroxbuster", "ffuf", "firefox", "git", "go", "gobuster",
	"googlebot", "hey", "httpie", "hydra", "internetmeasurement", "java",
	"k6", "leakix", "librdkafka", "libssh", "libssh2", "links", "lynx",
	"masscan", "medusa", "metasploit", "modat", "mosquitto", "ncrack",
	"nikto", "nmap", "node", "none", "nuclei", "okhttp", "openssh", "openvas",
	"other", "paho", "paramiko", "perl", "php", "postman", "powershell",
	"putty", "python", "rsync", "ruby", "safari", "siege", "sipsak",
	"sipvicious", "skipfish", "softether", "sqlmap", "svn", "w3af", "w3m",
	"wfuzz", "wget", "whatweb", "winscp", "wpscan", "zgrab", "zmap",
};

/*
 * A tool's first word (up to a space or a slash) and the family it belongs
 * to, where the word is not the family's name itself.
 */
static const struct
{
	const char *word;
	const char *family;
}			pd_tool_aliases[] = {
	{"apache-httpclient", "java"},
	{"asyncssh", "python"},
	{"axios", "node"},
	{"censysinspect", "censys"},
	{"faraday", "ruby"},
	{"go-http-client", "go"},
	{"go-tls", "go"},
	{"guzzle", "php"},
	{"http-tiny", "perl"},
	{"java-http-client", "java"},
	{"jsch", "java"},
	{"kafka-python", "python"},
	{"libgit2", "git"},
	{"libwww-perl", "perl"},
	{"modatscanner", "modat"},
	{"mongo-go-driver", "go"},
	{"mongo-java-driver", "java"},
	{"mongodb-node", "node"},
	{"mqttjs", "node"},
	{"net-ssh", "ruby"},
	{"node-fetch", "node"},
	{"pycurl", "python"},
	{"pymongo", "python"},
	{"python-aiohttp", "python"},
	{"python-httpx", "python"},
	{"python-requests", "python"},
	{"python-ssl", "python"},
	{"python-urllib", "python"},
	{"python-urllib3", "python"},
	{"ruby-httpclient", "ruby"},
	{"sarama", "go"},
	{"scrapy", "python"},
	{"undici", "node"},
	{"wget2", "wget"},
	{"zgrab2", "zgrab"},
};

int
pd_tool_family(const char *tool)
{
	char		word[32];
	size_t		n = 0;
	size_t		k;
	int			i;

	if (tool == NULL || tool[0] == '\0')
		return pd_label_index(pd_tool_families, PD_TOOL_FAMILIES, "none");

	while (tool[n] && tool[n] != ' ' && tool[n] != '/' && n < sizeof(word) - 1)
	{
		char		c = tool[n];

		word[n++] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	word[n] = '\0';
	for (k = 0; k < sizeof(pd_tool_aliases) / sizeof(pd_tool_aliases[0]); k++)
		if (strcmp(word, pd_tool_aliases[k].word) == 0)
		{
			strcpy(word, pd_tool_aliases[k].family);
			break;
		}
	/* "none" and "other" are ours: a tool called so is just another tool */
	i = pd_label_index(pd_tool_families, PD_TOOL_FAMILIES, word);
	if (i < 0 || strcmp(word, "none") == 0 || strcmp(word, "other") == 0)
		i = pd_label_index(pd_tool_families, PD_TOOL_FAMILIES, "other");
	return i;
}
