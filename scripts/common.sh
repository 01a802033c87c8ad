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
