# latchkey - build, run, test.
#
#   make            install the build's Debian packages if missing, build ./latchkey (-O2)
#   make run        build and serve on 127.0.0.1:8080 with ./var/latchkey.db
#   make check      also install the test tools; unit + end-to-end tests;
#                   last line "N passed, N failed"
#   make sanitize   the same suites under AddressSanitizer + UBSan
#   make fresh-check  `make run` and `make check` in a fresh Debian 12 chroot
#   make bench      the benchmark against nginx (README "Performance")
#   make format | format-check | tidy | cppcheck
#   V=1 shows the full compiler command lines

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
V       ?=
Q       := $(if $(V),,@)
PKGS    := libmicrohttpd libsodium jansson sqlite3 libpq librhonabwy hiredis libcurl
WARN    := -std=c17 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wcast-qual -Wformat=2
# The libraries' flags are asked of pkg-config when the first recipe needs
# them, not when this file is read: on a fresh machine `make deps` has not
# installed pkg-config and the -dev packages yet at that point. Every
# compile and link waits for deps (order-only prerequisites below), and the
# first expansion stores the answer, so pkg-config runs once per make.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg_config,--cflags))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(call pkg_config,--libs))$(PKG_LIBS)
pkg_config = $(call pkg_check,$(shell pkg-config $(1) $(PKGS) 2>/dev/null || echo PKG_FAILED),$(1))
pkg_check  = $(if $(filter PKG_FAILED,$(1)),$(error pkg-config $(2) $(PKGS) failed (make deps?)),$(1))
CFLAGS   = $(OPT) -g $(WARN) -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(SAN) $(PKG_CFLAGS)
LDLIBS   = $(PKG_LIBS) -lcrypt -lpthread
LDFLAGS := $(SAN)

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/migrations.o
MIGR     := $(sort $(wildcard src/store/migrations/*.sql))
UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps test-deps run check unit e2e sanitize clean format format-check tidy cppcheck \
        bench bench-tools fresh-check

all: deps latchkey

# deps: what building needs (compiler, pkg-config, the -dev libraries);
# test-deps: also what the tests run (cmocka, PostgreSQL, Redis, nginx,
# Node, ...). test-deps waits for deps, so two apt-gets never run at once.
deps:
	@scripts/deps.sh build

test-deps: deps
	@scripts/deps.sh test

latchkey: $(BUILD)/latchkey
	@cp $< $@

$(BUILD)/latchkey: $(BUILD)/obj/main.o $(BUILD)/liblatchkey.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/liblatchkey.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGR) scripts/embed-migrations.sh | deps
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-migrations.sh $(MIGR) > $@

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblatchkey.a | test-deps
	@mkdir -p $(dir $@)
	@echo "  TEST    $<"
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/liblatchkey.a $(LDLIBS) -lcmocka

# The http tests define their own surfaces[] and surface_dispatch, which
# would clash with the real ones in the archive: link objects instead.
HTTP_TEST_OBJ := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(sort $(wildcard src/http/*.c src/util/*.c)))

$(BUILD)/tests/http/%: tests/unit/http/%.c $(HTTP_TEST_OBJ) | test-deps
	@mkdir -p $(dir $@)
	@echo "  TEST    $<"
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(HTTP_TEST_OBJ) $(LDLIBS) -lcmocka

# The store tests share their cases (one file per backend includes them).
$(filter $(BUILD)/tests/store/%,$(UNIT_BIN)): tests/unit/store/store_cases.h \
    tests/unit/store/team_cases.h

unit: test-deps $(UNIT_BIN)

run: all
	./latchkey serve

check: all test-deps $(UNIT_BIN)
	@scripts/run-tests.sh $(BUILD)

# -Wno-format-truncation: gcc 12 under UBSan flags vsnprintf(NULL, 0, fmt, ...)
# as a "null format string" (a false positive; plain builds keep the warning).
sanitize: test-deps
	@$(MAKE) --no-print-directory BUILD=build-san OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	         -Wno-format-truncation" \
	    build-san/latchkey $(patsubst $(BUILD)/%,build-san/%,$(UNIT_BIN))
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    scripts/run-tests.sh build-san

# The benchmark (README "Performance"): an optimised build of its own in
# build-bench/, the helpers under bench/, wrk and nginx (bench/deps.sh, not
# needed by check), then bench/run.sh.
BENCH_OPT ?= -O2 -DNDEBUG
BENCH_TOOLS := $(BUILD)/bench/gen $(BUILD)/bench/hashtime

$(BUILD)/bench/%: bench/%.c $(BUILD)/liblatchkey.a | deps
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/liblatchkey.a $(LDLIBS)

bench-tools: $(BENCH_TOOLS)

bench: deps
	@bench/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="$(BENCH_OPT)" \
	    build-bench/latchkey bench-tools
	bench/run.sh build-bench

# The README's `make run` and `make check` in a fresh Debian 12 chroot
# (scripts/fresh-check.sh; root, network to Debian's and npm's registries).
fresh-check:
	@scripts/fresh-check.sh

format:
	clang-format -i $$(find src tests/unit bench -name '*.[ch]')

format-check:
	clang-format --dry-run --Werror $$(find src tests/unit bench -name '*.[ch]')

tidy:
	clang-tidy --quiet $(LIB_SRC) src/main.c -- $(CFLAGS)

cppcheck:
	cppcheck --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
	    --suppress=missingIncludeSystem -Isrc --quiet src

clean:
	rm -rf build build-san build-bench latchkey

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
