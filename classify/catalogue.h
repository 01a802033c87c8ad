/*-------------------------------------------------------------------------
 *
 * catalogue.h
 *	  Internals of the classifier: its rules, one file per protocol family,
 *	  the start-up parameter iterator and the nmap fingerprint table.
 *
 * A rule names a protocol only on evidence that would be a coincidence in
 * anything else: a wrong guess is worse than none, and random bytes must
 * stay unclassified.  A rule that answers false may leave anything in its
 * PdClass; pd_classify() clears it before the next rule.  The order the
 * rules are tried in is in rules.c, and only there.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSIFY_CATALOGUE_H
#define PD_CLASSIFY_CATALOGUE_H

#include "pd_classify.h"
#include "classify/view.h"

typedef bool (*PdRuleFn) (const PdView *v, PdClass *c);

/* rules.c: the rules in the order they are tried (the unit tests try each
 * alone too) */
typedef struct PdRule
{
	const char *name;			/* for people reading the order; not output */
	PdRuleFn	rule;
} PdRule;

extern const PdRule pd_rules[];
extern const int pd_rule_count;

/* web.c */
extern bool pd_rule_http(const PdView *v, PdClass *c);
extern bool pd_rule_http2(const PdView *v, PdClass *c);

/* tls.c */
extern bool pd_rule_tls(const PdView *v, PdClass *c);
extern bool pd_rule_sslv2(const PdView *v, PdClass *c);

/* remote.c */
extern bool pd_rule_ssh(const PdView *v, PdClass *c);
extern bool pd_rule_rdp(const PdView *v, PdClass *c);
extern bool pd_rule_vnc(const PdView *v, PdClass *c);
extern bool pd_rule_telnet(const PdView *v, PdClass *c);
extern bool pd_rule_x11(const PdView *v, PdClass *c);

/* directory.c */
extern bool pd_rule_kerberos(const PdView *v, PdClass *c);
extern bool pd_rule_ldap(const PdView *v, PdClass *c);
extern bool pd_rule_dns(const PdView *v, PdClass *c);

/* databases.c */
extern bool pd_rule_redis(const PdView *v, PdClass *c);
extern bool pd_rule_memcached(const PdView *v, PdClass *c);
extern bool pd_rule_mongodb(const PdView *v, PdClass *c);
extern bool pd_rule_mssql(const PdView *v, PdClass *c);
extern bool pd_rule_oracle(const PdView *v, PdClass *c);
extern bool pd_rule_cassandra(const PdView *v, PdClass *c);

/* messaging.c */
extern bool pd_rule_kafka(const PdView *v, PdClass *c);
extern bool pd_rule_amqp(const PdView *v, PdClass *c);
extern bool pd_rule_mqtt(const PdView *v, PdClass *c);
extern bool pd_rule_stomp(const PdView *v, PdClass *c);
extern bool pd_rule_nats(const PdView *v, PdClass *c);
extern bool pd_rule_zmtp(const PdView *v, PdClass *c);
extern bool pd_rule_xmpp(const PdView *v, PdClass *c);

/* text.c: client-first line protocols */
extern bool pd_rule_git(const PdView *v, PdClass *c);
extern bool pd_rule_rsync(const PdView *v, PdClass *c);
extern bool pd_rule_smtp(const PdView *v, PdClass *c);
extern bool pd_rule_ftp(const PdView *v, PdClass *c);
extern bool pd_rule_pop3(const PdView *v, PdClass *c);
extern bool pd_rule_irc(const PdView *v, PdClass *c);
extern bool pd_rule_cvs(const PdView *v, PdClass *c);
extern bool pd_rule_dict(const PdView *v, PdClass *c);
extern bool pd_rule_imap(const PdView *v, PdClass *c);

/* other.c */
extern bool pd_rule_smb(const PdView *v, PdClass *c);
extern bool pd_rule_socks(const PdView *v, PdClass *c);
extern bool pd_rule_java_rmi(const PdView *v, PdClass *c);
extern bool pd_rule_onc_rpc(const PdView *v, PdClass *c);
extern bool pd_rule_ajp(const PdView *v, PdClass *c);
extern bool pd_rule_bittorrent(const PdView *v, PdClass *c);
extern bool pd_rule_distcc(const PdView *v, PdClass *c);
extern bool pd_rule_jdwp(const PdView *v, PdClass *c);
extern bool pd_rule_iscsi(const PdView *v, PdClass *c);

