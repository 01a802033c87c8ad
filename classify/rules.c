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

const PdRule pd_rules[] = {
	/* most specific first */
	{.name = "tls", .rule = pd_rule_tls},
	{.name = "sslv2", .rule = pd_rule_sslv2},
	/* before http: the HTTP/2 preface is also an HTTP-like request line */
	{.name = "http2", .rule = pd_rule_http2},
	{.name = "http", .rule = pd_rule_http},
	{.name = "ssh", .rule = pd_rule_ssh},
	{.name = "smb", .rule = pd_rule_smb},
	{.name = "kerberos", .rule = pd_rule_kerberos},
	/* before rdp: an X.224 request with TSAP parameters is not RDP's */
	{.name = "iso-tsap", .rule = pd_rule_iso_tsap},
	{.name = "rdp", .rule = pd_rule_rdp},
	{.name = "redis", .rule = pd_rule_redis},
	{.name = "mongodb", .rule = pd_rule_mongodb},
	{.name = "mssql", .rule = pd_rule_mssql},
	{.name = "mssql-login7", .rule = pd_rule_mssql_login},
	{.name = "tds-login", .rule = pd_rule_tds_login},
	{.name = "mysql", .rule = pd_rule_mysql},
	{.name = "drda", .rule = pd_rule_drda},
	{.name = "clickhouse", .rule = pd_rule_clickhouse},
	{.name = "oracle-tns", .rule = pd_rule_oracle},
	{.name = "cassandra", .rule = pd_rule_cassandra},
	{.name = "kafka", .rule = pd_rule_kafka},
	{.name = "amqp", .rule = pd_rule_amqp},
	{.name = "mqtt", .rule = pd_rule_mqtt},
	{.name = "stomp", .rule = pd_rule_stomp},
	{.name = "nats", .rule = pd_rule_nats},
	{.name = "xmpp", .rule = pd_rule_xmpp},
	{.name = "ldap", .rule = pd_rule_ldap},
	{.name = "dns", .rule = pd_rule_dns},
	{.name = "socks", .rule = pd_rule_socks},
	{.name = "java-rmi", .rule = pd_rule_java_rmi},
	{.name = "onc-rpc", .rule = pd_rule_onc_rpc},
	{.name = "ajp", .rule = pd_rule_ajp},
	{.name = "bittorrent", .rule = pd_rule_bittorrent},
	{.name = "distcc", .rule = pd_rule_distcc},
	{.name = "jdwp", .rule = pd_rule_jdwp},
	{.name = "iscsi", .rule = pd_rule_iscsi},
	/* RPC systems: magic numbers, or structures that add up exactly */
	{.name = "dcerpc", .rule = pd_rule_dcerpc},
	{.name = "thrift", .rule = pd_rule_thrift},
	{.name = "giop", .rule = pd_rule_giop},
	{.name = "hadoop-ipc", .rule = pd_rule_hadoop_ipc},
	{.name = "java-serial", .rule = pd_rule_java_serial},
	/* industrial and medical: lengths that end the stream, checksums */
	{.name = "dicom", .rule = pd_rule_dicom},
	{.name = "hl7", .rule = pd_rule_hl7},
	{.name = "enip", .rule = pd_rule_enip},
	{.name = "pcworx", .rule = pd_rule_pcworx},
	{.name = "niagara-fox", .rule = pd_rule_fox},
	{.name = "omron-fins", .rule = pd_rule_fins},
	{.name = "hart-ip", .rule = pd_rule_hart_ip},
	{.name = "memcached-binary", .rule = pd_rule_memcached_binary},
	{.name = "zookeeper", .rule = pd_rule_zookeeper},
	/* signatures of a few bytes, or only an exact length */
	{.name = "vnc", .rule = pd_rule_vnc},
	{.name = "telnet", .rule = pd_rule_telnet},
	{.name = "memcached", .rule = pd_rule_memcached},
	{.name = "x11", .rule = pd_rule_x11},
	{.name = "modbus", .rule = pd_rule_modbus},
	{.name = "dnp3", .rule = pd_rule_dnp3},
	{.name = "iec-104", .rule = pd_rule_iec104},
	{.name = "bolt", .rule = pd_rule_bolt},
	{.name = "zeromq", .rule = pd_rule_zmtp},
	/* client-first line protocols: a line of text is weak evidence */
	{.name = "git", .rule = pd_rule_git},
	{.name = "rsync", .rule = pd_rule_rsync},	/* before irc */
	{.name = "smtp", .rule = pd_rule_smtp},	/* before irc */
	{.name = "ftp", .rule = pd_rule_ftp},
	{.name = "pop3", .rule = pd_rule_pop3},
	{.name = "irc", .rule = pd_rule_irc},
	{.name = "cvs", .rule = pd_rule_cvs},
	{.name = "dict", .rule = pd_rule_dict},
	{.name = "imap", .rule = pd_rule_imap},	/* its tag may be anything */
};

const int	pd_rule_count = lengthof_(pd_rules);

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
	for (i = 0; i < (size_t) pd_rule_count && !found && v.len > 0; i++)
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
