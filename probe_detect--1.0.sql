/* probe_detect--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION probe_detect" to load this file. \quit

CREATE FUNCTION probe_detect_events(
    OUT event_id bigint,
    OUT seen_at timestamptz,
    OUT pid int,
    OUT client_addr inet,
    OUT client_port int,
    OUT kind text,
    OUT protocol_version text,
    OUT raw_bytes bytea,
    OUT raw_offset int,
    OUT raw_ascii text,
    OUT protocol text,
    OUT tool text,
    OUT detail text,
    OUT user_name text,
    OUT database_name text,
    OUT message text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'probe_detect_events'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_events AS
    SELECT * FROM probe_detect_events() ORDER BY event_id;

CREATE FUNCTION probe_detect_stats(
    OUT ring_size int,
    OUT events_total bigint,
    OUT events_overwritten bigint,
    OUT since timestamptz
)
RETURNS record
AS 'MODULE_PATHNAME', 'probe_detect_stats'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_stats AS
    SELECT * FROM probe_detect_stats();

CREATE FUNCTION probe_detect_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'probe_detect_reset'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION probe_detect_decode(
    protocol_version text,
    OUT raw_bytes bytea,
    OUT raw_ascii text,
    OUT protocol text,
    OUT tool text
)
RETURNS record
AS 'MODULE_PATHNAME', 'probe_detect_decode'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION probe_detect_classify(
    payload bytea,
    OUT protocol text,
    OUT tool text,
    OUT detail text
)
RETURNS record
AS 'MODULE_PATHNAME', 'probe_detect_classify'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION probe_detect_sources(
    OUT client_addr inet,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz,
    OUT events bigint,
    OUT kinds text[],
    OUT protocols text[],
    OUT tools text[],
    OUT auth_failures bigint,
    OUT auth_abandoned bigint,
    OUT hba_rejections bigint,
    OUT users_tried text[],
    OUT verdict text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'probe_detect_sources'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_sources AS
    SELECT * FROM probe_detect_sources() ORDER BY last_seen DESC, client_addr;

CREATE FUNCTION probe_detect_refused(
    OUT client_addr inet,
    OUT since timestamptz,
    OUT until timestamptz,
    OUT reason text
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'probe_detect_refused'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_refused AS
    SELECT * FROM probe_detect_refused() ORDER BY since, client_addr;

CREATE FUNCTION probe_detect_unrefuse(client_addr inet)
RETURNS boolean
AS 'MODULE_PATHNAME', 'probe_detect_unrefuse'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

-- Client addresses are personal data: nothing for PUBLIC.
REVOKE ALL ON FUNCTION probe_detect_events() FROM PUBLIC;
REVOKE ALL ON FUNCTION probe_detect_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION probe_detect_reset() FROM PUBLIC;
REVOKE ALL ON FUNCTION probe_detect_sources() FROM PUBLIC;
REVOKE ALL ON FUNCTION probe_detect_refused() FROM PUBLIC;
REVOKE ALL ON FUNCTION probe_detect_unrefuse(inet) FROM PUBLIC;
REVOKE ALL ON probe_detect_events FROM PUBLIC;
REVOKE ALL ON probe_detect_stats FROM PUBLIC;
REVOKE ALL ON probe_detect_sources FROM PUBLIC;
REVOKE ALL ON probe_detect_refused FROM PUBLIC;

GRANT EXECUTE ON FUNCTION probe_detect_events() TO pg_read_all_stats;
GRANT EXECUTE ON FUNCTION probe_detect_stats() TO pg_read_all_stats;
GRANT SELECT ON probe_detect_events TO pg_read_all_stats;
GRANT SELECT ON probe_detect_stats TO pg_read_all_stats;
GRANT EXECUTE ON FUNCTION probe_detect_sources() TO pg_read_all_stats;
GRANT SELECT ON probe_detect_sources TO pg_read_all_stats;
GRANT EXECUTE ON FUNCTION probe_detect_refused() TO pg_read_all_stats;
GRANT SELECT ON probe_detect_refused TO pg_read_all_stats;
