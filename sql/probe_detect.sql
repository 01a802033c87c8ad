-- The SQL surface of probe_detect, with the module preloaded.
CREATE EXTENSION probe_detect;

-- every object the extension owns
SELECT pg_describe_object(classid, objid, 0) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'probe_detect')
   -- 17+ also lists the views' row types and their arrays: not ours to list
   AND NOT EXISTS (SELECT 1 FROM pg_type t
                    WHERE classid = 'pg_type'::regclass AND t.oid = objid
                      AND (t.typrelid <> 0 OR t.typelem IN
                           (SELECT oid FROM pg_type WHERE typrelid <> 0)))
 ORDER BY 1;

-- the columns of the views, in order
SELECT table_name, ordinal_position, column_name, data_type
  FROM information_schema.columns
 WHERE table_name IN ('probe_detect_events', 'probe_detect_stats', 'probe_detect_sources',
                      'probe_detect_counters')
 ORDER BY table_name, ordinal_position;

-- settings, as preloaded by test/preload.conf
SHOW probe_detect.enabled;
SHOW probe_detect.max_events;
SHOW probe_detect.capture_bytes;
SELECT name, context, unit, min_val, max_val, boot_val
  FROM pg_settings WHERE name LIKE 'probe_detect.%' ORDER BY name;

-- POSTMASTER settings cannot change at run time
SET probe_detect.max_events = 200;
-- SIGHUP settings cannot be SET either
SET probe_detect.enabled = off;

-- connections over the Unix socket are not probes: the ring is empty
SELECT ring_size, events_total, events_overwritten, since <= now() AS since_ok
  FROM probe_detect_stats;
SELECT count(*) FROM probe_detect_events;

-- reset empties and restamps
SELECT since AS before_reset FROM probe_detect_stats \gset
SELECT probe_detect_reset();
SELECT events_total, events_overwritten, since >= :'before_reset' AS restamped
  FROM probe_detect_stats;
SELECT count(*) FROM probe_detect_events;

-- the functions behind the views are callable directly too
SELECT count(*) FROM probe_detect_events();
SELECT ring_size FROM probe_detect_stats();
SELECT count(*) FROM probe_detect_sources;

-- the counters: a fixed set of rows from closed lists, all zero here
SELECT counter, count(*) AS labels, sum(value) AS total
  FROM probe_detect_counters GROUP BY counter ORDER BY counter;
SELECT label FROM probe_detect_counters
 WHERE counter = 'events_by_kind' ORDER BY label;
SELECT count(*) AS rows, count(DISTINCT (counter, label)) AS distinct_rows
  FROM probe_detect_counters;
