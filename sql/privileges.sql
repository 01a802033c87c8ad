-- Client addresses are personal data: nobody but superusers and members of
-- pg_read_all_stats may read them; only superusers may reset unless granted.
CREATE ROLE regress_nobody;
CREATE ROLE regress_monitor IN ROLE pg_read_all_stats;
CREATE ROLE regress_resetter;

SET ROLE regress_nobody;
SELECT count(*) FROM probe_detect_events;
SELECT count(*) FROM probe_detect_stats;
SELECT count(*) FROM probe_detect_sources;
SELECT count(*) FROM probe_detect_counters;
SELECT count(*) FROM probe_detect_events();
SELECT count(*) FROM probe_detect_stats();
SELECT probe_detect_reset();
-- decoding an old log line reveals nothing about clients
SELECT raw_ascii FROM probe_detect_decode('65363.19778');
SELECT protocol FROM probe_detect_classify('\x5353482d322e302d476f0d0a');
RESET ROLE;

SET ROLE regress_monitor;
SELECT count(*) >= 0 AS can_read FROM probe_detect_events;
SELECT ring_size FROM probe_detect_stats;
SELECT count(*) >= 0 AS can_read FROM probe_detect_sources;
SELECT count(*) > 0 AS can_read FROM probe_detect_counters;
SELECT probe_detect_reset();
RESET ROLE;

GRANT EXECUTE ON FUNCTION probe_detect_reset() TO regress_resetter;
SET ROLE regress_resetter;
SELECT probe_detect_reset();
SELECT count(*) FROM probe_detect_events;
RESET ROLE;

-- what PUBLIC holds on each object: nothing but decode and classify
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p
 WHERE p.proname LIKE 'probe_detect%'
 ORDER BY 1;
SELECT c.relname, has_table_privilege('public', c.oid, 'SELECT') AS public_select
  FROM pg_class c
 WHERE c.relname LIKE 'probe_detect%'
 ORDER BY 1;

DROP ROLE regress_nobody;
DROP ROLE regress_monitor;
REVOKE EXECUTE ON FUNCTION probe_detect_reset() FROM regress_resetter;
DROP ROLE regress_resetter;
