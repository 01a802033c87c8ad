/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The classifier's entry point and the one table of its rules, in the
 *	  order they are tried.
 *
 * The first rule that recognises the bytes wins, so the order matters where
 * two rules could both match: the most specific come first, each needing
 * evidence no other protocol produces.  PostgreSQL's own protocol is tried
 * after all of them.  Then the tool pass names the program where the bytes
 * say it, and nmap's exact probes override the result.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

typedef struct PdRule
{
	const char *name;			/* for people reading the order; not output */
	PdRuleFn	rule;
} PdRule;

static const PdRule pd_rules[] = {
	/* most specific first */
	{.name = "tls", .rule = pd_rule_tls},
	{.name = "sslv2", .rule = pd_rule_sslv2},
	/* before http: the HTTP/2 preface is also an HTTP-like request line */
	{.name = "http2", .rule = pd_rule_http2},
	{.name = "http", .rule = pd_rule_http},
	{.name = "ssh", .rule = pd_rule_ssh},
	{.name = "smb", .rule = pd_rule_smb},
	{.name = "kerberos", .rule = pd_rule_kerberos},
	{.name = "rdp", .rule = pd_rule_rdp},
	{.name = "redis", .rule = pd_rule_redis},
	{.name = "mongodb", .rule = pd_rule_mongodb},
	{.name = "mssql", .rule = pd_rule_mssql},
	{.name = "oracle-tns", .rule = pd_rule_oracle},
	{.name = "cassandra", .rule = pd_rule_cassandra},
	{.name = "kafka", .rule = pd_rule_kafka},
	{.name = "amqp", .rule = pd_rule_amqp},
	{.name = "mqtt", .rule = pd_rule_mqtt},
	{.name = "stomp", .rule = pd_rule_stomp},
	{.name = "ldap", .rule = pd_rule_ldap},
	{.name = "dns", .rule = pd_rule_dns},
	{.name = "socks", .rule = pd_rule_socks},
	{.name = "java-rmi", .rule = pd_rule_java_rmi},
	{.name = "onc-rpc", .rule = pd_rule_onc_rpc},
	{.name = "ajp", .rule = pd_rule_ajp},
	{.name = "bittorrent", .rule = pd_rule_bittorrent},
	{.name = "distcc", .rule = pd_rule_distcc},
	/* signatures of a few bytes, or only an exact length */
	{.name = "vnc", .rule = pd_rule_vnc},
	{.name = "telnet", .rule = pd_rule_telnet},
	{.name = "memcached", .rule = pd_rule_memcached},
	{.name = "x11", .rule = pd_rule_x11},
	/* client-first line protocols: a line of text is weak evidence */
	{.name = "git", .rule = pd_rule_git},
	{.name = "rsync", .rule = pd_rule_rsync},	/* before irc */
	{.name = "smtp", .rule = pd_rule_smtp},	/* before irc */
	{.name = "ftp", .rule = pd_rule_ftp},
	{.name = "pop3", .rule = pd_rule_pop3},
	{.name = "irc", .rule = pd_rule_irc},
	{.name = "imap", .rule = pd_rule_imap},	/* its tag may be anything */
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
	size_t		i;
	bool		found = false;

	pd_clear(out);
	if (probe->offset != 0 && probe->offset != 4)
		return;
	pd_view_init(&v, probe->bytes, probe->bytes ? probe->len : 0,
				 probe->offset);

	/* a rule that fails may leave half an answer: cleared for the next */
	for (i = 0; i < lengthof_(pd_rules) && !found && v.len > 0; i++)
	{
		found = pd_rules[i].rule(&v, out);
		if (!found)
			pd_clear(out);
	}
	if (!found && !pd_rule_postgres(&v, probe, out))
		pd_clear(out);

	/*
	 * The tool pass reads the fields of the protocol found.  nmap's probes
	 * come after it: an exact fingerprint of the whole payload is stronger
	 * evidence than any one field.
	 */
	if (out->protocol[0])
		pd_tools(&v, out);
	pd_nmap_classify(probe, out);
}
