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

/*
 * memcached text protocol: a stats or version command alone.  Without the
 * first four bytes, "ion\r\n" (of "version") and the stats sub-commands
 * ("s items\r\n") are still distinctive; a bare "s\r\n" is not.
 */
bool
pd_rule_memcached(const PdView *v, PdClass *c)
{
	static const char *const cmds[] = {"stats\r\n", "version\r\n",
		"stats items\r\n", "stats slabs\r\n", "stats settings\r\n",
	"stats sizes\r\n", "stats conns\r\n"};
	size_t		k;
	size_t		from = v->off;

	for (k = 0; k < lengthof_(cmds); k++)
	{
		size_t		n = strlen(cmds[k]);

		if (pd_end(v) != n || (v->off != 0 && n <= 7) ||
			!pd_is(v, from, cmds[k] + from, n - from))
			continue;
		{
			PdStr		d;

			PD_SET(c->protocol, "memcached");
			pd_str_init(&d, c->detail, sizeof(c->detail));
			if (v->off != 0)
				pd_str_add(&d, "(first four bytes consumed) ");
			pd_str_addn(&d, (const uint8_t *) cmds[k], n - 2);
			return true;
		}
	}
	return false;
}

/*
 * MongoDB wire protocol: responseTo 0 (or -1, as nmap's probe sets it) and
 * a known client opcode: OP_QUERY, OP_MSG, OP_COMMAND.
 */
bool
pd_rule_mongodb(const PdView *v, PdClass *c)
{
	long long	op = pd_le32(v, 12);
	long long	rt = pd_le32(v, 8);
	PdStr		d;

	if ((rt != 0 && rt != 0xffffffffLL) || (op != 2004 && op != 2013 && op != 2010))
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

/*
 * Microsoft SQL Server: TDS PRELOGIN with a well-formed option list: zero
 * SPID and window, ascending tokens up to 0x08 ended by 0xff, and option
 * data laid out back to back from just after the list, within the packet.
 */
bool
pd_rule_mssql(const PdView *v, PdClass *c)
{
	size_t		p = 8;
	int			last = -1;
	long		next = -1;
	int			k;

	if (v->off == 0 && (pd_at(v, 0) != 0x12 || pd_at(v, 1) != 0x01))
		return false;
	if (pd_be16(v, 4) != 0 || pd_at(v, 7) != 0 || pd_at(v, 8) != 0)
		return false;
	for (k = 0; k < 12; k++, p += 5)
	{
		int			t = pd_at(v, p);
		long		o = pd_be16(v, p + 1);
		long		l = pd_be16(v, p + 3);

		if (t == 0xff)
			break;
		if (t < 0 || t <= last || t > 0x08 || o < 0 || l < 0 ||
			(next >= 0 && o != next))
			return false;
		last = t;
		next = o + l;
	}
	if (k == 0 || k == 12 || pd_be16(v, 9) != 5 * k + 1 ||
		(size_t) (8 + next) > pd_end(v) ||
		(v->off == 0 && pd_be16(v, 2) != 8 + next))
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
	/* compatible version no newer; "value of one in hardware" either way */
	if (pd_be16(v, 10) < 0x0100 || pd_be16(v, 10) > ver ||
		(pd_be16(v, 22) != 0x0100 && pd_be16(v, 22) != 0x0001))
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

/*
 * Cassandra CQL native protocol: OPTIONS or STARTUP.  Versions 3-5 have a
 * two-byte stream id, so the opcode is byte 4 and the length bytes 5-8;
 * versions 1 and 2 have a one-byte stream id: opcode 3, length 4-7.
 */
bool
pd_rule_cassandra(const PdView *v, PdClass *c)
{
	int			op = pd_at(v, 4);
	long long	body = pd_be32(v, 5);
	int			ver = pd_at(v, 0);

	if (v->off == 0 && (ver < 1 || ver > 5))
		return false;
	if (v->off != 0 || ver <= 2)
	{
		/* v1/v2: STARTUP with its CQL_VERSION, or (whole) OPTIONS */
		long long	b2 = pd_be32(v, 4);

		if (v->off == 0 && pd_at(v, 3) == 0x05 && b2 == 0 && pd_end(v) == 8)
			return pd_found(c, "cassandra", "CQL OPTIONS (v1/v2)");
		if ((v->off != 0 || pd_at(v, 3) == 0x01) && b2 > 0 &&
			b2 + 8 == (long long) pd_end(v) && PD_IS(v, 10, "\0\x0b" "CQL_VERSION"))
			return pd_found(c, "cassandra", "CQL STARTUP (v1/v2)");
		if (v->off == 0)
			return false;
	}
	if (op == 0x05 && body == 0 && pd_end(v) == 9)
		return pd_found(c, "cassandra", "CQL OPTIONS");
	if (op == 0x01 && body > 0 && body < 4096 &&
		pd_find_str(v, 9, "CQL_VERSION", 64) >= 0)
		return pd_found(c, "cassandra", "CQL STARTUP");
	return false;
}
