# latchkey - build, run, test.
#
#   make            install the build's Debian packages if missing, build ./latchkey (-O2)
#   make run        build and serve on 127.0.0.1:8080 with ./var/latchkey.db
#   make check      also install the test tools; unit + end-to-end tests;
#                   last line "N passed, N failed"
#   make sanitize   the same suites under AddressSanitizer + UBSan
#   make fresh-check  `make run` and `make check` in a fresh Debian 12 chroot
#   make bench      the benchmark against nginx (README "Performance")
#   make bench-floor  the HTTP layer's floor: libmicrohttpd, h2o, epoll (issue 19)
#   make fuzz       each libFuzzer harness of tests/fuzz/ for FUZZ_SECONDS (60) s
#   make soak       SOAK_SECONDS (600) of mixed load: no error, RSS flat (not in CI)
#   make install    PREFIX (/usr/local), DESTDIR: the binary, man page, bash completion,
#                   systemd unit
#   make format | format-check | tidy | cppcheck
#   V=1 shows the full compiler command lines

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
V       ?=
Q       := $(if $(V),,@)
PKGS    := libmicrohttpd libsodium jansson sqlite3 libpq libcrypto hiredis libcurl
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
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/migrations.o \
            $(BUILD)/obj/gen/version.o $(BUILD)/obj/gen/web.o $(BUILD)/obj/gen/schemas.o
