# shellcheck shell=bash
# A throwaway PostgreSQL server for tests. Source it after lib/common.sh; then
#
#   start_postgres      # a new cluster in a new temporary directory, 127.0.0.1 only
#   ... use "$POSTGRES_URL" (e.g. postgres://postgres@127.0.0.1:PORT, no database) ...
#   stop_postgres       # stops it and removes the directory; safe in an EXIT trap
#
# Uses the server binaries of Debian's `postgresql` package (scripts/install-deps
# installs it). As root, the cluster belongs to the `postgres` user (initdb refuses
# root). Authentication is `trust` on loopback only; fsync stays on, as in production.

POSTGRES_DIR="" POSTGRES_URL=""
_pg_as=()

postgres_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x "$d/initdb" ]]; then printf '%s\n' "$d"; return 0; fi
    done
    if have initdb && have pg_ctl; then dirname "$(command -v initdb)"; return 0; fi
    return 1
}

start_postgres() {
    local dir bin port
    bin="$(postgres_bin)" || die "PostgreSQL server binaries not found (scripts/install-deps installs the postgresql package)"
    # Its own directory (not under a caller's private one: the server's user must reach it).
    dir="$(mktemp -d "${TMPDIR:-/tmp}/ostracon-pg.XXXXXX")"
    POSTGRES_DIR="$dir"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "user postgres not found (it comes with the postgresql package)"
        chown postgres "$dir"
        _pg_as=(runuser -u postgres --)
    fi
    # A free port: let the kernel pick one, then hand it to the server.
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${_pg_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    "${_pg_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100" start >/dev/null \
        || { cat "$dir/server.log" >&2; die "PostgreSQL did not start"; }
    POSTGRES_URL="postgres://postgres@127.0.0.1:$port"
    info "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
}

stop_postgres() {
    if [[ -n "$POSTGRES_DIR" && -d "$POSTGRES_DIR/data" ]]; then
        local bin
        bin="$(postgres_bin)" || return 0
        "${_pg_as[@]}" "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n "$POSTGRES_DIR" ]]; then rm -rf "$POSTGRES_DIR"; fi
    POSTGRES_DIR=""
}
