/*-------------------------------------------------------------------------
 *
 * messaging.c
 *	  Message brokers: Kafka, AMQP, MQTT and STOMP.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/*
 * Kafka: a request header whose api_key and api_version PostgreSQL read as
 * a protocol version.  ApiVersions (18) is what every client sends first.
 */
bool
pd_rule_kafka(const PdView *v, PdClass *c)
{
	long		key = pd_be16(v, 4);
	long		ver = pd_be16(v, 6);
	PdStr		d;

	if (key != 18 || ver < 0 || ver > 4)
		return false;
	if (pd_end(v) > 8)
	{
		/* more is known: correlation id, then a printable client id */
		long		cl = pd_be16(v, 12);
		long		k;

		if (cl < 0 || cl > 128)
			return false;
		for (k = 0; k < cl && 14 + k < (long) pd_end(v); k++)
		{
			int			ch = pd_at(v, 14 + k);

			if (ch < 0x20 || ch >= 0x7f)
				return false;
		}
	}
	PD_SET(c->protocol, "kafka");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "ApiVersions request v%ld", ver);
	if (pd_end(v) > 14)
	{
		long		cl = pd_be16(v, 12);

		if (cl > 0)
		{
			pd_str_add(&d, "; client id ");
			pd_str_addv(&d, v, 14, (size_t) cl);
		}
	}
	return true;
}

bool
pd_rule_amqp(const PdView *v, PdClass *c)
{
	static const uint8_t hdr[][4] = {{0, 0, 9, 1}, {0, 0, 8, 0}, {1, 1, 0, 9},
	{0, 1, 0, 0}, {3, 1, 0, 0}, {2, 1, 0, 0}};
	size_t		k;

	if (pd_end(v) != 8 || (v->off == 0 && !PD_IS(v, 0, "AMQP")))
		return false;
	for (k = 0; k < lengthof_(hdr); k++)
		if (pd_is(v, 4, (const char *) hdr[k], 4))
			return pd_found(c, "amqp", k < 3 ? "AMQP 0-9-1 protocol header" :
					"AMQP 1.0 protocol header");
	return false;
}

/* MQTT CONNECT: "MQTT" or "MQIsdp" right after the fixed header. */
bool
pd_rule_mqtt(const PdView *v, PdClass *c)
{
	size_t		p;
	int			level;
	PdStr		d;

	if (v->off == 0 && pd_at(v, 0) != 0x10)
		return false;
	if (PD_IS(v, 2, "\0\x04MQTT") || PD_IS(v, 4, "MQTT"))
		p = 8;
	else if (PD_IS(v, 3, "\0\x04MQTT") || (pd_at(v, 4) == 4 && PD_IS(v, 5, "MQTT")))
		p = 9;
	else if (PD_IS(v, 4, "MQIsdp") && (v->off != 0 || PD_IS(v, 2, "\0\x06")))
		p = 10;
	else
		return false;
	level = pd_at(v, p);
	if (level < 3 || level > 5)
		return false;
	PD_SET(c->protocol, "mqtt");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "CONNECT protocol level %d", level);
	if (level < 5)
	{
		long		idl = pd_be16(v, p + 4);

		if (idl > 0 && idl < 128)
		{
			pd_str_add(&d, "; client id ");
			pd_str_addv(&d, v, p + 6, (size_t) idl);
		}
	}
	return true;
}

bool
pd_rule_stomp(const PdView *v, PdClass *c)
{
	size_t		n2,
				next2;
	bool		cmd;

	if (v->off == 0)
		cmd = PD_IS(v, 0, "CONNECT\n") || PD_IS(v, 0, "STOMP\n") ||
			PD_IS(v, 0, "CONNECT\r\n") || PD_IS(v, 0, "STOMP\r\n");
	else
		cmd = PD_IS(v, 4, "ECT\n") || PD_IS(v, 4, "P\n") ||
			PD_IS(v, 4, "ECT\r\n") || PD_IS(v, 4, "P\r\n");
	if (!cmd || !v->line || !pd_line(v, v->line_next, &n2, &next2))
		return false;
	if (!PD_IS(v, v->line_next, "accept-version:") &&
		!PD_IS(v, v->line_next, "host:") && !PD_IS(v, v->line_next, "login:"))
		return false;
	return pd_found(c, "stomp", "CONNECT frame");
}
