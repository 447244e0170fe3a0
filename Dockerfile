# schemagate container image: Debian bookworm, built with the project's Makefile.
#
#   docker build -t REGISTRY/schemagate:0.1.0 .
#
# Runs as UID/GID 65532 (non-root, numeric so runAsNonRoot can verify it) with no shell
# entrypoint. Ports: 8443 HTTPS webhook (POST /validate, /validate/secrets, /validate/schema),
# 9090 plain HTTP (/healthz, /readyz, /metrics). Entrypoint: /usr/local/bin/schemagate; the
# default command serves with the certificate in /etc/schemagate/tls and the built-in config
# (the Helm chart passes --config and the rest). schemagate-certs is in the image too.
# tests/e2e/dockerfile_libs.py checks that the runtime stage installs every package owning a
# shared library that `ldd bin/schemagate` reports, and libpq5 and libmariadb3, which
# schemagate opens with dlopen when the schema gate has PostgreSQL or MySQL databases
# (webhook/schema/pqload.c, myload.c).
# Without Docker, `make image` builds the same image from this machine's Debian packages
# (scripts/build-image.sh: the same packages, user, ports, entrypoint, command and labels;
# tests/e2e/image.py and dockerfile_libs.py hold the two together). VERSION is the Makefile's.

ARG VERSION=0.1.0
FROM debian:bookworm AS build
ARG VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config \
      libmicrohttpd-dev libgnutls28-dev libcjson-dev libyaml-dev libssl-dev libpq-dev libmariadb-dev libc-ares-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY webhook/ webhook/
COPY certs/ certs/
RUN make -j"$(nproc)" all VERSION="$VERSION"

FROM debian:bookworm-slim
ARG VERSION
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Kubernetes validating admission webhook: schema migrations before rollouts, no plaintext credentials" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libmicrohttpd12 libgnutls30 libcjson1 libyaml-0-2 libc-ares2 libssl3 libpq5 libmariadb3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/bin/schemagate /src/bin/schemagate-certs /usr/local/bin/
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/schemagate"]
CMD ["serve", "--tls-cert-file", "/etc/schemagate/tls/tls.crt", "--tls-private-key-file", "/etc/schemagate/tls/tls.key"]
