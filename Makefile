# probe_detect/Makefile

MODULE_big = probe_detect
OBJS = probe_detect.o pd_capture.o pd_ring.o pd_text.o
EXTENSION = probe_detect
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
DATA = $(EXTENSION)--$(EXTVERSION).sql
PGFILEDESC = "probe_detect - identify and record non-PostgreSQL traffic"

# pg_regress runs twice: with the module preloaded (REGRESS) and without it
# (REGRESS_NOPRELOAD), each in a throwaway instance.
REGRESS = probe_detect privileges decode
REGRESS_NOPRELOAD = not_preloaded
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=$(srcdir)/test/preload.conf
TAP_TESTS = 1

PG_CONFIG ?= pg_config
# Our code builds clean under -Wall -Wextra; the server's headers do not
# (unused parameters in inline functions), so they are system headers here.
PG_CFLAGS = -Wall -Wextra -Werror
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: regress regress-preload regress-nopreload tap unit

regress: regress-preload regress-nopreload

regress-preload:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

regress-nopreload:
	$(pg_regress_installcheck) --temp-instance=./tmp_check_nopreload \
		--outputdir=./results_nopreload $(REGRESS_NOPRELOAD)

# TAP tests need the module installed; PROVE_TESTS picks a subset.
tap:
	$(prove_installcheck)

# C unit tests of the parts that need no server.
unit: test/unit_text
	./test/unit_text

test/unit_text: test/unit_text.c pd_text.c pd_text.h
	$(CC) -std=c99 -Wall -Wextra -Werror -O1 -g -I. -o $@ test/unit_text.c pd_text.c

EXTRA_CLEAN = test/unit_text results_nopreload tmp_check_nopreload