MIGR     := $(sort $(wildcard src/store/migrations/*.sql))
WEB      := $(sort $(wildcard web/pages/* web/assets/*))
SCHEMAS  := $(sort $(wildcard src/surfaces/schemas/*.json))
UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
BENCH_TOOLS := $(BUILD)/bench/gen $(BUILD)/bench/hashtime $(BUILD)/bench/jwtspeed

.PHONY: FORCE all deps test-deps run check unit e2e sanitize clean format format-check tidy cppcheck \
        bench bench-tools bench-floor fresh-check fuzz fuzz-build soak install

all: deps latchkey

# deps: what building needs (compiler, pkg-config, the -dev libraries);
# test-deps: also what the tests run (cmocka, PostgreSQL, Redis, nginx,
# Node, ...). test-deps waits for deps, so two apt-gets never run at once.
deps:
	@scripts/deps.sh build

test-deps: deps
	@scripts/deps.sh test

latchkey: $(BUILD)/latchkey $(BUILD)/latchkey.1 $(BUILD)/latchkey.bash
	@cp $< $@

# The man page and the bash completion come from the binary's own help.
$(BUILD)/latchkey.1: $(BUILD)/latchkey scripts/gen-man.sh
	@echo "  MAN     $@"
	$(Q)scripts/gen-man.sh $< > $@.tmp && mv $@.tmp $@

$(BUILD)/latchkey.bash: $(BUILD)/latchkey
	$(Q)$< completion bash > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the unit goes to
# $(UNITDIR), /lib/systemd/system under PREFIX=/usr, else
# $(PREFIX)/lib/systemd/system; its ExecStart names $(BINDIR) without DESTDIR.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
install: $(BUILD)/latchkey $(BUILD)/latchkey.1 $(BUILD)/latchkey.bash contrib/latchkey.service.in
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/latchkey $(DESTDIR)$(BINDIR)/latchkey
	install -m 0644 $(BUILD)/latchkey.1 $(DESTDIR)$(MANDIR)/man1/latchkey.1
	install -m 0644 $(BUILD)/latchkey.bash $(DESTDIR)$(COMPDIR)/latchkey
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/latchkey.service.in > $(DESTDIR)$(UNITDIR)/latchkey.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/latchkey.service

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

# The dashboard (web/): its pages and content-hashed assets compiled in.
# The directories are prerequisites too, so adding or removing a file
# regenerates it.
$(BUILD)/gen/web.c: $(WEB) web/pages web/assets scripts/embed-web.sh | deps
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-web.sh web > $@.tmp && mv $@.tmp $@

# The OpenAPI schemas kept beside the surfaces (src/surfaces/schemas/),
# compiled in; the directory is a prerequisite so a new file regenerates it.
$(BUILD)/gen/schemas.c: $(SCHEMAS) src/surfaces/schemas scripts/embed-schemas.sh | deps
	@mkdir -p $(dir $@)
	$(Q)scripts/embed-schemas.sh $(SCHEMAS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# The version and git commit (latchkey --version): regenerated by every
# make, rewritten only when they change.
$(BUILD)/gen/version.c: FORCE | deps
	@mkdir -p $(dir $@)
	$(Q)scripts/gen-version.sh > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

# The unit tests' shared fixtures (tests/unit/fixture.h), an archive: a
# test links only the members it calls.
UNIT_FIX := $(BUILD)/obj/tests/libfixture.a

$(BUILD)/obj/tests/%.o: tests/unit/%.c | test-deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Itests/unit -MMD -MP -c -o $@ $<

$(UNIT_FIX): $(BUILD)/obj/tests/fixture.o
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_FIX) $(BUILD)/liblatchkey.a | test-deps
	@mkdir -p $(dir $@)
	@echo "  TEST    $<"
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(UNIT_FIX) $(BUILD)/liblatchkey.a $(LDLIBS) -lcmocka

# Every unit test may include the shared headers of tests/unit/.
$(UNIT_BIN): $(wildcard tests/unit/*.h)

# The store tests share their cases (one file per backend includes them).
$(filter $(BUILD)/tests/store/%,$(UNIT_BIN)): tests/unit/store/store_cases.h \
    tests/unit/store/team_cases.h tests/unit/store/commerce_cases.h

unit: test-deps $(UNIT_BIN)

run: all
	./latchkey serve

# The bench helpers are built too (not run), so a change that breaks them fails here.
check: all test-deps $(UNIT_BIN) $(BENCH_TOOLS)
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

$(BUILD)/bench/%: bench/%.c $(BUILD)/liblatchkey.a | deps
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/liblatchkey.a $(LDLIBS)

bench-tools: $(BENCH_TOOLS)

# Is libmicrohttpd the floor? (issue 19, bench/floor.sh): servers that only
# answer 200 - libmicrohttpd as src/http/httpd.c sets it up, libh2o-evloop,
# our own epoll loop - and a keep-alive client, against nginx and latchkey.
# Not part of check: libh2o-evloop-dev comes with bench/deps.sh only.
FLOOR_BINS = $(addprefix $(BUILD)/bench/floor/,mhd h2o epoll kaclient)
FLOOR_LIBS_mhd := -lmicrohttpd
FLOOR_LIBS_h2o := -lh2o-evloop

$(BUILD)/bench/floor/%: bench/floor/%.c bench/floor/floor.c bench/floor/floor.h | deps
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) -g $(WARN) -D_GNU_SOURCE -o $@ $< bench/floor/floor.c $(FLOOR_LIBS_$*) -lpthread

bench-floor: deps
	@bench/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="$(BENCH_OPT)" \
	    build-bench/latchkey $(subst $(BUILD)/,build-bench/,$(FLOOR_BINS))
	bench/floor.sh build-bench

bench: deps
	@bench/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="$(BENCH_OPT)" \
	    build-bench/latchkey bench-tools
	bench/run.sh build-bench

# The libFuzzer harnesses (tests/fuzz/, docs/security.md): clang, ASan +
# UBSan, a build of their own in build-fuzz/; tests/fuzz/run.sh runs each
# for FUZZ_SECONDS and ends with "N passed, N failed". The harnesses link
# libcrypto (OpenSSL), as the server does, for RS256.
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined -Wno-missing-field-initializers
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(BUILD)/liblatchkey.a | deps
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $<"
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(BUILD)/liblatchkey.a \
	    $(LDLIBS) -lcrypto

fuzz-build: $(FUZZ_BIN)

fuzz: deps
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 SAN="$(FUZZ_SAN)" fuzz-build
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The soak (tests/e2e/crash/soak.mjs, docs/security.md): one server under
# mixed load for SOAK_SECONDS, no request failing, RSS within 10 % after
# the warm-up. Not in make check or CI (10 minutes).
soak: all test-deps
	@[ -d tests/e2e/node_modules ] || npm ci --prefix tests/e2e --no-audit --no-fund
	LATCHKEY_BIN=$(CURDIR)/$(BUILD)/latchkey node tests/e2e/crash/soak.mjs

# The README's `make run` and `make check` in a fresh Debian 12 chroot
# (scripts/fresh-check.sh; root, network to Debian's and npm's registries).
fresh-check:
	@scripts/fresh-check.sh

format:
	clang-format -i $$(find src tests/unit tests/fuzz bench -name '*.[ch]')

format-check:
	clang-format --dry-run --Werror $$(find src tests/unit tests/fuzz bench -name '*.[ch]')

tidy:
	clang-tidy --quiet $(LIB_SRC) src/main.c -- $(CFLAGS)

cppcheck:
	cppcheck --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
	    --suppress=missingIncludeSystem -Isrc --quiet src

clean:
	rm -rf build build-san build-bench build-fuzz latchkey

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
