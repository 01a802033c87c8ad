-- The probe_detect. prefix is reserved: 15+ refuses a new setting under it
-- (MarkGUCPrefixReserved).  13 and 14 have only EmitWarningsOnPlaceholders(),
-- which warns about placeholders that exist when the module loads and lets
-- a later SET create one (expected/reserved_prefix_1.out).
SET probe_detect.no_such_setting = 1;
SHOW probe_detect.no_such_setting;
