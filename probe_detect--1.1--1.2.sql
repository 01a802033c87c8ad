/* probe_detect--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION probe_detect UPDATE TO '1.2'" to load this file. \quit

-- Repeats of one pattern from one source are folded into one event
-- (probe_detect.repeat_window): the events say how many times, and when the
-- last one was.
DROP VIEW probe_detect_events;
DROP FUNCTION probe_detect_events();

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
    OUT message text,
    OUT occurrences bigint,
    OUT last_seen timestamptz
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'probe_detect_events_1_2'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_events AS
    SELECT * FROM probe_detect_events() ORDER BY event_id;

REVOKE ALL ON FUNCTION probe_detect_events() FROM PUBLIC;
REVOKE ALL ON probe_detect_events FROM PUBLIC;
GRANT EXECUTE ON FUNCTION probe_detect_events() TO pg_read_all_stats;
GRANT SELECT ON probe_detect_events TO pg_read_all_stats;
