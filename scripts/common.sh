# Shared by setup.sh, test.sh and demo.sh: who we are and how to become
# root or the unprivileged user PostgreSQL insists on.
PG_MAJOR=${PG_MAJOR:-15}
TEST_USER=${PD_TEST_USER:-pdtest}

as_root()
{
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

# Run a command as a user that PostgreSQL will run as.
as_pg_user()
{
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$TEST_USER" -- "$@"
	else
		"$@"
	fi
}

# count_regress LOG: "PASSED FAILED" from a pg_regress run's output.
count_regress()
{
	local log=$1
	if grep -qE 'All [0-9]+ tests passed' "$log"; then
		echo "$(grep -oE 'All [0-9]+ tests' "$log" | awk '{print $2}') 0"
	elif grep -qE '[0-9]+ of [0-9]+ tests failed' "$log"; then
		grep -oE '[0-9]+ of [0-9]+ tests failed' "$log" | awk '{print $3 - $1, $1}'
	else
		echo "0 1"				# it did not get as far as running tests
	fi
}

# count_tap LOG: "PASSED FAILED FILES_SKIPPED" from prove's output; a script that
# died, planned wrongly or ran nothing counts as a failure.
count_tap()
{
	local log=$1 tests tfailed dubious skipped
	tests=$(grep -oE 'Files=[0-9]+, Tests=[0-9]+' "$log" | sed 's/.*Tests=//' | tail -1)
	tfailed=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$log" | awk -F'[ /]' '{s+=$2} END {print s+0}')
	dubious=$(grep -cE 'No subtests run|Bad plan|exited [0-9]+ before|Parse errors' "$log" || true)
	skipped=$(grep -cE '\.\. skipped: ' "$log" || true)		# whole files
	if [ -z "$tests" ]; then
		echo "0 1 0"
	else
		echo "$((tests - tfailed)) $((tfailed + dubious)) $skipped"
	fi
}
