// node_pg.js: a legitimate PostgreSQL client through node-postgres (npm "pg",
// installed by eval/run.sh); the connection comes from PG* variables.
const { Client } = require('pg');
const c = new Client();
c.connect()
	.then(() => c.query('SELECT 1'))
	.then(() => c.end())
	.catch((e) => { console.error(e.message); process.exit(1); });
