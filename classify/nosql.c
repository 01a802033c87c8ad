/*-------------------------------------------------------------------------
 *
 * nosql.c
 *	  Graph stores and coordination services: Neo4j Bolt, ZooKeeper (its
 *	  four-letter words and ConnectRequest) and memcached's binary
 *	  protocol.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/*
 * Neo4j Bolt handshake: magic 0x6060b017 and four proposed versions, 20
 * bytes in all.  Each version is 00 <range> <minor> <major>, major 1-6;
 * unused slots are zero and come last.  Without the magic, the four
 * versions alone, with at least the first one proposed.
 */
bool
pd_rule_bolt(const PdView *v, PdClass *c)
{
	int			k;
	bool		zero = false;
	PdStr		d;

	if (pd_end(v) != 20 || (v->off == 0 && !PD_IS(v, 0, "\x60\x60\xb0\x17")))
		return false;
	for (k = 0; k < 4; k++)
	{
		size_t		p = 4 + 4 * (size_t) k;
		int			major = pd_at(v, p + 3);

		if (pd_at(v, p) != 0)
			return false;
		if (pd_be32(v, p) == 0)
		{
			zero = true;
			continue;
		}
		if (zero || major < 1 || major > 6 || pd_at(v, p + 1) > pd_at(v, p + 2) ||
			pd_at(v, p + 2) > 9)
			return false;
	}
	if (pd_be32(v, 4) == 0)
		return false;
	PD_SET(c->protocol, "bolt");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "handshake, first version %d.%d", pd_at(v, 7), pd_at(v, 6));
	return true;
}

/*
 * ZooKeeper: a four-letter admin word, exactly four bytes (whole stream
 * only: PostgreSQL consumes all four); or a ConnectRequest: length 44 or
 * 45, protocol version 0, a session timeout, a 16-byte password.
 */
bool
pd_rule_zookeeper(const PdView *v, PdClass *c)
{
	static const char *const words[] = {"ruok", "stat", "srvr", "conf",
		"cons", "crst", "dump", "envi", "mntr", "wchs", "wchc", "wchp",
	"isro", "srst", "gtmk", "dirs"};
	long long	len = pd_be32(v, 0);
	long long	timeout = pd_be32(v, 16);
	size_t		k;
	PdStr		d;

	if (v->off == 0 && pd_end(v) == 4)
	{
		for (k = 0; k < lengthof_(words); k++)
			if (pd_is(v, 0, words[k], 4))
			{
				PD_SET(c->protocol, "zookeeper");
				pd_str_init(&d, c->detail, sizeof(c->detail));
				pd_str_add(&d, "four-letter word ");
				pd_str_add(&d, words[k]);
				return true;
			}
		return false;
	}
	if (v->off != 0 || (len != 44 && len != 45) || len + 4 != (long long) pd_end(v) ||
		pd_be32(v, 4) != 0 || timeout < 100 || timeout > 3600000 ||
		pd_be32(v, 28) != 16)
		return false;
	return pd_found(c, "zookeeper", "ConnectRequest");
}

/*
 * memcached binary protocol: request magic 0x80, a known opcode, data type
 * 0, and a body length that holds key and extras and ends the stream.
 * Whole stream only: without the magic and opcode the header is mostly
 * zeros.
 */
bool
pd_rule_memcached_binary(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 1);
	long		kl = pd_be16(v, 2);
	int			el = pd_at(v, 4);
	long long	body = pd_be32(v, 8);
	PdStr		d;

	if (v->off != 0 || pd_at(v, 0) != 0x80 || pd_at(v, 5) != 0 ||
		body < kl + el || body + 24 != (long long) pd_end(v))
		return false;
	if (op != 0x00 && op != 0x0a && op != 0x0b && op != 0x10 && op != 0x20 &&
		op != 0x21)
		return false;
	PD_SET(c->protocol, "memcached");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "binary %s", op == 0x0b ? "version" : op == 0x10 ? "stat" :
				op == 0x0a ? "noop" : op == 0 ? "get" : "SASL");
	return true;
}
