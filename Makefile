# schemagate - build, run and test. `make` builds bin/schemagate and bin/schemagate-certs;
# `make run` starts a local demo; `make test` runs the whole suite, plain and under
# AddressSanitizer + UndefinedBehaviorSanitizer.

CC      ?= cc
VERSION ?= 0.1.0
OPT     ?= -O2 -g
SAN     ?=
# Truncating snprintf into bounded buffers is deliberate here, hence -Wno-format-truncation.
CFLAGS  += -std=c11 -D_GNU_SOURCE -DSCHEMAGATE_VERSION=\"$(VERSION)\" $(OPT) $(SAN) -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-format-truncation -fno-strict-aliasing -MMD -MP
# libpq-fe.h lives in /usr/include/postgresql on Debian, mysql.h (MariaDB Connector/C) in /usr/include/mariadb.
CPPFLAGS += -I/usr/include/postgresql -I/usr/include/mariadb
# libpq and libmariadb are not linked: pqload.c and myload.c open them when the schema gate first needs one.
LDLIBS  += -lmicrohttpd -lgnutls -lcjson -lyaml -lcares -lpthread -lm
CERTS_LDLIBS := -lcrypto
BUILD   ?= build/release
BIN     ?= bin

# webhook/ holds the pipeline, the front ends and shared support; each check family has a room
# of its own (webhook/secrets, webhook/schema, webhook/hygiene).
CORE_SRC   := $(filter-out webhook/main.c,$(wildcard webhook/*.c webhook/*/*.c webhook/*/*/*.c))
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
CERTS_SRC  := $(wildcard certs/*.c)
CERTS_OBJ  := $(CERTS_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC:= $(wildcard tests/unit/lib/*.c)
TESTLIB_OBJ:= $(TESTLIB_SRC:%.c=$(BUILD)/%.o)
# The case library as a command for the e2e runners (tests/unit/sgcase.c); not named test_*, so
# tests/run.sh does not run it as a suite.
CASE_TOOL  := $(BUILD)/tests/sgcase

.SECONDARY:
.PHONY: all deps run test check check-unit check-asan fuzz bench bench-review manifests image clean
all: $(BIN)/schemagate $(BIN)/schemagate-certs

deps:
	@scripts/install-deps.sh
	@scripts/install-helm.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -Iwebhook -c $< -o $@

$(BIN)/schemagate: $(CORE_OBJ) $(BUILD)/webhook/main.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(SAN) -o $@ $^ $(LDLIBS)

$(BIN)/schemagate-certs: $(CERTS_OBJ) $(BUILD)/webhook/error.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(SAN) -o $@ $^ $(CERTS_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -Iwebhook -Itests/unit -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

# The JSON parser picks AVX2 at run time where the CPU has it; these two builds of its tests
# keep the SSE2 path and the portable path tested on every machine.
# Static pattern rules: they apply to these targets only (a pattern rule would also match the
# dependency files make includes, and try to rebuild those).
JSONARENA_VARIANTS := $(BUILD)/tests/test_jsonarena_sse2 $(BUILD)/tests/test_jsonarena_portable
JSONARENA_VARIANT_OBJ := $(BUILD)/variants/jsonarena_sse2.o $(BUILD)/variants/jsonarena_portable.o
$(JSONARENA_VARIANT_OBJ): $(BUILD)/variants/jsonarena_%.o: webhook/jsonarena.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($*)"
	@$(CC) $(CFLAGS) $(CPPFLAGS) $(if $(filter sse2,$*),-DJSONARENA_NO_AVX2,-DJSONARENA_NO_SIMD) -Iwebhook -c $< -o $@
$(JSONARENA_VARIANTS): $(BUILD)/tests/test_jsonarena_%: tests/unit/test_jsonarena.c $(BUILD)/variants/jsonarena_%.o \
                                                       $(filter-out %/jsonarena.o,$(CORE_OBJ)) $(TESTLIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -Iwebhook -Itests/unit -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

# Built without the sanitizers even in check-asan: the e2e runners start it some 1,600 times, and
# the library is covered under the sanitizers by test_casefile and test_cases.
$(CASE_TOOL): tests/unit/sgcase.c tests/unit/lib/casefile.c tests/unit/lib/casefile.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(filter-out $(SAN) -MMD -MP,$(CFLAGS)) -Itests/unit -o $@ tests/unit/sgcase.c tests/unit/lib/casefile.c -lcjson

run: deps all
	@scripts/run-local.sh

# The whole suite against one build: unit tests, data cases, end-to-end over HTTPS.
check: all $(UNIT_BIN) $(JSONARENA_VARIANTS) $(CASE_TOOL)
	@tests/run.sh $(BUILD) $(BIN)

check-asan:
	@SCHEMAGATE_SANITIZED=1 $(MAKE) --no-print-directory check BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory check-asan

# Longer fuzz runs on a corpus that grows in build/fuzz (short ones run in `make test`:
# tests/e2e/fuzz_short.sh). FUZZ_SECONDS per target; FUZZ_TARGETS a subset of yaml jsonarena shell.
FUZZ_SECONDS ?= 300
fuzz:
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: deps all
	@scripts/install-deps.sh bench
	@bench/run

# The container image without a container engine: an OCI archive assembled from this machine's
# Debian packages (scripts/build-image.sh). IMAGE_SOURCE sets the org.opencontainers.image.source label.
IMAGE_SOURCE ?=
image: all
	@scripts/build-image.sh --version $(VERSION) --bin $(BIN) --out build/image/schemagate-$(VERSION).oci.tar \
	    $(if $(IMAGE_SOURCE),--source '$(IMAGE_SOURCE)')

# The review throughput cell (bench/review/run): schemagate review over a large rendered stream,
# and opa eval with the equivalent Rego rule when an opa binary is given (OPA=/path/to/opa).
bench-review: deps all
	@bench/review/run $(if $(OPA),--opa $(OPA))

# manifests/install.yaml is the Helm chart rendered for `kubectl apply`; a test fails when it drifts.
manifests:
	@scripts/render-install.sh > manifests/install.yaml.tmp && mv manifests/install.yaml.tmp manifests/install.yaml \
	    || { rm -f manifests/install.yaml.tmp; exit 1; }

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
