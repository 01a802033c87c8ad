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

PG_CONFIG ?= $(shell command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)
# Our code builds clean under -Wall -Wextra; the server's headers do not
# (unused parameters in inline functions), so they are system headers here.
PG_CFLAGS = -Wall -Wextra -Werror
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "pg_config not found: run 'make test' or scripts/setup.sh first, or set PG_CONFIG" >&2
	@exit 1
endif

# The README's two commands: they install what is missing first, so they
# work on a machine that has no PostgreSQL yet.
.PHONY: test demo
test:
	bash scripts/test.sh
demo:
	bash scripts/demo.sh

.PHONY: regress regress-preload regress-nopreload tap unit fuzz

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

# libFuzzer with address and undefined-behaviour sanitizers, for a fixed time.
FUZZ_SECONDS ?= 30
CLANG_FUZZ ?= clang
fuzz: test/fuzz_text
	rm -rf test/fuzz_work && mkdir -p test/fuzz_work
	./test/fuzz_text -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		-error_exitcode=1 test/fuzz_work

test/fuzz_text: test/fuzz_text.c pd_text.c pd_text.h
	$(CLANG_FUZZ) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -I. -o $@ test/fuzz_text.c pd_text.c

EXTRA_CLEAN = test/unit_text test/fuzz_text test/fuzz_work results_nopreload tmp_check_nopreload
