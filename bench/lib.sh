# bench/lib.sh: sourced by the make bench scripts that run as the
# unprivileged user (clusters.sh, rounds.sh, faults.sh, views.sh).  Expects
# $work (the scratch directory, also the socket directory) and $bin (the
# server's bin directory) to be set.

export PATH=$bin:$PATH

# make bench's settings, from the environment (bench/run.sh's header says
# what each is), with their defaults: about 27 minutes on 2 cores
export BENCH_CYCLES=${BENCH_CYCLES:-16}
export BENCH_SECONDS=${BENCH_SECONDS:-4}
export BENCH_SLICE_MS=${BENCH_SLICE_MS:-100}
export BENCH_CLIENTS=${BENCH_CLIENTS:-4}
export BENCH_AUTH_DELAY=${BENCH_AUTH_DELAY:-0}
export BENCH_HUGE=${BENCH_HUGE:-off}
export BENCH_FAULT_STARTS=${BENCH_FAULT_STARTS:-6}
export BENCH_FAULT_SECONDS=${BENCH_FAULT_SECONDS:-2}
export BENCH_VIEW_EVENTS=${BENCH_VIEW_EVENTS:-5000 100000}

# init_cluster NAME PORT [EXTRA_CONF]: a throwaway cluster in $work/NAME on
# loopback, with pgbench's tables and the extension created (the catalogue is
# then the same with and without the library preloaded: CREATE EXTENSION
# needs only the library file).  EXTRA_CONF is appended to postgresql.conf.
init_cluster()
{
	local name=$1 port=$2
	rm -rf "${work:?}/$name"
	initdb -D "$work/$name" -A trust -U postgres >/dev/null
	cat >>"$work/$name/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
max_connections = 100
probe_detect.save = off
include_if_exists = 'preload.conf'
${3:-}
CONF
	: >"$work/$name/preload.conf"
	pg_ctl -D "$work/$name" -l "$work/$name.log" -w start >/dev/null
	pgbench -i -q -s 1 -h "$work" -p "$port" -U postgres postgres >/dev/null 2>&1
	psql -X -q -h "$work" -p "$port" -U postgres -d postgres \
		-c 'CREATE EXTENSION probe_detect' >/dev/null
}

# configure NAME LIBRARY HUGE: what NAME's next start preloads (none for
# nothing) and its huge_pages (off or on).
configure()
{
	{
		if [ "$2" != none ]; then
			echo "shared_preload_libraries = '$2'"
		fi
		echo "huge_pages = $3"
	} >"$work/$1/preload.conf"
}

# restart NAME: a fast restart; 1 if the server did not come back.  With
# huge_pages = on, a start fails when the pages are gone, and another server
# on the machine with huge_pages = try (a test's) may hold them for a while:
# up to 10 more tries, 2 s apart.
restart()
{
	local try
	pg_ctl -D "$work/$1" -l "$work/$1.log" -m fast -w restart >/dev/null 2>&1 && return 0
	for try in $(seq 10); do
		sleep 2
		pg_ctl -D "$work/$1" -l "$work/$1.log" -w start >/dev/null 2>&1 && return 0
	done
	echo "bench: cluster $1 does not start (huge pages: $(awk '/^HugePages_(Free|Rsvd):/ {printf "%s %s ", $1, $2}' /proc/meminfo))" >&2
	return 1
}

stop_cluster()
{
	pg_ctl -D "$work/$1" -m immediate stop >/dev/null 2>&1 || true
}

postmaster_of()
{
	head -1 "$work/$1/postmaster.pid"
}

# What cluster NAME has used since its start: CPU in clock ticks and page
# faults (minor and major), the postmaster's own and those of every child it
# has reaped, from /proc (exact counts, kernel-mode faults included).
cpu_of()
{
	awk '{print $14 + $15 + $16 + $17}' "/proc/$(postmaster_of "$1")/stat"
}
faults_of()
{
	awk '{print $10 + $11 + $12 + $13}' "/proc/$(postmaster_of "$1")/stat"
}

# sql PORT QUERY: one value
sql()
{
	psql -X -q -At -h "$work" -p "$1" -U postgres -d postgres -c "$2"
}
