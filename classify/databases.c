/*-------------------------------------------------------------------------
 *
 * databases.c
 *	  Other databases and caches: Redis, memcached, MongoDB, SQL Server,
 *	  Oracle TNS and Cassandra.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* Redis RESP: "*N\r\n$M\r\nCMD\r\n"; the "*N\r\n" may be gone. */
bool
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
bool
pd_rule_memcached(const PdView *v, PdClass *c)
{
	static const char *const cmds[] = {"stats\r\n", "version\r\n", "stats items\r\n",
	"stats slabs\r\n", "stats settings\r\n"};
	size_t		k;

	if (v->off != 0)
		return false;
	for (k = 0; k < lengthof_(cmds); k++)
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
bool
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
bool
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
	return pd_found(c, "mssql", "TDS PRELOGIN");
}

/* Oracle TNS CONNECT packet. */
bool
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
bool
pd_rule_cassandra(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 4);
	long long	body = pd_be32(v, 5);

	if (v->off == 0 && (pd_at(v, 0) < 1 || pd_at(v, 0) > 5))
		return false;
	if (op == 0x05 && body == 0 && pd_end(v) == 9)
		return pd_found(c, "cassandra", "CQL OPTIONS");
	if (op == 0x01 && body > 0 && body < 4096 &&
		pd_find_str(v, 9, "CQL_VERSION", 64) >= 0)
		return pd_found(c, "cassandra", "CQL STARTUP");
	return false;
}
