/* probe_detect--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION probe_detect UPDATE TO '1.1'" to load this file. \quit

-- Cumulative counters for monitoring: a fixed set of rows (every label from
-- a closed list, zeros included), kept across ring wraps and clean restarts.
CREATE FUNCTION probe_detect_counters(
    OUT counter text,
    OUT label text,
    OUT value bigint
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'probe_detect_counters'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE VIEW probe_detect_counters AS
    SELECT * FROM probe_detect_counters();

REVOKE ALL ON FUNCTION probe_detect_counters() FROM PUBLIC;
REVOKE ALL ON probe_detect_counters FROM PUBLIC;
GRANT EXECUTE ON FUNCTION probe_detect_counters() TO pg_read_all_stats;
GRANT SELECT ON probe_detect_counters TO pg_read_all_stats;
