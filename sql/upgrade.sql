-- 1.0 and 1.1 are released: 1.2 is reached from each by ALTER EXTENSION
-- ... UPDATE, and the result is what CREATE EXTENSION gives.
DROP EXTENSION probe_detect;
CREATE EXTENSION probe_detect VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT count(*) FROM pg_proc WHERE proname = 'probe_detect_counters';
-- what 1.0 had keeps working with the newest module
SELECT count(*) FROM probe_detect_events;
SELECT ring_size FROM probe_detect_stats;

ALTER EXTENSION probe_detect UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT count(*) > 0 AS has_rows FROM probe_detect_counters;
-- 1.1's events view, 16 columns, with the newest module
SELECT count(*) FROM probe_detect_events;
SELECT count(*) AS columns FROM pg_attribute
 WHERE attrelid = 'probe_detect_events'::regclass AND attnum > 0;

ALTER EXTENSION probe_detect UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT count(*) FROM probe_detect_events WHERE occurrences < 1;
SELECT string_agg(attname, ', ' ORDER BY attnum) AS events_columns
  FROM pg_attribute
 WHERE attrelid = 'probe_detect_events'::regclass AND attnum > 0;

-- the same objects and privileges as a fresh 1.2
CREATE TEMP TABLE upgraded AS
SELECT pg_describe_object(classid, objid, 0) AS object,
       CASE WHEN classid = 'pg_proc'::regclass
            THEN (SELECT proacl::text FROM pg_proc WHERE oid = objid)
            WHEN classid = 'pg_class'::regclass
            THEN (SELECT relacl::text FROM pg_class WHERE oid = objid) END AS acl
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'probe_detect')
   AND classid IN ('pg_proc'::regclass, 'pg_class'::regclass);
DROP EXTENSION probe_detect;
CREATE EXTENSION probe_detect;
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT object, acl FROM upgraded
EXCEPT
SELECT pg_describe_object(classid, objid, 0),
       CASE WHEN classid = 'pg_proc'::regclass
            THEN (SELECT proacl::text FROM pg_proc WHERE oid = objid)
            WHEN classid = 'pg_class'::regclass
            THEN (SELECT relacl::text FROM pg_class WHERE oid = objid) END
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'probe_detect')
   AND classid IN ('pg_proc'::regclass, 'pg_class'::regclass);
SELECT count(*) AS objects FROM upgraded;
SELECT string_agg(attname, ', ' ORDER BY attnum) AS events_columns
  FROM pg_attribute
 WHERE attrelid = 'probe_detect_events'::regclass AND attnum > 0;