/* industrial.c */
extern bool pd_rule_modbus(const PdView *v, PdClass *c);
extern bool pd_rule_iso_tsap(const PdView *v, PdClass *c);
extern bool pd_rule_dnp3(const PdView *v, PdClass *c);
extern bool pd_rule_iec104(const PdView *v, PdClass *c);
extern bool pd_rule_enip(const PdView *v, PdClass *c);
extern unsigned pd_dnp3_crc_step(unsigned crc, int b);

/* automation.c */
extern bool pd_rule_fox(const PdView *v, PdClass *c);
extern bool pd_rule_fins(const PdView *v, PdClass *c);
extern bool pd_rule_hart_ip(const PdView *v, PdClass *c);
extern bool pd_rule_pcworx(const PdView *v, PdClass *c);

/* medical.c */
extern bool pd_rule_dicom(const PdView *v, PdClass *c);
extern bool pd_rule_hl7(const PdView *v, PdClass *c);

/* rpc.c */
extern bool pd_rule_dcerpc(const PdView *v, PdClass *c);
extern bool pd_rule_thrift(const PdView *v, PdClass *c);
extern bool pd_rule_giop(const PdView *v, PdClass *c);
extern bool pd_rule_hadoop_ipc(const PdView *v, PdClass *c);
extern bool pd_rule_java_serial(const PdView *v, PdClass *c);

/* sqldb.c */
extern bool pd_rule_mysql(const PdView *v, PdClass *c);
extern bool pd_rule_mssql_login(const PdView *v, PdClass *c);
extern bool pd_rule_tds_login(const PdView *v, PdClass *c);
extern bool pd_rule_drda(const PdView *v, PdClass *c);
extern bool pd_rule_clickhouse(const PdView *v, PdClass *c);

/* nosql.c */
extern bool pd_rule_bolt(const PdView *v, PdClass *c);
extern bool pd_rule_zookeeper(const PdView *v, PdClass *c);
extern bool pd_rule_memcached_binary(const PdView *v, PdClass *c);
/*
 * tools.c: the tool pass, run once after the rules, and the one table of
 * the tool names the classifier gives (sorted)
 */
extern void pd_tools(const PdView *v, PdClass *c);
extern const char *const pd_tool_names[];
extern const int pd_tool_name_count;

/* Is tool one of pd_tool_names, or "nmap -sV " and an nmap probe's name? */
extern bool pd_tool_known(const char *tool);

/* Do all marks name tools of the table?  If not, *bad is one that does not. */
extern bool pd_tool_marks_known(const char **bad);

/* postgres.c: PostgreSQL itself, last, with what the server knows too */
extern bool pd_rule_postgres(const PdView *v, const PdProbe *probe,
							 PdClass *c);

/*
 * One start-up parameter of a "name\0value\0..." list, as PostgreSQL parsed
 * it (PdProbe.params) or as a StartupMessage carries it.
 */
typedef struct PdParam
{
	const char *name;			/* NUL-terminated, never empty */
	size_t		name_len;
	const char *value;
	size_t		value_len;
	bool		complete;		/* value NUL-terminated within the list */
} PdParam;

/*
 * The parameter at *pos, and *pos moved past it.  False at the end of the
 * list: an empty or unterminated name, or a name with no value byte.  A
 * value cut off by the end of the list is still returned, as incomplete,
 * and ends the list.
 */
extern bool pd_params_next(const char *params, size_t len, size_t *pos,
						   PdParam *param);

/* nmap.c and its generated table, nmap_table.c */
#define PD_NMAP_HASHED_MAX 64

/* One nmap TCP probe: total length and FNV-1a of bytes 4 .. 4 + hashed. */
typedef struct PdNmapProbe
{
	const char *name;
	const char *protocol;		/* NULL when the probe's target is vague */
	uint16_t	length;
	uint16_t	hashed;
	uint64_t	hash;
} PdNmapProbe;

extern const PdNmapProbe pd_nmap_probes[];
extern const int pd_nmap_probe_count;

/* The nmap probe whose exact bytes these are, or NULL. */
extern const PdNmapProbe *pd_nmap_match(const PdProbe *probe);

/* If the bytes are an nmap probe's: its tool name and, if known, protocol. */
extern void pd_nmap_classify(const PdProbe *probe, PdClass *out);

#endif							/* PD_CLASSIFY_CATALOGUE_H */
