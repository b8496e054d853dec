# syntax=docker/dockerfile:1
# sqsbench as a container image: built in the Rust image, run from Debian slim as a non-root
# user with the binary as entrypoint. CI lints this file (hadolint) but cannot build it: there
# is no container engine on its machines. Build: docker build -t sqsbench:0.1.0 .

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin sqsbench \
    && strip target/release/sqsbench

FROM debian:bookworm-slim
# ca-certificates for TLS to AWS, unpinned on purpose: it must track Debian's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin sqsbench
COPY --from=build /src/target/release/sqsbench /usr/local/bin/sqsbench
USER 10001:10001
# Live metrics (--metrics 0.0.0.0:9464), and the emulator (serve --bind 0.0.0.0:9324).
EXPOSE 9464 9324
ENTRYPOINT ["sqsbench"]
CMD ["--help"]
